import { BaseEdge, type EdgeProps, getBezierPath, getSmoothStepPath } from "@xyflow/react";
import { memo } from "react";

/**
 * Edges leave a node's bottom and enter the next one's top. An edge that goes back up (a
 * critique's `fail` into its loop, a revision into the critique again) drawn as a bezier runs
 * straight over the forward edges between the same nodes; it goes round the side instead, as a
 * step path with an offset, so the loop reads as a loop.
 */
export function isBackEdge(p: Pick<EdgeProps, "sourceY" | "targetY">): boolean {
  return p.targetY < p.sourceY + 10;
}

const BACK_OFFSET = 36;

export function edgePath(p: EdgeProps): [path: string, labelX: number, labelY: number] {
  const { sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition } = p;
  if (isBackEdge(p)) {
    const [path, x] = getSmoothStepPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, offset: BACK_OFFSET, borderRadius: 14 });
    // The step path's own label point is its middle vertical run, which two back edges between the
    // same nodes share (a critique's `fail` and the revision back into it): a label there names
    // either. The run above the target belongs to this edge alone.
    return [path, (x + targetX) / 2, targetY - BACK_OFFSET];
  }
  const [path, x, y] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  return [path, x, y];
}

/** Every document edge: a bezier forward, a step round the side backward, with its branch label (width from its text). */
function BraidEdgeView(props: EdgeProps) {
  const [path, labelX, labelY] = edgePath(props);
  return (
    <BaseEdge
      id={props.id}
      path={path}
      markerEnd={props.markerEnd}
      style={props.style}
      label={props.label}
      labelX={labelX}
      labelY={labelY}
      labelStyle={props.labelStyle}
      labelShowBg={props.labelShowBg}
      labelBgStyle={props.labelBgStyle}
      labelBgPadding={props.labelBgPadding ?? [4, 2]}
      labelBgBorderRadius={props.labelBgBorderRadius ?? 3}
      interactionWidth={props.interactionWidth}
    />
  );
}

export const BraidEdge = memo(BraidEdgeView);
