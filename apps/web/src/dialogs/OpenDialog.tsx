import { useEffect, useState } from "react";
import { type TemplateSummary, api } from "../api/client.js";
import { blankPipeline } from "../doc/blank.js";
import { confirmDiscard, noteOnline, noteProblem, openSaved, openTemplate } from "../state/server.js";
import { loadDocument, notify } from "../state/store.js";
import { viewport } from "../state/viewport.js";
import { Modal, closeDialog } from "./Modal.js";
import { SavedPipelines } from "./SavedPipelines.js";

/** Start something: a blank pipeline, a template from the gallery, or a saved pipeline. */
export function OpenDialog() {
  const [templates, setTemplates] = useState<TemplateSummary[] | null>(null);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    api.templates.list
      .query()
      .then((t) => {
        noteOnline();
        setTemplates(t);
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
      <SavedPipelines onOpen={(id) => then(() => openSaved(id))()} />
    </Modal>
  );
}
