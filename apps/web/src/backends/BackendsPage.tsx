import { type KeyboardEvent, useEffect, useRef } from "react";
import "../styles/backends.css";
import { BackendForm } from "./BackendForm.js";
import { BackendList } from "./BackendList.js";
import { Monitor } from "./Monitor.js";
import { type BackendsTab, navigate, useRoute } from "../route.js";
import { loadRows, reloadFromFile, startAdd, useBackendsPage } from "./state.js";

/** The Backends page (`#/backends`): configuration and the monitor. Renders nothing in the designer. */
export function BackendsPage() {
  const route = useRoute();
  if (route.page !== "backends") return null;
  return <Page tab={route.tab} />;
}

const TABS: Array<{ id: BackendsTab; label: string }> = [
  { id: "list", label: "Configuration" },
  { id: "monitor", label: "Monitor" },
];

function Page({ tab }: { tab: BackendsTab }) {
  const title = useRef<HTMLHeadingElement>(null);
  const editing = useBackendsPage((s) => s.editing);
  useEffect(() => {
    void loadRows();
    title.current?.focus();
    // What happened here is old news once the page is left.
    return () => useBackendsPage.setState({ message: null });
  }, []);
  useDesignerShortcutsOff();

  const onTabKey = (e: KeyboardEvent<HTMLButtonElement>) => {
    if (e.key !== "ArrowRight" && e.key !== "ArrowLeft" && e.key !== "Home" && e.key !== "End") return;
    e.preventDefault();
    const i = TABS.findIndex((t) => t.id === tab);
    const next = e.key === "Home" ? 0 : e.key === "End" ? TABS.length - 1 : (i + (e.key === "ArrowRight" ? 1 : TABS.length - 1)) % TABS.length;
    const t = TABS[next];
    if (!t) return;
    navigate({ page: "backends", tab: t.id });
    requestAnimationFrame(() => document.getElementById(`bp-tab-${t.id}`)?.focus());
  };

  return (
    <section className="app-page backends-page" aria-labelledby="bp-title">
      <header className="bp-head">
        <div className="bp-title">
          <h1 id="bp-title" ref={title} tabIndex={-1}>
            Backends
          </h1>
          <p className="hint">
            The models pipelines call. Each Generate or Critique node names a backend. Settings are kept in <code>backends.json</code> in the data folder; API
            keys never are — a backend names the environment variable that holds its key.
          </p>
        </div>
        <div className="bp-actions">
          <button
            type="button"
            className="primary"
            onClick={() => {
              startAdd();
              if (tab !== "list") navigate({ page: "backends", tab: "list" });
            }}
          >
            + Add backend
          </button>
          <button type="button" onClick={() => void reloadFromFile()} title="Read backends.json again after editing it by hand">
            Reload from file
          </button>
          <button type="button" onClick={() => navigate({ page: "designer" })}>
            ← Back to the designer
          </button>
        </div>
      </header>
      <div className="bp-tabbar">
        <div role="tablist" aria-label="Backends views" className="tabs bp-tabs">
          {TABS.map((t) => (
            <button
              key={t.id}
              type="button"
              role="tab"
              id={`bp-tab-${t.id}`}
              aria-selected={tab === t.id}
              aria-controls={`bp-panel-${t.id}`}
              tabIndex={tab === t.id ? 0 : -1}
              className={tab === t.id ? "tab active" : "tab"}
              onClick={() => navigate({ page: "backends", tab: t.id })}
              onKeyDown={onTabKey}
            >
              {t.label}
            </button>
          ))}
        </div>
        <PageMessage />
      </div>
      <div role="tabpanel" id="bp-panel-list" aria-labelledby="bp-tab-list" className="bp-panel" hidden={tab !== "list"}>
        {tab === "list" && (
          <div className={`bp-config ${editing ? "with-form" : ""}`}>
            <BackendList />
            {editing && <BackendForm key={editing.mode === "edit" ? `edit:${editing.name}` : "add"} editing={editing} />}
          </div>
        )}
      </div>
      <div role="tabpanel" id="bp-panel-monitor" aria-labelledby="bp-tab-monitor" className="bp-panel" hidden={tab !== "monitor"}>
        {tab === "monitor" && <Monitor />}
      </div>
    </section>
  );
}

/** What just happened on this page (saved, removed, refused and why). */
function PageMessage() {
  const message = useBackendsPage((s) => s.message);
  useEffect(() => {
    if (!message || message.tone === "error") return;
    const seq = message.seq;
    const t = setTimeout(() => {
      if (useBackendsPage.getState().message?.seq === seq) useBackendsPage.setState({ message: null });
    }, 8000);
    return () => clearTimeout(t);
  }, [message]);
  return (
    <div className={`bp-message ${message ? `bp-message-${message.tone}` : ""}`} role="status" aria-live="polite" aria-label="Backends status">
      {message?.text ?? ""}
      {message?.tone === "error" && (
        <button type="button" className="ghost small" onClick={() => useBackendsPage.setState({ message: null })} aria-label="Dismiss message">
          ✕
        </button>
      )}
    </div>
  );
}

const typing = (t: EventTarget | null) => t instanceof HTMLElement && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName));

/**
 * The designer's Ctrl+Z / Ctrl+C / paste act on the hidden canvas; while this page shows, they
 * are kept from it (so copying text from the monitor copies text, and undo does not edit unseen).
 */
function useDesignerShortcutsOff() {
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || typing(e.target)) return;
      if (["z", "y", "c", "x"].includes(e.key.toLowerCase())) e.stopImmediatePropagation();
    };
    const onPaste = (e: ClipboardEvent) => {
      if (!typing(e.target)) e.stopImmediatePropagation();
    };
    window.addEventListener("keydown", onKey, true);
    window.addEventListener("paste", onPaste, true);
    return () => {
      window.removeEventListener("keydown", onKey, true);
      window.removeEventListener("paste", onPaste, true);
    };
  }, []);
}
