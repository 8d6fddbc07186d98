import { useShallow } from "zustand/react/shallow";
import { copySelection, deleteSelection } from "../state/canvas.js";
import { useEditor } from "../state/store.js";
import { NodeInspector } from "./NodeInspector.js";
import { PipelineInspector } from "./PipelineInspector.js";

export function Inspector() {
  const { nodes, selected } = useEditor(useShallow((s) => ({ nodes: s.doc.nodes, selected: s.selection.nodes })));
  const node = selected.length === 1 ? nodes.find((n) => n.id === selected[0]) : undefined;
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
      ) : (
        <PipelineInspector />
      )}
    </aside>
  );
}
