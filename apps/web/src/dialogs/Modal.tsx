import { type ReactNode, useEffect, useId, useRef } from "react";
import { useEditor } from "../state/store.js";

export const closeDialog = () => useEditor.setState({ dialog: null });

/**
 * A native modal <dialog>: the browser traps focus and closes it on Escape; focus returns where it
 * was. A click on the backdrop closes it too.
 */
export function Modal({
  title,
  children,
  wide,
  alert,
  className = "",
  onClose = closeDialog,
}: {
  title: string;
  children: ReactNode;
  wide?: boolean;
  alert?: boolean;
  className?: string;
  onClose?: () => void;
}) {
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
      className={`modal ${wide ? "modal-wide" : ""} ${className}`}
      role={alert ? "alertdialog" : undefined}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <div className="modal-inner">
        <div className="modal-head">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="ghost" onClick={onClose} aria-label="Close">
            ✕
          </button>
        </div>
        <div className="modal-body">{children}</div>
      </div>
    </dialog>
  );
}
