import { useCallback, useId } from "react";
import { useShallow } from "zustand/react/shallow";
import { setExampleInput } from "../doc/ops.js";
import { JsonField } from "../inspector/fields/JsonField.js";
import { isBusy } from "../run/brief.js";
import { edit, useEditor } from "../state/store.js";
import { viewport } from "../state/viewport.js";
import { cancelRun, openRun, startRun } from "../trace/actions.js";
import { money, ms, shortId } from "../trace/format.js";
import { History } from "../trace/History.js";
import { Scrubber } from "../trace/Scrubber.js";
import { StateInspector } from "../trace/StateInspector.js";
import { Timeline } from "../trace/Timeline.js";
import { WaitingList } from "../trace/WaitingList.js";
import { type TraceTab, closeRun, openDetails, openTraceDialog, setHover, setTraceTab, useRunBrief, useTrace } from "../trace/store.js";
import "../styles/trace.css";

const inputSpec = { key: "example", label: "Example input (JSON)", required: false, widget: "json" as const };
const STATUS_TEXT: Record<string, string> = {
  idle: "Not run yet",
  starting: "Starting…",
  queued: "Queued",
  running: "Running…",
  waiting: "Waiting for review",
  completed: "Completed",
  failed: "Failed",
  cancelled: "Cancelled",
};
const TABS: Array<[TraceTab, string]> = [
  ["timeline", "Timeline"],
  ["state", "State"],
  ["input", "Input"],
  ["history", "Past runs"],
  ["reviews", "Waiting for review"],
];

/**
 * The run workspace: run and cancel, the status and final output, each node's result, and beside
 * them the timeline, the state inspector, the example input and the run history. A replay
 * scrubber sits on top once a run has events. Live and replay render the same view.
 */
export function RunPanel() {
  const run = useRunBrief();
  const tab = useTrace((s) => s.tab);
  const hasEvents = useTrace((s) => s.items.length > 0);
  const busy = isBusy(run.status);
  // A run waiting for a review holds no slot: another run can start, and the waiting one can be cancelled.
  const waiting = run.status === "waiting";
  return (
    <div className="trace-panel">
      <div className="trace-side">
        <div className="trace-actions">
          {busy ? (
            <button type="button" className="danger" onClick={() => void cancelRun()} aria-label="Cancel run">
              ■ Cancel run
            </button>
          ) : (
            <button type="button" className="primary" onClick={() => void startRun()} aria-label="Run on this input">
              ▶ Run on this input
            </button>
          )}
          {waiting && (
            <button type="button" className="danger" onClick={() => void cancelRun()} aria-label="Cancel run">
              ■ Cancel run
            </button>
          )}
        </div>
        <RunSummaryView />
        <NodesTable />
      </div>
      <div className="trace-main">
        {hasEvents && <Scrubber />}
        <div role="tablist" aria-label="Run views" className="tabs trace-tabs">
          {TABS.map(([id, label]) => (
            <button
              key={id}
              type="button"
              role="tab"
              id={`trace-tab-${id}`}
              aria-selected={tab === id}
              aria-controls={`trace-tabpanel-${id}`}
              className={tab === id ? "tab active" : "tab"}
              onClick={() => setTraceTab(id)}
            >
              {label}
            </button>
          ))}
        </div>
        <div role="tabpanel" id={`trace-tabpanel-${tab}`} aria-labelledby={`trace-tab-${tab}`} className="trace-tabpanel">
          {tab === "timeline" && <Timeline />}
          {tab === "state" && (hasEvents ? <StateInspector /> : <p className="hint">The run state at each step shows here once a run has events.</p>)}
          {tab === "input" && <InputEditor />}
          {tab === "history" && <History />}
          {tab === "reviews" && <WaitingList />}
        </div>
      </div>
    </div>
  );
}

function InputEditor() {
  const example = useEditor((s) => s.doc.input?.example);
  const id = useId();
  const onExample = useCallback((v: unknown) => edit((d) => setExampleInput(d, v ?? {}), { key: "example" }), []);
  return (
    <div className="run-input">
      <JsonField inputId={`${id}-input`} spec={inputSpec} value={example} onChange={onExample} nodeId="" problems={[]} objectOnly={false} />
      <p className="hint">The input the ▶ Run buttons use. It is saved with the pipeline.</p>
    </div>
  );
}

