import { BaseEdge, EdgeLabelRenderer, type EdgeProps } from "@xyflow/react";
import { memo } from "react";
import { edgePath } from "../components/BraidEdge.js";
import type { TracedEdgeData } from "./edges.js";

const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** A taken edge whose source decided: the branch and the decision's reason, as an HTML label on the edge. */
function TracedEdgeView(props: EdgeProps) {
  const { markerEnd, style, id } = props;
  const data = props.data as TracedEdgeData | undefined;
  const [path, labelX, labelY] = edgePath(props);
  const reason = data?.reason ?? "";
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} style={style} />
      <EdgeLabelRenderer>
        <div
          className="edge-reason nodrag nopan"
          style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
          title={reason}
          role="note"
          aria-label={`Decision${data?.branch ? ` ${data.branch}` : ""}: ${reason}`}
        >
          {data?.branch && <strong>{data.branch}</strong>}
          <span>{cut(reason, 90)}</span>
        </div>
      </EdgeLabelRenderer>
    </>
  );
}

export const TracedEdge = memo(TracedEdgeView);
