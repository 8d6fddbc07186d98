import { useEffect, useState } from "react";
import { type PipelineVersion, api } from "../api/client.js";
import { confirmDiscard, noteProblem, openSaved, restoreVersion } from "../state/server.js";
import { useEditor } from "../state/store.js";
import { Modal, closeDialog } from "./Modal.js";

/** Every saved version of the current pipeline; restoring makes an old one the newest. */
export function HistoryDialog() {
  const saved = useEditor((s) => s.saved);
  const [versions, setVersions] = useState<PipelineVersion[] | null>(null);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    if (!saved.id) return;
    api.pipelines.versions
      .query({ id: saved.id })
      .then(setVersions)
      .catch((err) => setError(noteProblem(err).message));
  }, [saved.id]);
  const id = saved.id;
  const reopen = (title: string, then: () => void) => {
    closeDialog();
    confirmDiscard(title, then);
  };
  return (
    <Modal title="Version history">
      {!id && <p className="hint">Save the pipeline first: each save is a version.</p>}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {versions && (
        <ol className="versions" aria-label="Versions">
          {versions.map((v) => (
            <li key={v.version} className={v.version === saved.version ? "version-row current" : "version-row"}>
              <span>
                <strong>v{v.version}</strong> {v.name} <span className="muted">· {new Date(v.createdAt).toLocaleString()}</span>
                {v.message && <span className="muted"> · {v.message}</span>}
                {v.version === saved.version && <span className="chip">current</span>}
              </span>
              <span className="row-actions">
                <button type="button" className="small" onClick={() => id && reopen("View this version?", () => void openSaved(id, v.version))}>
                  View v{v.version}
                </button>
                <button type="button" className="small" onClick={() => id && reopen("Restore this version?", () => void restoreVersion(id, v.version))}>
                  Restore v{v.version}
                </button>
              </span>
            </li>
          ))}
        </ol>
      )}
    </Modal>
  );
}
