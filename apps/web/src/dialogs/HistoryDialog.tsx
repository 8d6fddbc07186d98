import type { PipelineDiff } from "@braid/core";
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
  const [diff, setDiff] = useState<{ version: number; diff: PipelineDiff } | null>(null);
  useEffect(() => {
    if (!saved.id) return;
    api.pipelines.versions
      .query({ id: saved.id })
      .then(setVersions)
      .catch((err) => setError(noteProblem(err).message));
  }, [saved.id]);
  const id = saved.id;
  const showChanges = (version: number) => {
    if (!id) return;
    api.pipelines.diff
      .query({ id, from: version - 1, to: version })
      .then((d) => setDiff({ version, diff: d }))
      .catch((err) => setError(noteProblem(err).message));
  };
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
                {v.version > 1 && (
                  <button type="button" className="small" onClick={() => showChanges(v.version)} aria-label={`Changes in v${v.version}`}>
                    Changes
                  </button>
                )}
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
      {diff && <VersionDiff version={diff.version} diff={diff.diff} />}
    </Modal>
  );
}

/** What one save changed against the version before it. */
function VersionDiff({ version, diff }: { version: number; diff: PipelineDiff }) {
  const { nodes, edges, fields } = diff;
  const items: Array<[string, string[]]> = [
    ["Document fields changed", fields],
    ["Nodes added", nodes.added],
    ["Nodes removed", nodes.removed],
    ["Nodes changed", nodes.changed.map((c) => `${c.id}: ${c.fields.join(", ")}`)],
    ["Connections added", edges.added],
    ["Connections removed", edges.removed],
  ];
  const shown = items.filter(([, list]) => list.length > 0);
  return (
    <section className="version-diff" aria-label={`Changes in version ${version}`}>
      <h3>
        v{version - 1} → v{version}
      </h3>
      {shown.length === 0 && <p className="hint">No changes: the same document was saved again.</p>}
      {diff.layoutOnly && shown.length > 0 && <p className="hint">Only node positions moved.</p>}
      {shown.map(([title, list]) => (
        <div key={title}>
          <strong>{title}</strong>
          <ul>
            {list.map((x) => (
              <li key={x}>{x}</li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}
