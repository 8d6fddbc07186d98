import { useEffect, useState } from "react";
import { type PipelineSummary, type TemplateSummary, api } from "../api/client.js";
import { blankPipeline } from "../doc/blank.js";
import { confirmDiscard, noteOnline, noteProblem, openSaved, openTemplate } from "../state/server.js";
import { loadDocument, notify } from "../state/store.js";
import { viewport } from "../state/viewport.js";
import { Modal, closeDialog } from "./Modal.js";

const when = (ms: number) => new Date(ms).toLocaleString();

/** Start something: a blank pipeline, a template from the gallery, or a saved pipeline. */
export function OpenDialog() {
  const [templates, setTemplates] = useState<TemplateSummary[] | null>(null);
  const [saved, setSaved] = useState<PipelineSummary[] | null>(null);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    Promise.all([api.templates.list.query(), api.pipelines.list.query()])
      .then(([t, p]) => {
        noteOnline();
        setTemplates(t);
        setSaved(p);
      })
      .catch((err) => setError(noteProblem(err).message));
  }, []);
  const then = (f: () => unknown) => () => {
    closeDialog();
    confirmDiscard("Open another pipeline?", async () => {
      if ((await f()) !== false) setTimeout(() => viewport.fitView(), 50);
    });
  };
  return (
    <Modal title="New or open" wide>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <section aria-labelledby="start-blank">
        <h3 id="start-blank">Start</h3>
        <button
          type="button"
          className="card-button"
          onClick={then(() => {
            loadDocument(blankPipeline(), null);
            notify("Started a blank pipeline: add nodes from the palette.");
          })}
        >
          <strong>Blank pipeline</strong>
          <span>An input and an output node, nothing in between.</span>
        </button>
      </section>
      <section aria-labelledby="start-templates">
        <h3 id="start-templates">Templates</h3>
        {!templates && !error && <p className="hint">Loading…</p>}
        <div className="card-grid">
          {templates?.map((t) => (
            <button key={t.id} type="button" className="card-button" onClick={then(() => openTemplate(t.id))} aria-label={`Template: ${t.name}`}>
              <strong>{t.name}</strong>
              <span>{t.description}</span>
            </button>
          ))}
        </div>
      </section>
      <section aria-labelledby="start-saved">
        <h3 id="start-saved">Saved pipelines</h3>
        {saved?.length === 0 && <p className="hint">Nothing saved yet.</p>}
        <ul className="saved-list">
          {saved?.map((p) => (
            <li key={p.id}>
              <button type="button" className="link" onClick={then(() => openSaved(p.id))} aria-label={`Open saved pipeline ${p.name}`}>
                <strong>{p.name}</strong>
              </button>
              <span className="muted">
                {" "}
                {p.id} · v{p.version} · {when(p.updatedAt)}
              </span>
            </li>
          ))}
        </ul>
      </section>
    </Modal>
  );
}
