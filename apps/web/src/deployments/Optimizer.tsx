import { api } from "../api/client.js";
import { act, useDeployments } from "./state.js";

/** The optimizer: running or stopped (the kill switch), a cycle on demand, and what recent cycles decided and why. */
export function Optimizer() {
  const status = useDeployments((s) => s.status);
  const cycles = useDeployments((s) => s.cycles);
  if (!status) return null;
  return (
    <section className="page-card" aria-labelledby="dp-optimizer">
      <div className="ex-row ex-spread">
        <h2 id="dp-optimizer">Optimizer</h2>
        <span role="status" aria-label="Optimizer status" className={`status-pill ${status.running ? "completed" : "cancelled"}`}>
          {status.running ? "running" : "stopped"}
        </span>
      </div>
      <p className="hint">
        A cycle every {Math.round(status.intervalMs / 60000)} min{status.intervalMs === 0 ? " (on demand only)" : ""}; {status.pendingActions} waiting for
        approval. Stopped, cycles still measure but take no action, and live traffic keeps flowing.
      </p>
      <div className="ex-row">
        <button type="button" className="small primary" onClick={() => void act("Cycle done.", () => api.deployments.optimizer.trigger.mutate())}>
          Run a cycle now
        </button>
        {status.running ? (
          <button
            type="button"
            className="small danger"
            onClick={() => void act("Optimizer stopped: no automatic action runs.", () => api.deployments.optimizer.stop.mutate({}))}
          >
            Stop the optimizer
          </button>
        ) : (
          <button type="button" className="small" onClick={() => void act("Optimizer started.", () => api.deployments.optimizer.start.mutate({}))}>
            Start the optimizer
          </button>
        )}
      </div>
      {cycles.length > 0 && (
        <ol className="ex-list" aria-label="Recent cycles">
          {cycles.map((c) => (
            <li key={c.id}>
              <strong>
                Cycle {c.id} · {new Date(c.at).toLocaleTimeString()}
              </strong>{" "}
              <span className="hint">
                ({c.trigger}
                {c.stopped ? "; optimizer stopped: no action" : ""})
              </span>
              {c.pipelines.length === 0 ? (
                <div className="hint">No pipeline has an enabled policy.</div>
              ) : (
                c.pipelines.map((p) => (
                  <div key={p.pipelineId}>
                    {p.pipelineId}: <code>{p.decision.action}</code> — {p.decision.reason}
                    {p.trials?.map((t) => (
                      <div key={t.trialId} className="hint">
                        {t.type} trial: {t.status}
                        {t.status === "measuring" && t.total !== undefined ? ` (${t.done} of ${t.total} experiments done)` : ""}
                        {t.reason ? ` — ${t.reason}` : ""}
                      </div>
                    ))}
                    {p.trialStarted && (
                      <div className="hint">
                        started a {p.trialStarted.type} trial ({p.trialStarted.reason})
                        {p.trialStarted.skipped ? `: not started, ${p.trialStarted.skipped}` : ""}
                      </div>
                    )}
                  </div>
                ))
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
