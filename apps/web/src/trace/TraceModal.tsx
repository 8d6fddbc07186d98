import type { ReactNode } from "react";
import { Modal } from "../dialogs/Modal.js";
import { closeTraceDialog } from "./store.js";

/** The trace's own dialogs (fork, compare) use the shared modal, closing through the trace store. */
export function TraceModal({ title, children, wide }: { title: string; children: ReactNode; wide?: boolean }) {
  return (
    <Modal title={title} wide={wide ?? false} className={wide ? "trace-modal-wide" : ""} onClose={closeTraceDialog}>
      {children}
    </Modal>
  );
}
