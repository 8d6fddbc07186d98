import { Fragment, useEffect, useState } from "react";
import type { BackendView } from "../api/client.js";
import { BreakerBadge, ProviderText, TestOutcome } from "./bits.js";
import { pollRows, removeBackend, setEnabled, startEdit, testConnection, useBackendsPage } from "./state.js";

const SOURCE_TEXT: Record<string, string> = {
  default: "built-in",
  file: "backends.json",
  "file (overrides a default)": "backends.json · overrides a built-in",
};

/** Every configured backend: what it is, whether it is on, its breaker, its problems, and actions. */
export const LIST_REFRESH_MS = 5000;

export function BackendList() {
  const rows = useBackendsPage((s) => s.rows);
  const loadError = useBackendsPage((s) => s.loadError);
  // Breakers and load change while runs go: a quiet refresh while the list shows.
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") void pollRows();
    }, LIST_REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  if (!rows) {
    return (
      <div className="bp-list">
        {loadError ? (
          <p className="bp-error" role="alert">
            Could not list the backends: {loadError}
          </p>
        ) : (
          <p className="hint">Loading the backends…</p>
        )}
      </div>
    );
  }
  return (
    <div className="bp-list">
      {loadError && (
        <p className="bp-error" role="alert">
          Could not refresh the list: {loadError}
        </p>
      )}
      <table className="bp-table">
        <caption className="sr-only">Configured backends</caption>
        <thead>
          <tr>
            <th scope="col">Backend</th>
            <th scope="col">Provider and model</th>
            <th scope="col">Enabled</th>
            <th scope="col">Health</th>
            <th scope="col">Problems</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((b) => (
            <BackendRow key={b.name} b={b} />
          ))}
        </tbody>
      </table>
      {rows.length === 0 && (
        <p className="hint">No backends are configured. Add one, or restore the built-in simulated tiers by reloading an empty backends.json.</p>
      )}
    </div>
  );
}

function BackendRow({ b }: { b: BackendView }) {
  const busy = useBackendsPage((s) => !!s.busy[b.name]);
  const test = useBackendsPage((s) => s.tests[b.name]);
  const editingThis = useBackendsPage((s) => s.editing?.mode === "edit" && s.editing.name === b.name);
  const [confirming, setConfirming] = useState(false);
  const builtIn = b.source === "default";
  return (
    <Fragment>
      <tr className={`${b.enabled ? "" : "bp-disabled"} ${editingThis ? "bp-editing" : ""}`} aria-busy={busy || undefined}>
        <th scope="row" className="bp-name">
          <strong>{b.name}</strong>
          {b.simulated && <span className="badge badge-sim">simulated</span>}
          {!b.enabled && <span className="badge bp-badge-off">disabled</span>}
          {b.group && <span className="badge">group {b.group}</span>}
          {b.description && <span className="bp-desc">{b.description}</span>}
          <span className="bp-source">{SOURCE_TEXT[b.source] ?? b.source}</span>
        </th>
        <td>
          <ProviderText provider={b.provider} />
          <code className="bp-model">{b.model || "—"}</code>
          {b.baseUrl && <span className="bp-url">{b.baseUrl}</span>}
          {b.apiKeyEnv && (
            <span className="bp-url">
              key from <code>${b.apiKeyEnv}</code>
            </span>
          )}
          {b.fallback && <span className="bp-url">falls back to {b.fallback}</span>}
        </td>
        <td>
          <label className="switch">
            <input
              type="checkbox"
              role="switch"
              checked={b.enabled}
              aria-checked={b.enabled}
              disabled={busy}
              aria-label={`${b.name} enabled`}
              onChange={(e) => void setEnabled(b.name, e.target.checked)}
            />
            <span aria-hidden="true">{b.enabled ? "On" : "Off"}</span>
          </label>
        </td>
        <td>
          <BreakerBadge state={b.breaker} />
          {(b.load.inFlight > 0 || b.load.queued > 0) && (
            <span className="bp-load">
              {b.load.inFlight} in flight{b.load.queued ? ` · ${b.load.queued} queued` : ""}
            </span>
          )}
          {!b.available && b.enabled && b.reason && <span className="bp-reason">{b.reason}</span>}
        </td>
        <td>
          {b.problems.length ? (
            <ul className="bp-problems" aria-label={`Problems of ${b.name}`}>
              {b.problems.map((p) => (
                <li key={p}>⚠ {p}</li>
              ))}
            </ul>
          ) : (
            <span className="muted">None</span>
          )}
        </td>
        <td className="bp-row-actions">
          {confirming ? (
            <span className="bp-confirm">
              <span>Remove {b.name}?</span>
              <button
                type="button"
                className="small danger"
                onClick={() => {
                  setConfirming(false);
                  void removeBackend(b.name).then((ok) => ok && document.getElementById("bp-title")?.focus());
                }}
              >
                Yes, remove {b.name}
              </button>
              <button type="button" className="small" onClick={() => setConfirming(false)} aria-label={`Keep ${b.name}`}>
                Keep
              </button>
            </span>
          ) : (
            <>
              <button
                type="button"
                className="small"
                onClick={() => void testConnection(b.name, { name: b.name })}
                disabled={test?.pending}
                aria-label={`Test connection to ${b.name}`}
              >
                {test?.pending ? "Testing…" : "Test"}
              </button>
              <button type="button" className="small" onClick={() => startEdit(b.name)} aria-label={`Edit ${b.name}`} aria-pressed={editingThis}>
                Edit
              </button>
              <button
                type="button"
                className="small danger"
                onClick={() => setConfirming(true)}
                disabled={busy || builtIn}
                aria-label={`Remove ${b.name}`}
                title={builtIn ? "A built-in simulated tier cannot be removed; disable it instead" : undefined}
              >
                Remove
              </button>
            </>
          )}
        </td>
      </tr>
      {test && (
        <tr className="bp-test-row">
          <td colSpan={6}>
            <TestOutcome state={test} label={`Connection test of ${b.name}`} onDismiss={b.name} />
          </td>
        </tr>
      )}
    </Fragment>
  );
}
