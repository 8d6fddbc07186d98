import { api, describeError } from "../api/client.js";
import { pct } from "../experiments/format.js";
import { reload, useDeployments } from "./state.js";

type SuggestionType = "cheaper-backend" | "prune" | "routing";
const ASK: Array<{ type: SuggestionType; label: string }> = [
  { type: "cheaper-backend", label: "Suggest a cheaper backend" },
  { type: "prune", label: "Try pruning" },
  { type: "routing", label: "Fit routing thresholds" },
];

async function ask(pipelineId: string, type: SuggestionType): Promise<void> {
  const say = (kind: "info" | "error", text: string) => useDeployments.setState({ message: { kind, text } });
  try {
    const r = await api.deployments.optimizer.suggest.mutate({ pipelineId, type });
    if ("skipped" in r && r.skipped) say("info", `Nothing started: ${r.skipped}`);
    else if ("trialId" in r && r.trialId)
      say(
        "info",
        `Trial started: ${r.experiments?.length ?? 0} experiments over the dataset. A later cycle reads them back and offers a version, or says why not.`,
      );
    else if ("version" in r && r.version !== undefined) say("info", `Suggested version ${r.version}; it waits for approval below.`);
    await reload();
  } catch (err) {
    say("error", describeError(err).message);
  }
}

