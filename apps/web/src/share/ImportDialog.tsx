import type { Pipeline } from "@braid/core";
import { useEffect, useId, useRef, useState } from "react";
import { Modal, closeDialog } from "../dialogs/Modal.js";
import { tidyWhenMeasured } from "../state/canvas.js";
import { confirmDiscard } from "../state/server.js";
import { loadDocument, notify, useEditor } from "../state/store.js";
import { type ImportOutcome, importText, readImportFile } from "./detect.js";

type Pending = { pipeline: Pipeline; warnings: string[]; source: string };

/** Loads an imported pipeline as a new, unsaved document (asking first when there are unsaved changes). */
export function loadImported(pipeline: Pipeline, source: string): void {
  confirmDiscard("Import this pipeline?", () => {
    loadDocument(pipeline, null, false);
    notify(`Imported "${pipeline.name}" from ${source}. Save it to keep it on the server.`, "success");
    tidyWhenMeasured();
  });
}

/**
 * Import a pipeline from its JSON or from Mermaid, pasted, picked or dropped. A Mermaid
 * flowchart drawn by hand imports best-effort: its guesses are listed before anything loads.
 * Anything unreadable is explained, and the current document stays as it is.
 */
export function ImportDialog({ initial }: { initial?: { text: string; fileName?: string; run?: boolean } }) {
  const id = useId();
  const [text, setText] = useState(initial?.text ?? "");
  const [problem, setProblem] = useState<{ message: string; details: string[] } | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [dragging, setDragging] = useState(false);

  const settle = (r: ImportOutcome, source: string) => {
    setPending(null);
    if (!r.ok) {
      setProblem({ message: r.message, details: r.details });
      return;
    }
    setProblem(null);
    if (r.warnings.length > 0) {
      setPending({ pipeline: r.pipeline, warnings: r.warnings, source });
      return;
    }
    closeDialog();
    loadImported(r.pipeline, source);
  };
  const run = (source: string, fileName?: string) =>
    settle(importText(source, useEditor.getState().registry, fileName), fileName ? `“${fileName}”` : "the pasted text");
  const fromFile = async (file: File) => {
    const r = await readImportFile(file, useEditor.getState().registry);
    if (r.text !== undefined) setText(r.text);
    settle(r, `“${file.name}”`);
  };

  const ran = useRef(false);
  useEffect(() => {
    if (ran.current || !initial?.run) return;
    ran.current = true;
    settle(importText(initial.text, useEditor.getState().registry, initial.fileName), initial.fileName ? `“${initial.fileName}”` : "the pasted text");
  });

  return (
    <Modal title="Import a pipeline" wide>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: dropping is a shortcut; the file input and the text box do the same from the keyboard */}
      <div
        className={`import-drop ${dragging ? "dragging" : ""}`}
        onDragOver={(e) => {
          if (!e.dataTransfer.types.includes("Files")) return;
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          const file = e.dataTransfer.files[0];
          setDragging(false);
          if (!file) return;
          e.preventDefault();
          e.stopPropagation();
          void fromFile(file);
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-text`} className="field-label">
            Pipeline JSON or Mermaid flowchart
          </label>
          <textarea
            id={`${id}-text`}
            className="code"
            rows={12}
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              setPending(null);
            }}
            spellCheck={false}
            placeholder={'{ "format": "braid/pipeline@1", … }\n\nor\n\nflowchart TD\n  A([Start]) --> B[Draft] --> C([Done])'}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-file`} className="field-label">
            Or load a file (.json or .mmd), or drop one here
          </label>
          <input
            id={`${id}-file`}
            type="file"
            accept=".json,.mmd,.mermaid,application/json,text/plain"
            onChange={async (e) => {
              const f = e.target.files?.[0];
              e.target.value = "";
              if (f) await fromFile(f);
            }}
          />
        </div>
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
      {pending && (
        <div className="import-guesses" role="status" aria-label="Import guesses">
          <p>
            <strong>
              {pending.source} is a flowchart without Braid's data, so {pending.warnings.length} guess{pending.warnings.length === 1 ? " was" : "es were"} made:
            </strong>
          </p>
          <ul>
            {pending.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
          <p className="hint">
            “{pending.pipeline.name}”: {pending.pipeline.nodes.length} nodes, {pending.pipeline.edges.length} connections. Placeholders are marked TODO.
          </p>
        </div>
      )}
      <div className="modal-actions">
        <button type="button" onClick={closeDialog}>
          Cancel
        </button>
        {pending ? (
          <button
            type="button"
            className="primary"
            onClick={() => {
              closeDialog();
              loadImported(pending.pipeline, pending.source);
            }}
          >
            Import with these guesses
          </button>
        ) : (
          <button type="button" className="primary" onClick={() => run(text)}>
            Import
          </button>
        )}
      </div>
    </Modal>
  );
}
