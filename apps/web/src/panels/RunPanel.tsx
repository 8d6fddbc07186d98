import { useCallback, useId } from "react";
import { useShallow } from "zustand/react/shallow";
import { setExampleInput } from "../doc/ops.js";
import { JsonField } from "../inspector/fields/JsonField.js";
import { cancelRun, startRun } from "../state/run.js";
import { zoomTo } from "../state/canvas.js";
import { edit, useEditor } from "../state/store.js";

const inputSpec = { key: "example", label: "Example input (JSON)", required: false, widget: "json" as const };
const STATUS_TEXT: Record<string, string> = {
  idle: "Not run yet",
  starting: "Starting…",
  queued: "Queued",
  running: "Running…",
  completed: "Completed",
  failed: "Failed",
  cancelled: "Cancelled",
};

const money = (usd: number) => (usd < 0.01 ? `$${usd.toFixed(5)}` : `$${usd.toFixed(3)}`);

/** Run on the example input; status, final output and what each node did. Live canvas tracing builds on this view. */
export function RunPanel() {
  const { run, example, backends } = useEditor(useShallow((s) => ({ run: s.run, example: s.doc.input?.example, backends: s.backends })));
  const id = useId();
  const onExample = useCallback((v: unknown) => edit((d) => setExampleInput(d, v ?? {}), { key: "example" }), []);
  const simulated = new Set((backends ?? []).filter((b) => b.simulated).map((b) => b.name));
  const busy = run.status === "starting" || run.status === "queued" || run.status === "running";
  return (
    <div className="run-panel">
      <div className="run-input">
        <JsonField inputId={`${id}-input`} spec={inputSpec} value={example} onChange={onExample} nodeId="" problems={[]} objectOnly={false} />
        {busy ? (
          <button type="button" className="danger" onClick={() => void cancelRun()}>
            ■ Cancel run
          </button>
        ) : (
          <button type="button" className="primary" onClick={() => void startRun()} aria-label="Run on this input">
            ▶ Run on this input
          </button>
        )}
      </div>
      <div className="run-result">
        <p className={`run-status run-${run.status}`} role="status" aria-label="Run status">
          <strong>{STATUS_TEXT[run.status] ?? run.status}</strong>
          {run.durationMs !== undefined && ` in ${run.durationMs} ms`}
          {run.usage && ` · ${run.usage.inputTokens + run.usage.outputTokens} tokens · ${money(run.usage.costUsd)}${run.usage.estimated ? " (estimated)" : ""}`}
          {run.runId && <span className="muted"> · run {run.runId}</span>}
        </p>
        {run.error && (
          <p className="run-error" role="alert">
            <code>{run.error.code}</code> {run.error.message}
            {run.error.nodeId && ` (node ${run.error.nodeId})`}
          </p>
        )}
        {run.output !== undefined && (
          <section aria-labelledby={`${id}-out`}>
            <h3 id={`${id}-out`}>Final output</h3>
            <pre className="output">{JSON.stringify(run.output, null, 2)}</pre>
          </section>
        )}
      </div>
      <div className="run-nodes">
        {run.order.length === 0 && <p className="hint">Each node's status, backend and time appear here while the run goes.</p>}
        {run.order.length > 0 && (
          <table className="node-runs">
            <caption className="sr-only">Nodes in this run</caption>
            <thead>
              <tr>
                <th>Node</th>
                <th>Status</th>
                <th>Backend</th>
                <th>Time</th>
                <th>Branch</th>
              </tr>
            </thead>
            <tbody>
              {run.order.map((nid) => {
                const n = run.nodes[nid];
                if (!n) return null;
                return (
                  <tr key={nid} className={`nr-${n.status}`}>
                    <td>
                      <button type="button" className="link" onClick={() => zoomTo(nid)}>
                        {nid}
                      </button>
                    </td>
                    <td>
                      {n.status === "failed" ? `failed: ${n.error?.message ?? ""}` : n.status}
                      {n.visits > 1 && <span className="muted"> ×{n.visits}</span>}
                    </td>
                    <td>
                      {n.backend ?? "—"}
                      {n.backend && simulated.has(n.backend) && <span className="badge badge-sim">simulated</span>}
                    </td>
                    <td>{n.durationMs !== undefined ? `${n.durationMs} ms` : ""}</td>
                    <td>{n.branch ?? ""}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        {run.decisions.length + run.iterations.length > 0 && (
          <ul className="decisions" aria-label="Decisions">
            {run.decisions.map((d, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: events are ordered and never reordered
              <li key={`d${i}`}>
                <code>{d.nodeId}</code> → <strong>{d.branch}</strong>: {d.reason}
              </li>
            ))}
            {run.iterations.map((it, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: events are ordered and never reordered
              <li key={`i${i}`}>
                <code>{it.nodeId}</code> attempt {it.attempt}/{it.maxAttempts}: score {it.score} → <strong>{it.branch}</strong>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