/** Asking for a suggestion, and the trials (experiments first) the optimizer is measuring or has read back. */
export function Suggestions() {
  const pipelineId = useDeployments((s) => s.pipelineId);
  const trials = useDeployments((s) => s.trials);
  const datasetId = useDeployments((s) => s.policy?.datasetId);
  return (
    <section className="page-card" aria-labelledby="dp-suggestions">
      <h2 id="dp-suggestions">Suggestions</h2>
      <p className="hint">
        Each suggestion is a new version plus experiments on the policy's dataset comparing it with live; it is tried as the candidate only after approval (or
        at once when the policy promotes without approval). Pruning and routing run their experiments first.
      </p>
      {!datasetId && <p className="hint">Set a dataset in the policy to try suggestions on.</p>}
      <div className="ex-row">
        {ASK.map((a) => (
          <button key={a.type} type="button" className="small" disabled={!datasetId} onClick={() => void ask(pipelineId, a.type)}>
            {a.label}
          </button>
        ))}
      </div>
      {trials.length > 0 && (
        <table className="ex-table" aria-label="Trials">
          <thead>
            <tr>
              <th>Trial</th>
              <th>Status</th>
              <th>What came of it</th>
            </tr>
          </thead>
          <tbody>
            {trials.map((t) => (
              <tr key={t.id}>
                <td>
                  {t.type === "prune" ? "pruning" : "learned routing"} on v{t.liveVersion}
                  <div className="hint">{new Date(t.createdAt).toLocaleTimeString()}</div>
                </td>
                <td>
                  <span className={`status-pill ${t.status === "measuring" ? "running" : t.status === "failed" ? "failed" : "completed"}`}>{t.status}</span>
                </td>
                <td>{t.status === "measuring" ? "experiments running; the next cycle reads them back" : String(t.result?.reason ?? "")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

type Delta = { candidate: number; baseline: number; delta: number; ci: [number, number]; verdict: string };
type Prediction = { thresholds: Record<string, number>; score: number; costPer1k: number; scorePerDollar: number; shares: Record<string, number> };

const num = (x: number, digits = 4) => (Number.isFinite(x) ? Number(x.toPrecision(digits)).toString() : "∞");
const thresholds = (t: Record<string, number>) =>
  Object.entries(t)
    .map(([b, v]) => `${b} ≤ ${v}`)
    .join(", ") || "none";

function ComparisonTable({ label, rows }: { label: string; rows: Array<[string, Delta | undefined]> }) {
  return (
    <table className="ex-table" aria-label={label}>
      <thead>
        <tr>
          <th>Metric</th>
          <th>Live</th>
          <th>Suggested</th>
          <th>Δ (95 % CI)</th>
          <th>Verdict</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([name, d]) =>
          d ? (
            <tr key={name}>
              <td>{name}</td>
              <td>{num(d.baseline)}</td>
              <td>{num(d.candidate)}</td>
              <td>
                {num(d.delta, 3)} ({num(d.ci[0], 3)} … {num(d.ci[1], 3)})
              </td>
              <td className={d.verdict === "worse" ? "fail" : ""}>
                <span className="ex-verdict">{d.verdict}</span>
              </td>
            </tr>
          ) : null,
        )}
      </tbody>
    </table>
  );
}

/** A pending suggestion's evidence, by type: what changes and the figures that argue for it. */
export function SuggestionEvidence({ evidence }: { evidence: Record<string, unknown> }) {
  const s = evidence.suggestion as Record<string, unknown> | undefined;
  const exps = evidence.experiments as { baseline: string; candidate: string } | undefined;
  if (!s) return null;
  const link = exps && (
    <a
      className="hint"
      href={`/api/experiments/compare?a=${encodeURIComponent(exps.candidate)}&b=${encodeURIComponent(exps.baseline)}`}
      target="_blank"
      rel="noreferrer"
    >
      experiments {exps.baseline} (live) and {exps.candidate} (suggested), compared
    </a>
  );
  if (s.type === "prune") {
    const c = evidence.comparison as Record<string, Delta | undefined>;
    return (
      <div className="ex-evidence">
        <div>
          Remove {String(s.kind)} <code>{String(s.node)}</code>
          {Array.isArray(s.removes) && s.removes.length > 1 ? ` (with ${s.removes.filter((r) => r !== s.node).join(", ")})` : ""}.
        </div>
        <ComparisonTable
          label={`Ablation of ${String(s.node)}`}
          rows={[
            ["score", c.score],
            ["cost per 1,000 runs (USD)", c.costPer1k],
            ["p50 latency (ms)", c.p50LatencyMs],
          ]}
        />
        {link}
      </div>
    );
  }
  if (s.type === "learned-routing") {
    const p = evidence.predicted as { before: Prediction; after: Prediction };
    const row = (name: string, b: string, a: string) => (
      <tr key={name}>
        <td>{name}</td>
        <td>{b}</td>
        <td>{a}</td>
      </tr>
    );
    const shares = (x: Prediction) =>
      Object.entries(x.shares)
        .map(([b, v]) => `${b} ${pct(v)}`)
        .join(", ");
    return (
      <div className="ex-evidence">
        <div>
          Route <code>{String(s.route)}</code>: thresholds {thresholds(p.before.thresholds)} → {thresholds(p.after.thresholds)}, fitted on one experiment per
          branch.
        </div>
        <table className="ex-table" aria-label={`Routing fit of ${String(s.route)}`}>
          <thead>
            <tr>
              <th>On the dataset</th>
              <th>Live</th>
              <th>Fitted</th>
            </tr>
          </thead>
          <tbody>
            {row("score", num(p.before.score), num(p.after.score))}
            {row("cost per 1,000 runs (USD)", num(p.before.costPer1k), num(p.after.costPer1k))}
            {row("score per dollar", num(p.before.scorePerDollar), num(p.after.scorePerDollar))}
            {row("traffic by branch", shares(p.before), shares(p.after))}
          </tbody>
        </table>
        {link}
      </div>
    );
  }
  if (s.type === "cheaper-backend")
    return (
      <div className="ex-evidence">
        <div>
          Node <code>{String(s.node)}</code> on <code>{String(s.to)}</code> instead of <code>{String(s.from)}</code> (USD {num(Number(s.toPrice))} instead of{" "}
          {num(Number(s.fromPrice))} per 1,000 input + 1,000 output tokens).
        </div>
        {link}
      </div>
    );
  return null;
}
