import { useState } from "react";
import { api } from "../api/client.js";
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
  const save = () =>
    act("Policy saved.", () =>
      api.deployments.setPolicy.mutate({
        pipelineId,
        policy: {
          ...initial,
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
