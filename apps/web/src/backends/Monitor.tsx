import type { StatsWindow } from "@braid/core";
import { useEffect, useId, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import { BreakerBadge, ProviderText } from "./bits.js";
import { clockTime, formatCost, formatCount, formatMs, formatRate, timeAgo } from "./format.js";
import { loadStats, setWindow, useBackendsPage } from "./state.js";
import { summarizeStats } from "./monitorData.js";

export const REFRESH_MS = 3000;

const WINDOWS: Array<{ id: StatsWindow; label: string; caption: string }> = [
  { id: "5m", label: "Last 5 minutes", caption: "over the last 5 minutes" },
  { id: "1h", label: "Last hour", caption: "over the last hour" },
  { id: "all", label: "Since the server started", caption: "since the server started" },
];

const TRANSITION_TEXT: Record<string, string> = {
  open: "calls refused until it cools down",
  "half-open": "trying a call again",
  closed: "healthy again",
  isolated: "held open",
};

/** Live figures per backend over a window; refreshes every few seconds while it is on screen. */
export function Monitor() {
  const { window, stats, statsError, autoRefresh } = useBackendsPage(
    useShallow((s) => ({ window: s.window, stats: s.stats, statsError: s.statsError, autoRefresh: s.autoRefresh })),
  );
  const [now, setNow] = useState(Date.now());
  const uid = useId();

  useEffect(() => {
    void loadStats();
  }, []);
  useEffect(() => {
    if (!autoRefresh) return;
    const tick = () => {
      if (document.visibilityState !== "visible") return;
      setNow(Date.now());
      void loadStats();
    };
    const timer = setInterval(tick, REFRESH_MS);
    document.addEventListener("visibilitychange", tick);
    return () => {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", tick);
    };
  }, [autoRefresh]);

  const caption = WINDOWS.find((w) => w.id === window)?.caption ?? "";
  const rows = stats?.backends ?? [];
  const total = summarizeStats(rows);
  const transitions = [...(stats?.transitions ?? [])].reverse().slice(0, 30);

  return (
    <div className="bp-monitor">
      <div className="bp-monitor-bar">
        <fieldset className="bp-segmented">
          <legend className="sr-only">Window</legend>
          {WINDOWS.map((w) => (
            <label key={w.id} className={window === w.id ? "on" : ""}>
              <input type="radio" name={`${uid}-window`} value={w.id} checked={window === w.id} onChange={() => setWindow(w.id)} />
              {w.label}
            </label>
          ))}
        </fieldset>
        <label className="bp-check">
          <input type="checkbox" checked={autoRefresh} onChange={(e) => useBackendsPage.setState({ autoRefresh: e.target.checked })} /> Auto-refresh every{" "}
          {REFRESH_MS / 1000} s
        </label>
        <button
          type="button"
          className="small"
          onClick={() => {
            setNow(Date.now());
            void loadStats();
          }}
        >
          Refresh now
        </button>
        <span className="muted bp-updated" aria-live="off">
          {stats ? `Updated ${clockTime(stats.at)}` : "Loading…"}
        </span>
      </div>
      {statsError && (
        <p className="bp-error" role="alert">
          Could not load the figures: {statsError}
        </p>
      )}

      <dl className="bp-kpis" aria-label={`Totals ${caption}`}>
        <Kpi label="Calls" value={formatCount(total.calls)} />
        <Kpi label="Success" value={formatRate(total.successRate, total.calls)} tone={total.calls && total.successRate < 0.95 ? "bad" : undefined} />
        <Kpi label="Tokens in / out" value={`${formatCount(total.inputTokens)} / ${formatCount(total.outputTokens)}`} />
        <Kpi label="Cost" value={formatCost(total.costUsd)} />
        <Kpi label="Cache hits" value={formatCount(total.cacheHits)} />
        <Kpi label="Retries" value={formatCount(total.retries)} />
        <Kpi label="Open breakers" value={String(total.openBreakers)} tone={total.openBreakers ? "bad" : undefined} />
      </dl>

      <table className="bp-table bp-stats">
        <caption>Calls per backend {caption}</caption>
        <thead>
          <tr>
            <th scope="col">Backend</th>
            <th scope="col">Breaker</th>
            <th scope="col" className="num">
              Calls
            </th>
            <th scope="col" className="num">
              Success
            </th>
            <th scope="col" className="num">
              p50
            </th>
            <th scope="col" className="num">
              p95
            </th>
            <th scope="col" className="num">
              Tokens in
            </th>
            <th scope="col" className="num">
              Tokens out
            </th>
            <th scope="col" className="num">
              Cost
            </th>
            <th scope="col" className="num">
              Cache hits
            </th>
            <th scope="col" className="num">
              Retries
            </th>
            <th scope="col" className="num">
              Load
            </th>
            <th scope="col">Last error</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.name} className={`${r.enabled ? "" : "bp-disabled"} ${r.calls ? "" : "bp-idle"}`}>
              <th scope="row" className="bp-name">
                <strong>{r.name}</strong>
                {r.simulated && <span className="badge badge-sim">simulated</span>}
                {!r.enabled && <span className="badge bp-badge-off">disabled</span>}
                <span className="bp-source">
                  <ProviderText provider={r.provider} /> · {r.model}
                </span>
              </th>
              <td>
                <BreakerBadge state={r.breaker} />
              </td>
              <td className="num">{formatCount(r.calls)}</td>
              <td className={`num ${r.calls && r.successRate < 0.95 ? "bp-bad" : ""}`}>
                {formatRate(r.successRate, r.calls)}
                {r.failures > 0 && <span className="muted"> ({r.failures} failed)</span>}
              </td>
              <td className="num">{r.calls ? formatMs(r.p50Ms) : "—"}</td>
              <td className="num">{r.calls ? formatMs(r.p95Ms) : "—"}</td>
              <td className="num">{formatCount(r.inputTokens)}</td>
              <td className="num">{formatCount(r.outputTokens)}</td>
              <td className="num">{formatCost(r.costUsd)}</td>
              <td className="num">{formatCount(r.cacheHits)}</td>
              <td className="num">{formatCount(r.retries)}</td>
              <td className="num">
                {r.inFlight || r.queued ? `${r.inFlight} running${r.queued ? ` · ${r.queued} waiting` : ""}` : <span className="muted">idle</span>}
              </td>
              <td className="bp-lasterr">
                {r.lastError ? (
                  <>
                    <span className="bp-bad">{r.lastError}</span>
                    {r.lastErrorAt !== undefined && <span className="muted"> · {timeAgo(r.lastErrorAt, Math.max(now, stats?.at ?? 0))}</span>}
                  </>
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {stats && rows.length > 0 && total.calls === 0 && (
        <p className="hint">No calls {caption}. Run a pipeline (the designer's ▶ Run) and the figures appear here within a few seconds.</p>
      )}

      <section className="bp-transitions" aria-labelledby={`${uid}-tr`}>
        <h2 id={`${uid}-tr`}>Recent breaker transitions</h2>
        {transitions.length === 0 ? (
          <p className="hint">None since the server started: every breaker has stayed closed.</p>
        ) : (
          <ol aria-label="Breaker transitions, newest first">
            {transitions.map((t) => (
              <li key={`${t.at}-${t.backend}-${t.to}`}>
                <time dateTime={new Date(t.at).toISOString()}>{clockTime(t.at)}</time> <strong>{t.backend}</strong> {t.from} → <BreakerBadge state={t.to} />{" "}
                <span className="muted">{TRANSITION_TEXT[t.to] ?? ""}</span>
              </li>
            ))}
          </ol>
        )}
      </section>
    </div>
  );
}

function Kpi({ label, value, tone }: { label: string; value: string; tone?: "bad" | undefined }) {
  return (
    <div className={`bp-kpi ${tone === "bad" ? "bp-kpi-bad" : ""}`}>
      <dt className="bp-kpi-label">{label}</dt>
      <dd className="bp-kpi-value">{value}</dd>
    </div>
  );
}
