import { useId, useState } from "react";
import { importPipeline } from "../doc/importDoc.js";
import { confirmDiscard } from "../state/server.js";
import { loadDocument, notify } from "../state/store.js";
import { tidyWhenMeasured } from "../state/canvas.js";
import { Modal, closeDialog } from "./Modal.js";

/** Paste or load a pipeline file. A malformed one is explained and the current document stays as it is. */
export function ImportDialog() {
  const id = useId();
  const [text, setText] = useState("");
  const [problem, setProblem] = useState<{ message: string; details: string[] } | null>(null);
  const run = (source: string) => {
    const r = importPipeline(source);
    if (!r.ok) {
      setProblem({ message: r.message, details: r.details });
      return;
    }
    closeDialog();
    confirmDiscard("Import this pipeline?", () => {
      loadDocument(r.pipeline, null, false);
      notify(`Imported "${r.pipeline.name}". Save it to keep it on the server.`, "success");
      tidyWhenMeasured();
    });
  };
  return (
    <Modal title="Import a pipeline" wide>
      <div className="field">
        <label htmlFor={`${id}-text`} className="field-label">
          Pipeline JSON
        </label>
        <textarea
          id={`${id}-text`}
          className="code"
          rows={14}
          value={text}
          onChange={(e) => setText(e.target.value)}
          spellCheck={false}
          placeholder='{ "format": "braid/pipeline@1", … }'
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-file`} className="field-label">
          Or load a file
        </label>
        <input
          id={`${id}-file`}
          type="file"
          accept=".json,application/json"
          onChange={async (e) => {
            const f = e.target.files?.[0];
            if (!f) return;
            const t = await f.text();
            setText(t);
            run(t);
          }}
        />
      </div>
      {problem && (
        <div className="import-problem" role="alert">
          <p>
            <strong>{problem.message}</strong> Your current pipeline is unchanged.
          </p>
          {problem.details.length > 0 && (
            <ul>
              {problem.details.map((d) => (
                <li key={d}>{d}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div className="modal-actions">
        <button type="button" onClick={closeDialog}>
          Cancel
        </button>
        <button type="button" className="primary" onClick={() => run(text)}>
          Import
        </button>
      </div>
    </Modal>
  );
}
