import { useShallow } from "zustand/react/shallow";
import { copySelection, deleteSelection } from "../state/canvas.js";
import { useEditor } from "../state/store.js";
import { NodeInspector } from "./NodeInspector.js";
import { PipelineInspector } from "./PipelineInspector.js";
import { useTrace } from "../trace/store.js";
import type { Pipeline } from "@braid/core";

export function Inspector() {
  const { nodes, selected } = useEditor(useShallow((s) => ({ nodes: s.doc.nodes, selected: s.selection.nodes })));
  const node = selected.length === 1 ? nodes.find((n) => n.id === selected[0]) : undefined;
  // A run of another graph on the canvas: the inspector describes that pipeline, not the working document.
  const replayed = useTrace(
    useShallow((t) =>
      t.graph === "run" && t.runId && t.pipeline ? { pipeline: t.pipeline, version: t.info?.pipelineVersion, pipelineId: t.info?.pipelineId } : undefined,
    ),
  );
  return (
    <aside className="inspector" aria-label="Inspector">
      {node ? (
        <NodeInspector key={node.id} node={node} />
      ) : selected.length > 1 ? (
        <div>
          <h2 className="panel-title">{selected.length} nodes selected</h2>
          <div className="inspector-actions">
            <button type="button" className="small" onClick={copySelection}>
              Copy
            </button>
            <button type="button" className="small danger" onClick={deleteSelection}>
              Delete selected
            </button>
          </div>
          <p className="hint">Ctrl+C / Ctrl+V copies and pastes them; Delete removes them.</p>
        </div>
      ) : replayed ? (
        <RunPipelineInspector pipeline={replayed.pipeline} version={replayed.version} pipelineId={replayed.pipelineId} />
      ) : (
        <PipelineInspector />
      )}
    </aside>
  );
}

/** The pipeline a replayed run executed, read-only. */
function RunPipelineInspector({ pipeline, version, pipelineId }: { pipeline: Pipeline; version?: number | undefined; pipelineId?: string | undefined }) {
  return (
    <section aria-label="Pipeline of this run">
      <h2 className="panel-title">Pipeline of this run</h2>
      <p className="hint">The pipeline this run executed, read-only. Back to editing returns to your document.</p>
      <p>
        <strong>{pipeline.name}</strong>{" "}
        <span className="muted">{pipelineId ? `${pipelineId}${version !== undefined ? ` · v${version}` : ""}` : "unsaved document"}</span>
      </p>
      {pipeline.description && <p className="muted">{pipeline.description}</p>}
      <h3 className="panel-title">Nodes</h3>
      <ul className="node-list">
        {pipeline.nodes.map((n) => (
          <li key={n.id}>
            <code>{n.id}</code> {n.label ?? n.kind}
          </li>
        ))}
      </ul>
    </section>
  );
}
