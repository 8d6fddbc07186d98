import { useCallback, useId } from "react";
import { useShallow } from "zustand/react/shallow";
import { setExampleInput, setPipelineFields } from "../doc/ops.js";
import { zoomTo } from "../state/canvas.js";
import { edit, useEditor } from "../state/store.js";
import { JsonField } from "./fields/JsonField.js";

const exampleSpec = {
  key: "example",
  label: "Example input",
  required: false,
  widget: "json" as const,
  description: "The run input used by Run, and the source of {{input.…}} suggestions.",
};

/** With nothing selected: the pipeline itself (name, description, example input) and a list of its nodes. */
export function PipelineInspector() {
  const { name, description, example, nodes, problems } = useEditor(
    useShallow((s) => ({ name: s.doc.name, description: s.doc.description ?? "", example: s.doc.input?.example, nodes: s.doc.nodes, problems: s.diagnostics })),
  );
  const id = useId();
  const onExample = useCallback((v: unknown) => edit((d) => setExampleInput(d, v ?? {}), { key: "example" }), []);
  return (
    <div className="pipeline-inspector">
      <h2 className="panel-title">Pipeline</h2>
      <p className="hint">Select a node to edit it. Shift-click or drag a box (Shift + drag) to select several.</p>
      <div className="field">
        <label htmlFor={`${id}-name`} className="field-label">
          Name
        </label>
        <input id={`${id}-name`} value={name} onChange={(e) => edit((d) => setPipelineFields(d, { name: e.target.value }), { key: "name" })} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-desc`} className="field-label">
          Description
        </label>
        <textarea
          id={`${id}-desc`}
          rows={3}
          value={description}
          onChange={(e) => edit((d) => setPipelineFields(d, { description: e.target.value }), { key: "description" })}
        />
      </div>
      <JsonField inputId={`${id}-example`} spec={exampleSpec} value={example} onChange={onExample} nodeId="" problems={[]} />
      <h3>Nodes</h3>
      <ul className="node-list" aria-label="Nodes">
        {nodes.map((n) => {
          const bad = problems.some((d) => d.nodeId === n.id && d.severity === "error");
          return (
            <li key={n.id}>
              <button type="button" className="link" onClick={() => zoomTo(n.id)} aria-label={`Zoom to ${n.id}`}>
                <span className={bad ? "dot dot-error" : "dot"} aria-hidden="true" />
                <code>{n.id}</code> <span className="muted">{n.label && n.label !== n.id ? n.label : n.kind}</span>
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
