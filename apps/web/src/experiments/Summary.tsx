import type { GateResult } from "@braid/core";
import { useEffect, useState } from "react";
import { api } from "../api/client.js";
import { openRun } from "../trace/actions.js";
import { BarFigure } from "./Charts.js";
import { chartData } from "./derive.js";
import { brief, gateText, ms, num, pct, usd } from "./format.js";
import { closeExperimentsPage } from "./route.js";
import { cancelExperiment, resumeExperiment, useExperiments } from "./state.js";

/** Opens a record's stored run in the designer's trace view (its own graph and events). */
export function openRecordRun(runId: string): void {
  closeExperimentsPage();
  openRun(runId);
}

/**
 * Whether the experiment's runs answer from simulated backends: its `backend` override, else the
 * backends its pipeline version's nodes name. The simulated backends are always labelled so.
 */
function useSimulated(e: { pipelineId: string; pipelineVersion: number; spec: { backend?: string } } | null): boolean {
  const [simulated, setSimulated] = useState(false);
  const key = e ? `${e.pipelineId}@${e.pipelineVersion}:${e.spec.backend ?? ""}` : "";
  // biome-ignore lint/correctness/useExhaustiveDependencies: key names everything read from e
  useEffect(() => {
    if (!e) return;
    let live = true;
    Promise.all([
      api.backends.list.query(),
      e.spec.backend ? Promise.resolve(undefined) : api.pipelines.get.query({ id: e.pipelineId, version: e.pipelineVersion }),
    ])
      .then(([backends, saved]) => {
        const sim = new Set(backends.filter((b) => b.simulated).map((b) => b.name));
        const used = e.spec.backend ? [e.spec.backend] : (saved?.pipeline.nodes ?? []).map((n) => (n.config as { backend?: unknown } | undefined)?.backend);
        if (live) setSimulated(used.some((b) => typeof b === "string" && sim.has(b)));
      })
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [key]);
  return simulated;
}

/** The experiment on show: live progress, metrics, gate verdicts, four charts and every record's verdicts. */
export function Summary() {
  const e = useExperiments((s) => s.current);
  const rows = useExperiments((s) => s.rows);
  const gateCheck = useExperiments((s) => s.gateCheck);
  const simulated = useSimulated(e);
  if (!e) {
    return (
      <section className="page-card" aria-labelledby="ex-summary">
        <h2 id="ex-summary">Experiment</h2>
        <p className="hint">Start an experiment, or open one from the list, to see its progress, metrics, gates and records here.</p>
      </section>
    );
  }
  const m = e.metrics;
  const results = rows.flatMap((r) => (r.result ? [r.result] : []));
  const charts = m ? chartData(results, m.passRates) : undefined;
  const gates: GateResult[] = [...(e.gates ?? []), ...(gateCheck?.gates ?? [])];
  const percentDone = e.total > 0 ? Math.round((e.done / e.total) * 100) : 0;
  return (
    <section className="page-card" aria-labelledby="ex-summary">
      <div className="ex-row ex-spread">
        <h2 id="ex-summary">
          Experiment {e.name} {simulated && <span className="badge badge-sim">simulated</span>}
        </h2>
        <span role="status" aria-label="Experiment status" className={`status-pill ${e.status}`}>
          {e.status}
        </span>
      </div>
      <p className="hint">
        {e.pipelineId} v{e.pipelineVersion} over dataset {e.datasetId} v{e.datasetVersion} · {e.spec.evaluators.length} evaluator
        {e.spec.evaluators.length === 1 ? "" : "s"} · seed {e.spec.seed} · concurrency {e.spec.concurrency}
        {e.spec.backend ? ` · every node on ${e.spec.backend}` : ""}
      </p>
      <div className="ex-row">
        <progress aria-label="Records evaluated" max={e.total} value={e.done} />
        <span>
          {e.done} / {e.total} records ({percentDone} %)
        </span>
        {e.status === "running" && (
          <button type="button" className="small danger" onClick={() => void cancelExperiment(e.id)}>
            Cancel experiment
          </button>
        )}
        {(e.status === "cancelled" || e.status === "interrupted") && (
          <button type="button" className="small" onClick={() => void resumeExperiment(e.id)}>
            Resume experiment
          </button>
        )}
      </div>
      {e.error && (
        <p role="alert" className="page-message error">
          <code>{e.error.code}</code> {e.error.message}
        </p>
      )}
      {m && (
        <dl className="ex-metrics" aria-label="Metrics">
          <Metric label="Score" value={num(m.score)} />
          <Metric label="Pass rate" value={pct(m.passRate)} />
          <Metric label="Error rate" value={pct(m.errorRate)} />
          <Metric label="Latency p50 / p95" value={`${ms(m.p50LatencyMs)} / ${ms(m.p95LatencyMs)}`} />
          <Metric label="Tokens per 1,000" value={Math.round(m.tokensPer1k).toLocaleString("en-US")} />
          <Metric label="Cost per 1,000" value={usd(m.costPer1k)} />
        </dl>
      )}
      {gates.length > 0 && (
        <ul className="ex-gates" aria-label="Gates">
          {gates.map((g, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the same gate may be given twice
            <li key={i} className={g.passed ? "pass" : "fail"}>
              {g.passed ? "✓" : "✗"} {gateText(g)}
            </li>
          ))}
        </ul>
      )}
      {charts && (
        <div className="ex-charts">
          <BarFigure title="Score distribution" data={charts.score} unit="records" />
          <BarFigure title="Latency histogram" data={charts.latency} unit="records" />
          <BarFigure title="Cost per record" data={charts.cost} unit="records" />
          <BarFigure title="Pass rate per evaluator" data={charts.pass} unit="% passed" fmt={(v) => `${v} %`} />
        </div>
      )}
      {rows.length > 0 && <Records />}
    </section>
  );
}

function Metric({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

/** Every record: its score, each evaluator's verdict (the reason on hover and for screen readers), its output and its run. */
function Records() {
  const rows = useExperiments((s) => s.rows);
  return (
    <div className="ex-scroll">
      <table className="ex-table" aria-label="Records">
        <thead>
          <tr>
            <th>#</th>
            <th>Run</th>
            <th>Score</th>
            <th>Verdicts</th>
            <th>Output</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.index} className={r.result?.error ? "error" : r.result?.pass === false ? "fail" : undefined}>
              <td>{r.index + 1}</td>
              <td>
                {r.runId ? (
                  <button type="button" className="link" onClick={() => openRecordRun(r.runId as string)} aria-label={`Open the run of record ${r.index + 1}`}>
                    {r.result?.status ?? "running"}
                  </button>
                ) : (
                  "—"
                )}
              </td>
              <td>{r.result ? num(r.result.score) : "—"}</td>
              <td>
                {r.result?.evaluations.map((v) => (
                  <span key={v.name} className={`ex-verdict ${v.error ? "error" : v.pass ? "pass" : "fail"}`} title={v.reason}>
                    {v.error ? "!" : v.pass ? "✓" : "✗"} {v.name}
                    <span className="sr-only">: {v.error ? `could not run (${v.error})` : v.reason}</span>
                  </span>
                ))}
              </td>
              <td>
                <code>{brief(r.result?.output)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
