import { useEditor } from "../state/store.js";
import { HistoryDialog } from "./HistoryDialog.js";
import { JsonDialog } from "./JsonDialog.js";
import { Modal, closeDialog } from "./Modal.js";
import { OpenDialog } from "./OpenDialog.js";
import { ShortcutsDialog } from "./ShortcutsDialog.js";
import { ApiDialog } from "../api/ApiDialog.js";
import { ExportDialog } from "../share/ExportDialog.js";
import { ImportDialog } from "../share/ImportDialog.js";
import { SharedPreview } from "../share/SharedPreview.js";

export function Dialogs() {
  const dialog = useEditor((s) => s.dialog);
  if (!dialog) return null;
  switch (dialog.type) {
    case "open":
      return <OpenDialog />;
    case "history":
      return <HistoryDialog />;
    case "import":
      return <ImportDialog />;
    case "json":
      return <JsonDialog />;
    case "shortcuts":
      return <ShortcutsDialog />;
    case "api":
      return <ApiDialog />;
    case "export":
      return <ExportDialog />;
    case "shared":
      return <SharedPreview fragment={dialog.fragment} />;
    case "import-text":
      return <ImportDialog key={`${dialog.fileName ?? "paste"}:${dialog.text.length}`} initial={dialog} />;
    case "confirm":
      return (
        <Modal title={dialog.title} alert>
          <p>{dialog.message}</p>
          <div className="modal-actions">
            <button type="button" onClick={closeDialog} data-autofocus>
              Keep editing
            </button>
            <button
              type="button"
              className="danger"
              onClick={() => {
                closeDialog();
                dialog.onConfirm();
              }}
            >
              {dialog.confirmLabel}
            </button>
          </div>
        </Modal>
      );
  }
}
