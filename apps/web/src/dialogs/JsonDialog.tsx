import { useId } from "react";
import { useEditor } from "../state/store.js";
import { Modal } from "./Modal.js";

/** The document exactly as it is saved and run: what undo/redo restore, and what Export downloads. */
export function JsonDialog() {
  const doc = useEditor((s) => s.doc);
  const id = useId();
  const text = JSON.stringify(doc, null, 2);
  const download = () => {
    const url = URL.createObjectURL(new Blob([`${text}\n`], { type: "application/json" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = `${doc.name.replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^-|-$/g, "") || "pipeline"}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <Modal title="Pipeline JSON" wide>
      <label htmlFor={id} className="field-label">
        Document (braid/pipeline@1)
      </label>
      <textarea id={id} className="code" rows={22} readOnly value={text} spellCheck={false} />
      <div className="modal-actions">
        <button type="button" onClick={() => void navigator.clipboard?.writeText(text)}>
          Copy to clipboard
        </button>
        <button type="button" className="primary" onClick={download}>
          Download .json
        </button>
      </div>
    </Modal>
  );
}
