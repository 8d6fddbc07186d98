import { useEffect, useId, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import { api } from "../api/client.js";
import { noteOnline, noteProblem } from "../state/server.js";
import { useEditor } from "../state/store.js";
import { openRun } from "./actions.js";
import { brief, clock, money, ms, shortId } from "./format.js";
import { lineageRows, lineageText } from "./lineage.js";
import { type RunSummary, openTraceDialog, toggleCompare, useTrace } from "./store.js";

const STATUSES = ["completed", "failed", "cancelled", "waiting", "running", "queued"] as const;
type StatusFilter = (typeof STATUSES)[number] | "";

/** Past runs of this pipeline (or of all), filterable by status, with their lineage; any of them opens for replay. */
export function History() {
  const pipelineId = useEditor((s) => s.saved.id);
  const { historyRev, compareSel, current } = useTrace(useShallow((s) => ({ historyRev: s.historyRev, compareSel: s.compareSel, current: s.runId })));
  const [scope, setScope] = useState<"pipeline" | "all">(pipelineId ? "pipeline" : "all");
  const [status, setStatus] = useState<StatusFilter>("");
  const [runs, setRuns] = useState<RunSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const id = useId();
  const effectiveScope = pipelineId ? scope : "all";

  // biome-ignore lint/correctness/useExhaustiveDependencies: historyRev and reload are refresh triggers
  useEffect(() => {
    let live = true;
    const input = { limit: 200, ...(effectiveScope === "pipeline" && pipelineId ? { pipelineId } : {}), ...(status ? { status } : {}) };
    api.runs.list
      .query(input)
      .then((r) => {
        if (!live) return;
        noteOnline();
        setRuns(r);
        setError(null);
      })
      .catch((err) => live && setError(noteProblem(err).message));
    return () => {
      live = false;
    };
  }, [effectiveScope, pipelineId, status, historyRev, reload]);

  const rows = runs ? lineageRows(runs) : [];
  return (
    <section className="history" aria-label="Run history">
      <div className="history-bar">
        <label>
          Runs of{" "}
          <select value={effectiveScope} onChange={(e) => setScope(e.target.value as "pipeline" | "all")} aria-label="Runs of">
            <option value="pipeline" disabled={!pipelineId}>
              this pipeline{pipelineId ? "" : " (save it first)"}
            </option>
            <option value="all">all pipelines</option>
          </select>
        </label>
        <label>
          Status{" "}
          <select value={status} onChange={(e) => setStatus(e.target.value as StatusFilter)} aria-label="Filter by status">
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="small" onClick={() => setReload((n) => n + 1)}>
          Refresh
        </button>
        <button
          type="button"
          className="small"
          disabled={compareSel.length !== 2}
          onClick={() => {
            // The older run is A.
            const at = (id: string) => runs?.find((r) => r.id === id)?.createdAt ?? 0;
            const [a, b] = [...compareSel].sort((x, y) => at(x) - at(y)) as [string, string];
            openTraceDialog({ type: "compare", a, b });
          }}
          title="Tick two runs to compare them node by node"
        >
          Compare selected ({compareSel.length}/2)
        </button>
      </div>
      {error && (
        <p className="run-error" role="alert">
          {error}
        </p>
      )}
      {runs && rows.length === 0 && <p className="hint">No runs yet{status ? ` with status ${status}` : ""}.</p>}
      {rows.length > 0 && (
        <table className="node-runs history-table" aria-describedby={id}>
          <caption id={id} className="sr-only">
            Runs, newest first; re-runs and forks under their parent run
          </caption>
          <thead>
            <tr>
              <th>
                <span className="sr-only">Compare</span>
              </th>
              <th>Run</th>
              {effectiveScope === "all" && <th>Pipeline</th>}
              <th>Status</th>
              <th>Started</th>
              <th>Duration</th>
              <th>Tokens</th>
              <th>Cost</th>
              <th>Lineage</th>
              <th>Input</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ run: r, depth, orphan, children }) => (
              <tr key={r.id} className={`${r.id === current ? "hist-current" : ""} hist-${r.status}`}>
                <td>
                  <input
                    type="checkbox"
                    checked={compareSel.includes(r.id)}
                    onChange={() => toggleCompare(r.id)}
                    aria-label={`Select run ${r.id} to compare`}
                  />
                </td>
                <td style={{ paddingLeft: 6 + depth * 16 }}>
                  {depth > 0 && <span aria-hidden="true">↳ </span>}
                  <button type="button" className="link" onClick={() => openRun(r.id)} aria-label={`Open run ${r.id}`}>
                    {shortId(r.id)}
                  </button>
                </td>
                {effectiveScope === "all" && (
                  <td title={r.pipelineId ?? "unsaved"}>{r.pipelineName ?? r.pipelineId ?? <span className="muted">unsaved</span>}</td>
                )}
                <td className={`hist-status st-${r.status}`}>{r.status}</td>
                <td>{clock(r.startedAt ?? r.createdAt)}</td>
                <td>{r.finishedAt && r.startedAt ? ms(r.finishedAt - r.startedAt) : "—"}</td>
                <td>{r.usage.inputTokens + r.usage.outputTokens}</td>
                <td>{money(r.usage.costUsd)}</td>
                <td className="muted">
                  {lineageText(r)}
                  {orphan ? " (parent not listed)" : ""}
                  {children > 0 && (
                    <span>
                      {r.parentRunId ? " · " : ""}
                      {children} child run{children === 1 ? "" : "s"}
                    </span>
                  )}
                  {r.pipelineVersion !== undefined && (
                    <span>
                      {r.parentRunId || children ? " · " : ""}v{r.pipelineVersion}
                    </span>
                  )}
                </td>
                <td className="hist-input" title={brief(r.input, 2000)}>
                  <code>{brief(r.input, 48)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
