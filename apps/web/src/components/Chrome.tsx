import { useEffect } from "react";
import { refreshBackends } from "../state/server.js";
import { useEditor } from "../state/store.js";

/** Shown while the server cannot be reached; edits go on and are kept in this browser. */
export function OfflineBanner() {
  const offline = useEditor((s) => s.server === "offline");
  if (!offline) return null;
  return (
    <div className="banner" role="alert">
      <strong>The Braid server cannot be reached.</strong> Your edits are kept in this browser; saving and running wait until it is back.{" "}
      <button type="button" className="small" onClick={() => void refreshBackends()}>
        Retry now
      </button>
    </div>
  );
}

/** One polite live region for what just happened (saved, connected, refused and why). */
export function StatusLine() {
  const status = useEditor((s) => s.status);
  useEffect(() => {
    if (!status || status.tone === "error") return;
    const seq = status.seq;
    const t = setTimeout(() => {
      if (useEditor.getState().status?.seq === seq) useEditor.setState({ status: null });
    }, 6000);
    return () => clearTimeout(t);
  }, [status]);
  return (
    <div className={`status-line ${status ? `status-${status.tone}` : ""}`} role="status" aria-live="polite" aria-label="Status" title={status?.text}>
      {status?.text ?? ""}
      {status?.tone === "error" && (
        <button type="button" className="ghost small" onClick={() => useEditor.setState({ status: null })} aria-label="Dismiss message">
          ✕
        </button>
      )}
    </div>
  );
}
