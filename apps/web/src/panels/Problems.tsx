import { formatDiagnostic } from "@braid/core";
import { useShallow } from "zustand/react/shallow";
import { zoomTo } from "../state/canvas.js";
import { codeTitle } from "../doc/codeTitles.js";
import { edgeIds } from "../doc/derive.js";
import { useEditor } from "../state/store.js";

/** The live lint result; a click selects the node (or edge) and zooms to it. */
export function Problems() {
  const { diagnostics, doc } = useEditor(useShallow((s) => ({ diagnostics: s.diagnostics, doc: s.doc })));
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  const selectEdge = (index: number) => {
    const id = edgeIds(doc)[index];
    const e = doc.edges[index];
    if (id && e) {
      zoomTo(e.from);
      useEditor.setState({ selection: { nodes: [], edges: [id] } });
    }
  };
  return (
    <div className="problems">
      <p className={`problems-summary ${errors ? "sev-error" : warnings ? "sev-warning" : "sev-ok"}`} role="status">
        {diagnostics.length === 0
          ? "✓ No problems: the pipeline is valid."
          : `${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}`}
      </p>
      {diagnostics.length > 0 && (
        <ul className="problem-list" aria-label="Problems">
          {diagnostics.map((d, i) => {
            const target = d.nodeId ?? (d.edgeIndex !== undefined ? doc.edges[d.edgeIndex]?.from : undefined);
            return (
              // biome-ignore lint/suspicious/noArrayIndexKey: diagnostics have no identity of their own
              <li key={i} className={`sev-${d.severity}`}>
                <button
                  type="button"
                  className="problem"
                  disabled={!target}
                  onClick={() => (d.edgeIndex !== undefined && !d.nodeId ? selectEdge(d.edgeIndex) : target && zoomTo(target))}
                  title={formatDiagnostic(d)}
                >
                  <span className="sev-icon" aria-hidden="true">
                    {d.severity === "error" ? "✖" : "⚠"}
                  </span>
                  <strong className="problem-title">{codeTitle(d.code)}</strong>
                  {target && <span className="chip">{target}</span>}
                  <span className="problem-message">{d.message}</span>
                  <code className="problem-code">{d.code}</code>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
