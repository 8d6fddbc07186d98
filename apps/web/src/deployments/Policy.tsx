import { useEffect, useState } from "react";
import { api } from "../api/client.js";
import type { DatasetSummary } from "../experiments/state.js";
import { act, useDeployments } from "./state.js";

/** The pipeline's deployment policy as a form; the server checks it and names a bad field. */
export function Policy() {
  const p = useDeployments((s) => s.policy);
  const pipelineId = useDeployments((s) => s.pipelineId);
  if (!p) return null;
  return <PolicyForm key={JSON.stringify(p)} pipelineId={pipelineId} initial={p} />;
}

function PolicyForm({ pipelineId, initial }: { pipelineId: string; initial: NonNullable<ReturnType<typeof useDeployments.getState>["policy"]> }) {
  const [enabled, setEnabled] = useState(initial.enabled);
  const [canary, setCanary] = useState(String(initial.canaryPercent));
  const [autoPromote, setAutoPromote] = useState(initial.autoPromote);
  const [rollback, setRollback] = useState(initial.rollbackOnDegrade);
  const [manual, setManual] = useState(initial.manualApprovalRequired);
  const [minSamples, setMinSamples] = useState(String(initial.minSamples));
  const [gates, setGates] = useState(initial.gates.join("\n"));
  const [datasetId, setDatasetId] = useState(initial.datasetId ?? "");
  const [per1k, setPer1k] = useState(initial.budget?.usdPer1kRuns === undefined ? "" : String(initial.budget.usdPer1kRuns));
  const [perDay, setPerDay] = useState(initial.budget?.usdPerDay === undefined ? "" : String(initial.budget.usdPerDay));
  const [latency, setLatency] = useState(initial.latencyTargetMs === undefined ? "" : String(initial.latencyTargetMs));
  const [sample, setSample] = useState(String(Math.round(initial.onlineSample * 100)));
  const [datasets, setDatasets] = useState<DatasetSummary[]>([]);
  useEffect(() => {
    api.datasets.list.query().then(setDatasets, () => setDatasets([]));
  }, []);
  // An empty field is "not set"; anything else goes to the server as a number, which names a bad one.
  const optional = (v: string) => (v.trim() === "" ? undefined : Number(v));
  const save = () => {
    const { datasetId: _d, budget: _b, latencyTargetMs: _l, ...rest } = initial;
    const budget = { usdPer1kRuns: optional(per1k), usdPerDay: optional(perDay) };
    return act("Policy saved.", () =>
      api.deployments.setPolicy.mutate({
        pipelineId,
        policy: {
          ...rest,
          ...(datasetId ? { datasetId } : {}),
          ...(budget.usdPer1kRuns !== undefined || budget.usdPerDay !== undefined ? { budget } : {}),
          ...(optional(latency) !== undefined ? { latencyTargetMs: optional(latency) } : {}),
          onlineSample: Number(sample) / 100,
          enabled,
          canaryPercent: Number(canary),
          autoPromote,
          rollbackOnDegrade: rollback,
          manualApprovalRequired: manual,
          minSamples: Number(minSamples),
          gates: gates
            .split("\n")
            .map((g) => g.trim())
            .filter(Boolean),
        },
      }),
    );
  };
  return (
    <section className="page-card" aria-labelledby="dp-policy">
      <h2 id="dp-policy">Policy</h2>
      <div className="ex-form">
        <label className="ex-check">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Enabled
        </label>
        <label>
          Canary percent
          <input type="number" min={0} max={100} value={canary} onChange={(e) => setCanary(e.target.value)} />
        </label>
        <label className="ex-check">
          <input type="checkbox" checked={autoPromote} onChange={(e) => setAutoPromote(e.target.checked)} /> Promote automatically
        </label>
        <label className="ex-check">
          <input type="checkbox" checked={manual} onChange={(e) => setManual(e.target.checked)} /> Approval required
        </label>
        <label className="ex-check">
          <input type="checkbox" checked={rollback} onChange={(e) => setRollback(e.target.checked)} /> Roll back on degrade
        </label>
        <label>
          Minimum samples
          <input type="number" min={1} value={minSamples} onChange={(e) => setMinSamples(e.target.value)} />
        </label>
        <label>
          Online llm-rubric share (%)
          <input type="number" min={0} max={100} value={sample} onChange={(e) => setSample(e.target.value)} />
        </label>
        <label>
          Budget, USD per 1,000 runs
          <input type="number" min={0} step="any" value={per1k} onChange={(e) => setPer1k(e.target.value)} placeholder="none" />
        </label>
        <label>
          Budget, USD per day
          <input type="number" min={0} step="any" value={perDay} onChange={(e) => setPerDay(e.target.value)} placeholder="none" />
        </label>
        <label>
          Latency target, p95 ms
          <input type="number" min={1} value={latency} onChange={(e) => setLatency(e.target.value)} placeholder="none" />
        </label>
        <label>
          Dataset for suggestions
          <select value={datasetId} onChange={(e) => setDatasetId(e.target.value)}>
            <option value="">none</option>
            {datasets.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
            {datasetId && !datasets.some((d) => d.id === datasetId) && <option value={datasetId}>{datasetId}</option>}
          </select>
        </label>
      </div>
      <label className="ex-block">
        Gates over live metrics (one per line)
        <textarea rows={3} value={gates} onChange={(e) => setGates(e.target.value)} placeholder="errorRate <= 0.05" spellCheck={false} />
      </label>
      <button type="button" className="primary" onClick={() => void save()}>
        Save policy
      </button>
    </section>
  );
}
