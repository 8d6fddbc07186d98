import { type ReactNode, useEffect, useId, useRef } from "react";
import { closeTraceDialog } from "./store.js";

/** A native modal <dialog> for the trace's own dialogs (fork, compare); Escape and the backdrop close it. */
export function TraceModal({ title, children, wide }: { title: string; children: ReactNode; wide?: boolean }) {
  const titleId = useId();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const el = ref.current;
    const before = document.activeElement as HTMLElement | null;
    if (el && !el.open) el.showModal?.();
    el?.querySelector<HTMLElement>("[data-autofocus]")?.focus();
    return () => before?.focus?.();
  }, []);
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the backdrop click has its keyboard twin in Escape (onCancel)
    <dialog
      ref={ref}
      className={`modal ${wide ? "modal-wide trace-modal-wide" : ""}`}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        closeTraceDialog();
      }}
      onClick={(e) => {
        if (e.target === e.currentTarget) closeTraceDialog();
      }}
    >
      <div className="modal-inner">
        <div className="modal-head">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="ghost" onClick={closeTraceDialog} aria-label="Close">
            ✕
          </button>
        </div>
        <div className="modal-body">{children}</div>
      </div>
    </dialog>
  );
}
