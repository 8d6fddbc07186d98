import type { PipelineNode } from "@braid/core";
import { useEffect, useId, useMemo, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import { codeTitle } from "../doc/codeTitles.js";
import { nodeIdProblem, renameNode, setLabel } from "../doc/ops.js";
import { copySelection, deleteElements, zoomTo } from "../state/canvas.js";
import { edit, notify, useEditor } from "../state/store.js";
import { KindIcon } from "../components/KindIcon.js";
import { kindColour } from "../components/kindColour.js";
import { ConfigForm } from "./ConfigForm.js";
import { Connections } from "./Connections.js";
import { RunNodeSection } from "./RunNodeSection.js";

export function NodeInspector({ node }: { node: PipelineNode }) {
  const { registry, index, all } = useEditor(useShallow((s) => ({ registry: s.registry, index: s.doc.nodes.indexOf(node), all: s.diagnostics })));
  const diagnostics = useMemo(() => all.filter((d) => d.nodeId === node.id), [all, node.id]);
  const kind = registry.get(node.kind);
  const id = useId();
  const configPrefix = `nodes[${index}].config`;
  const general = diagnostics.filter((d) => !d.path?.startsWith(configPrefix));
  return (
    <div className="node-inspector">
      <div className="inspector-head" style={kindColour(kind?.diagram.colour)}>
        <KindIcon icon={kind?.diagram.icon ?? "?"} title={kind?.title ?? node.kind} />
        <div>
          <h2 className="panel-title">{kind?.title ?? node.kind} node</h2>
          <p className="hint">{kind?.description ?? `Unknown kind "${node.kind}".`}</p>
        </div>
      </div>
      <div className="inspector-actions">
        <button type="button" className="small" onClick={() => zoomTo(node.id)}>
          Zoom to node
        </button>
        <button type="button" className="small" onClick={copySelection}>
          Copy
        </button>
        <button type="button" className="small danger" onClick={() => deleteElements([node.id], [])}>
          Delete node
        </button>
      </div>
      <div className="field">
        <label htmlFor={`${id}-label`} className="field-label">
          Label
        </label>
        <input
          id={`${id}-label`}
          value={node.label ?? ""}
          placeholder={node.id}
          onChange={(e) => edit((d) => setLabel(d, node.id, e.target.value || undefined), { key: `label:${node.id}` })}
        />
      </div>
      <NodeIdField node={node} inputId={`${id}-id`} />
      {general.length > 0 && (
        <ul className="node-problems" aria-label="Problems with this node">
          {general.map((d) => (
            <li key={`${d.code}:${d.message}`} className={`sev-${d.severity}`}>
              <strong>{codeTitle(d.code)}</strong> {d.message} <code className="problem-code">{d.code}</code>
            </li>
          ))}
        </ul>
      )}
      {kind && <ConfigForm kind={kind} node={node} index={index} diagnostics={diagnostics} />}
      <RunNodeSection nodeId={node.id} />
      <Connections nodeId={node.id} />
    </div>
  );
}

/** The id is what templates use (`{{gen.name}}`); renaming rewrites every reference. */
function NodeIdField({ node, inputId }: { node: PipelineNode; inputId: string }) {
  const [draft, setDraft] = useState(node.id);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    setDraft(node.id);
    setError(undefined);
  }, [node.id]);
  const commit = () => {
    const { doc, registry } = useEditor.getState();
    if (draft === node.id) return;
    const problem = nodeIdProblem(doc, node.id, draft);
    if (problem) {
      setError(problem);
      return;
    }
    edit((d) => renameNode(d, registry, node.id, draft), { select: { nodes: [draft] } });
    notify(`Renamed node "${node.id}" to "${draft}"; references follow.`);
  };
  return (
    <div className={`field ${error ? "field-invalid" : ""}`}>
      <label htmlFor={inputId} className="field-label">
        Node id
      </label>
      <input
        id={inputId}
        value={draft}
        spellCheck={false}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === "Enter") commit();
          if (e.key === "Escape") setDraft(node.id);
        }}
        aria-invalid={!!error}
        aria-describedby={`${inputId}-help${error ? ` ${inputId}-error` : ""}`}
      />
      <p className="field-help" id={`${inputId}-help`}>
        Used in templates as {`{{${node.id}}}`}. Press Enter to rename.
      </p>
      {error && (
        <p className="field-error" id={`${inputId}-error`} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
