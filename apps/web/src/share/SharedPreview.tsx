import { decodeShareLink, formatDiagnostic, toMermaid } from "@braid/core";
import { useMemo } from "react";
import { Modal, closeDialog } from "../dialogs/Modal.js";
import { tidyWhenMeasured } from "../state/canvas.js";
import { confirmDiscard } from "../state/server.js";
import { loadDocument, notify, useEditor } from "../state/store.js";
import { MermaidPreview } from "./MermaidPreview.js";

/**
 * A shared link opened: a read-only look at the pipeline it carries (diagram, name, description,
 * nodes) and the choice to import it as a new, unsaved pipeline. A damaged link only explains
 * itself; the editor's document is untouched either way until "Import" is chosen.
 */
export function SharedPreview({ fragment }: { fragment: string }) {
  const registry = useEditor((s) => s.registry);
  const decoded = useMemo(() => decodeShareLink(fragment), [fragment]);
  const diagram = useMemo(() => (decoded.ok ? toMermaid(decoded.pipeline, { registry, embed: false, showBackends: true }) : ""), [decoded, registry]);

  if (!decoded.ok) {
    return (
      <Modal title="Shared pipeline" alert>
        <div className="import-problem" role="alert">
          <p>
            <strong>This share link cannot be opened.</strong> Nothing was changed.
          </p>
          <ul>
            {decoded.diagnostics.slice(0, 12).map((d, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: diagnostics are a fixed list
              <li key={i}>{formatDiagnostic(d)}</li>
            ))}
          </ul>
        </div>
        <p className="hint">Ask for the link again, or for the pipeline's .json or .mmd file (Import opens either).</p>
        <div className="modal-actions">
          <button type="button" onClick={closeDialog} data-autofocus>
            Dismiss
          </button>
        </div>
      </Modal>
    );
  }

  const p = decoded.pipeline;
  const importIt = () => {
    closeDialog();
    confirmDiscard("Import the shared pipeline?", () => {
      loadDocument(p, null, false);
      notify(`Imported the shared pipeline "${p.name}". Save it to keep it on the server.`, "success");
      tidyWhenMeasured();
    });
  };
  return (
    <Modal title="Shared pipeline" wide>
      <div className="shared-preview">
        <p className="hint">Someone shared this pipeline with you. Nothing has changed in your editor yet.</p>
        <h3 className="shared-name">{p.name || "Untitled pipeline"}</h3>
        {p.description && <p className="shared-description">{p.description}</p>}
        <MermaidPreview text={diagram} label={`Diagram of the shared pipeline ${p.name}`} />
        <details className="shared-nodes">
          <summary>
            {p.nodes.length} node{p.nodes.length === 1 ? "" : "s"}, {p.edges.length} connection{p.edges.length === 1 ? "" : "s"}
          </summary>
          <ul aria-label="Nodes">
            {p.nodes.map((n) => (
              <li key={n.id}>
                <span className={`kind-chip kind-${/^[a-z]+$/.test(n.kind) ? n.kind : "other"}`}>{n.kind}</span>{" "}
                <strong>{n.label?.trim() ? n.label : n.id}</strong> <span className="muted">{n.id}</span>
              </li>
            ))}
          </ul>
        </details>
      </div>
      <div className="modal-actions">
        <button type="button" onClick={closeDialog}>
          Dismiss
        </button>
        <button type="button" className="primary" onClick={importIt} data-autofocus>
          Import as a new pipeline
        </button>
      </div>
    </Modal>
  );
}