function RunSummaryView() {
  const run = useRunBrief();
  const t = useTrace(
    useShallow((s) => ({
      runId: s.runId,
      origin: s.origin,
      pipeline: s.pipeline,
      parentRunId: s.info?.parentRunId,
      fromNode: s.info?.fromNode,
      only: s.view.only,
      connection: s.connection,
      follow: s.follow,
      step: s.step,
      total: s.items.length,
    })),
  );
  const id = useId();
  const order = t.pipeline?.nodes.map((n) => n.id);
  const shownStatus = !t.follow ? `${STATUS_TEXT[run.status] ?? run.status} (at step ${t.step} of ${t.total})` : (STATUS_TEXT[run.status] ?? run.status);
  return (
    <div className="run-result">
      <p className={`run-status run-${run.status}`} role="status" aria-label="Run status">
        <strong>{shownStatus}</strong>
        {run.durationMs !== undefined && ` in ${ms(run.durationMs)}`}
        {run.usage && ` · ${run.usage.inputTokens + run.usage.outputTokens} tokens · ${money(run.usage.costUsd)}${run.usage.estimated ? " (estimated)" : ""}`}
        {run.runId && <span className="muted"> · run {run.runId}</span>}
        {t.connection === "reconnecting" && <span className="muted"> · reconnecting…</span>}
      </p>
      {run.review && (
        <p className="run-waiting-at">
          Paused at <code>{run.review.nodeId}</code> until someone decides.{" "}
          <button
            type="button"
            className="small"
            onClick={() => openDetails(run.review?.nodeId as string, run.review?.span)}
            aria-label={`Review ${run.review.nodeId}`}
          >
            Review…
          </button>
        </p>
      )}
      {run.error && (
        <p className="run-error" role="alert">
          <code>{run.error.code}</code> {run.error.message}
          {run.error.nodeId && ` (node ${run.error.nodeId})`}
        </p>
      )}
      {t.origin && (
        <div className="run-origin" role="note" aria-label="Reuse">
          {t.origin.kind === "rerun" ? (
            <>
              Re-run from <code>{t.origin.fromNode}</code> of run{" "}
            </>
          ) : (
            <>Fork at step {t.origin.atSeq} of run </>
          )}
          <button type="button" className="link" onClick={() => openRun(t.origin?.parentRunId as string)} aria-label="Open the parent run">
            {shortId(t.origin.parentRunId)}
          </button>
          . <strong>Saved {money(t.origin.savedUsd)}</strong> ({t.origin.savedTokens} tokens): reused {byOrder(t.origin.reused, order).join(", ") || "nothing"}
          {"; "}ran again {byOrder(t.origin.rerun, order).join(", ") || "nothing"}.
        </div>
      )}
      {t.only && !t.parentRunId && (
        <p className="run-origin">
          Single-node run of <code>{t.only}</code> on the example input.
        </p>
      )}
      {!t.origin && t.parentRunId && (
        <p className="run-origin">
          {t.only ? (
            <>
              Single-node run of <code>{t.only}</code> on the upstream outputs of run{" "}
            </>
          ) : t.fromNode ? (
            <>
              Re-run from <code>{t.fromNode}</code> of run{" "}
            </>
          ) : (
            <>Fork of run </>
          )}
          <button type="button" className="link" onClick={() => openRun(t.parentRunId as string)} aria-label="Open the parent run">
            {shortId(t.parentRunId)}
          </button>
          .
        </p>
      )}
      {t.runId && (
        <div className="run-links">
          {(t.origin?.parentRunId ?? t.parentRunId) && !isBusy(run.status) && (
            <button
              type="button"
              className="small"
              onClick={() => openTraceDialog({ type: "compare", a: (t.origin?.parentRunId ?? t.parentRunId) as string, b: t.runId as string })}
            >
              Compare with parent
            </button>
          )}
          <button type="button" className="small" onClick={closeRun} aria-label="Close this run">
            Close run
          </button>
        </div>
      )}
      {run.output !== undefined && (
        <section aria-labelledby={`${id}-out`}>
          <h3 id={`${id}-out`}>Final output</h3>
          <pre className="output">{JSON.stringify(run.output, null, 2)}</pre>
        </section>
      )}
    </div>
  );
}

/** Node ids in the pipeline's order (the server lists reused nodes in the order they finished). */
const byOrder = (ids: readonly string[], order: readonly string[] | undefined) => [...ids].sort((a, b) => (order?.indexOf(a) ?? 0) - (order?.indexOf(b) ?? 0));

/** Each node of the run: status, backend, visits, time and cost over all visits; a click opens its details. Updates on node transitions, not per token. */
function NodesTable() {
  const run = useRunBrief();
  const backends = useEditor((s) => s.backends);
  const simulated = new Set((backends ?? []).filter((b) => b.simulated).map((b) => b.name));
  if (run.order.length === 0) return <p className="hint">Each node's status, backend, time and cost appear here while the run goes.</p>;
  return (
    <table className="node-runs">
      <caption className="sr-only">Nodes in this run</caption>
      <thead>
        <tr>
          <th>Node</th>
          <th>Status</th>
          <th>Backend</th>
          <th title="Executions of the node in this run (a loop runs a node more than once)">Visits</th>
          <th title="Summed over all visits">Time</th>
          <th title="Summed over all visits">Cost</th>
        </tr>
      </thead>
      <tbody>
        {run.order.map((nid) => {
          const n = run.nodes[nid];
          if (!n) return null;
          return (
            <tr key={nid} className={`nr-${n.status}`} onMouseEnter={() => setHover(nid)} onMouseLeave={() => setHover(null)}>
              <td>
                <button
                  type="button"
                  className="link"
                  onClick={() => {
                    viewport.zoomToNode(nid);
                    openDetails(nid);
                  }}
                  aria-label={`Show ${nid}`}
                >
                  {nid}
                </button>
              </td>
              <td>
                {n.status === "failed" ? `failed: ${n.error?.message ?? ""}` : run.review?.nodeId === nid ? "waiting for review" : n.status}
                {n.branch && <span className="muted"> → {n.branch}</span>}
              </td>
              <td>
                {n.backend ?? "—"}
                {n.backend && simulated.has(n.backend) && <span className="badge badge-sim">sim</span>}
              </td>
              <td>{n.visits}</td>
              <td>{n.durationMs !== undefined ? ms(n.durationMs) : ""}</td>
              <td>{n.usage ? money(n.usage.costUsd) : ""}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
