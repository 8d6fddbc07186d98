import { type ReactNode, useEffect, useRef } from "react";

/** A full page's header (Batch, Experiments, Deployments): its title, focused on arrival, a hint and the page's buttons. */
export function PageHeader({ id, title, hint, children }: { id: string; title: string; hint: ReactNode; children: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <header className="page-head">
      <div>
        <h1 id={id} ref={heading} tabIndex={-1}>
          {title}
        </h1>
        <p className="hint">{hint}</p>
      </div>
      {children}
    </header>
  );
}

export interface PageNotice {
  kind: "error" | "info";
  text: string;
}

/** The page's last outcome: an alert for an error, a status otherwise, with a dismiss button. */
export function PageMessage({ message, onDismiss }: { message: PageNotice | null; onDismiss: () => void }) {
  if (!message) return null;
  return (
    <p role={message.kind === "error" ? "alert" : "status"} className={`page-message ${message.kind}`}>
      {message.text}
      <button type="button" className="link" aria-label="Dismiss message" onClick={onDismiss}>
        ×
      </button>
    </p>
  );
}

/**
 * The toolbar's way to a page and back (Batch, Experiments). It folds to its icon where the
 * toolbar is short of room; the accessible name stays the page's name and the tooltip explains.
 */
export function PageToggle({
  name,
  icon,
  title,
  open,
  onOpen,
  onClose,
}: {
  name: string;
  icon: string;
  title: string;
  open: boolean;
  onOpen: () => void;
  onClose: () => void;
}) {
  return (
    <button type="button" aria-pressed={open} aria-label={name} className={open ? "bt-toggle on" : "bt-toggle"} onClick={open ? onClose : onOpen} title={title}>
      <span aria-hidden="true" className="bt-toggle-icon">
        {icon}
      </span>
      <span aria-hidden="true" className="bt-toggle-text">
        {name}
      </span>
    </button>
  );
}
