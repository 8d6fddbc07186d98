/**
 * Suggestions that need experiments before they exist. A trial saves the versions to measure and
 * starts their experiments over the policy's dataset; a later optimizer cycle reads them back
 * (`advanceTrial`) and either offers one version as a suggestion, with the figures as evidence,
 * or records why nothing was worth suggesting.
 *
 * - Pruning (ablation): live and one version per removable node, judged on the pipeline's output
 *   evaluators (a removed critique cannot pass `critique-pass`, so that evaluator sits out on
 *   both sides). A removal is offered when its score is not significantly worse (95 % paired
 *   bootstrap) and it is significantly cheaper or faster; the largest saving wins.
 * - Learned routing: one version per branch with the route forced onto it; the thresholds are
 *   fitted on their outcomes (routing.ts), saved as a version, and that version gets its own
 *   experiment against live's.
 */
import { type BackendConfig, type Pipeline, type Registry, type RecordResult, compareExperiments } from "@braid/engine";
import { resolveEvaluators } from "../eval/experiment-checks.js";
import type { RunStore } from "../store/runs.js";
import type { Trial } from "../store/trials.js";
import { ablations } from "./prune.js";
import { type ComplexityRoute, branchesToTry, complexityRoutes, fitThresholds, forceBranch, type RoutingRecord, withThresholds } from "./routing.js";
import { type SuggestDeps, busyWith, offer, saveVersion, startExperiment } from "./suggest.js";

export interface TrialDeps extends SuggestDeps {
  registry: Registry;
  backends: () => readonly BackendConfig[];
  runs: Pick<RunStore, "events">;
}

export interface TrialRequest {
  pipelineId: string;
  liveVersion: number;
  live: Pipeline;
  datasetId: string;
  reason: string;
  /** Learned routing: the route to fit (default: the first complexity route). */
  route?: string;
  /** Learned routing: how far below live's score the fitted thresholds may go (default 0). */
  maxScoreDrop?: number;
}

export interface TrialStart {
  trialId?: string;
  experiments?: string[];
  skipped?: string;
}

/** At most this many ablations per trial, dearest first: each is an experiment over the whole dataset. */
export const MAX_ABLATIONS = 3;

type Ablated = { node: string; kind: string; removes: string[]; version: number; experiment: string };
type PruneSpec = { datasetId: string; reason: string; baseline: string; ablations: Ablated[] };
type RoutingSpec = {
  datasetId: string;
  reason: string;
  baseline: string;
  route: ComplexityRoute;
  maxScoreDrop: number;
  forced: Record<string, { version: number; experiment: string }>;
};

const tryStart = async (f: () => Promise<TrialStart>): Promise<TrialStart> => {
  try {
    return await f();
  } catch (err) {
    return { skipped: `the trial could not start: ${(err as Error).message}` };
  }
};

export async function startPruneTrial(deps: TrialDeps, req: TrialRequest): Promise<TrialStart> {
  const busy = await busyWith(deps, req.pipelineId);
  if (busy) return { skipped: busy };
  const { candidates, skipped } = ablations(req.live, deps.registry, deps.backends());
  if (candidates.length === 0) {
    const why = Object.entries(skipped).map(([n, w]) => `"${n}": ${w}`);
    return { skipped: `no node can be removed${why.length > 0 ? ` (${why.join("; ")})` : ""}` };
  }
  let evaluators: unknown[];
  try {
    evaluators = resolveEvaluators(req.live, undefined, true).evaluators.filter((e) => e.type !== "critique-pass");
  } catch (err) {
    return { skipped: `no experiment can judge it: ${(err as Error).message}` };
  }
  if (evaluators.length === 0) return { skipped: "no output evaluator to judge a removal by (critique-pass cannot judge a removed critique)" };
  return tryStart(async () => {
    const { pipelineId, liveVersion, datasetId } = req;
    const baseline = await startExperiment(deps, pipelineId, liveVersion, datasetId, `${pipelineId} v${liveVersion} (live, ablation baseline)`, evaluators);
    const tried: Ablated[] = [];
    for (const c of candidates.slice(0, MAX_ABLATIONS)) {
      const also = c.removes.filter((r) => r !== c.node);
      const version = await saveVersion(
        deps,
        pipelineId,
        liveVersion,
        c.pipeline,
        `trial: without ${c.kind === "critique" ? "critique" : "stage"} "${c.node}"${also.length > 0 ? ` (and ${also.join(", ")})` : ""}`,
      );
      const experiment = await startExperiment(deps, pipelineId, version, datasetId, `${pipelineId} v${version} (without ${c.node})`, evaluators);
      tried.push({ node: c.node, kind: c.kind, removes: c.removes, version, experiment });
    }
    const spec: PruneSpec = { datasetId, reason: req.reason, baseline, ablations: tried };
    const trial = await deps.trials.add({ pipelineId, type: "prune", liveVersion, spec });
    return { trialId: trial.id, experiments: [baseline, ...tried.map((t) => t.experiment)] };
  });
}

export async function startRoutingTrial(deps: TrialDeps, req: TrialRequest): Promise<TrialStart> {
  const busy = await busyWith(deps, req.pipelineId);
  if (busy) return { skipped: busy };
  const routes = complexityRoutes(req.live);
  const route = req.route === undefined ? routes[0] : routes.find((r) => r.node === req.route);
  if (!route)
    return {
      skipped:
        req.route === undefined ? "no complexity route with thresholds (upTo) to fit" : `"${req.route}" is not a complexity route with thresholds (upTo)`,
    };
  try {
    resolveEvaluators(req.live, undefined, true);
  } catch (err) {
    return { skipped: `no experiment can judge it: ${(err as Error).message}` };
  }
  return tryStart(async () => {
    const { pipelineId, liveVersion, datasetId } = req;
    const baseline = await startExperiment(deps, pipelineId, liveVersion, datasetId, `${pipelineId} v${liveVersion} (live, routing baseline)`);
    const forced: RoutingSpec["forced"] = {};
    for (const b of branchesToTry(route)) {
      const version = await saveVersion(
        deps,
        pipelineId,
        liveVersion,
        forceBranch(req.live, route.node, b),
        `trial: route "${route.node}" always takes "${b}"`,
      );
      forced[b] = { version, experiment: await startExperiment(deps, pipelineId, version, datasetId, `${pipelineId} v${version} (${route.node} → ${b})`) };
    }
    const spec: RoutingSpec = { datasetId, reason: req.reason, baseline, route, maxScoreDrop: req.maxScoreDrop ?? 0, forced };
    const trial = await deps.trials.add({ pipelineId, type: "routing", liveVersion, spec });
    return { trialId: trial.id, experiments: [baseline, ...Object.values(forced).map((f) => f.experiment)] };
  });
}

export interface TrialProgress {
  trialId: string;
  type: Trial["type"];
  status: Trial["status"];
  /** Experiments completed of those the trial waits for. */
  done?: number;
  total?: number;
  reason?: string;
  actionId?: string;
  version?: number;
}

const experimentIds = (t: Trial): string[] =>
  t.type === "prune"
    ? [(t.spec as PruneSpec).baseline, ...(t.spec as PruneSpec).ablations.map((a) => a.experiment)]
    : [(t.spec as RoutingSpec).baseline, ...Object.values((t.spec as RoutingSpec).forced).map((f) => f.experiment)];

async function resultsOf(deps: TrialDeps, id: string): Promise<RecordResult[]> {
  return (await deps.experiments.rows(id)).map((r) => r.result).filter((r): r is RecordResult => r !== undefined);
}

/** Reads a measuring trial's experiments; once all are complete, offers its suggestion or says why there is none. */
export async function advanceTrial(deps: TrialDeps, trial: Trial, applyAtOnce: boolean): Promise<TrialProgress> {
  const head = { trialId: trial.id, type: trial.type };
  const ids = experimentIds(trial);
  const exps = await Promise.all(ids.map(async (id) => ({ id, e: await deps.experiments.get(id) })));
  const broken = exps.find((x) => !x.e || ["failed", "cancelled", "interrupted"].includes(x.e.status));
  if (broken) {
    const reason = `experiment ${broken.id} is ${broken.e?.status ?? "missing"}; start the trial again`;
    await deps.trials.finish(trial.id, "failed", { reason });
    return { ...head, status: "failed", reason };
  }
  const done = exps.filter((x) => x.e?.status === "completed").length;
  if (done < ids.length) return { ...head, status: "measuring", done, total: ids.length };
  const busy = (await deps.deployments.tags(trial.pipelineId)).candidate;
  if (busy !== undefined) return { ...head, status: "measuring", done, total: ids.length, reason: `waits: candidate v${busy} is being tried` };
  return trial.type === "prune" ? finishPrune(deps, trial, applyAtOnce) : finishRouting(deps, trial, applyAtOnce);
}

const figure = (m: { candidate: number; baseline: number; delta: number; ci: [number, number]; verdict: string } | undefined) =>
  m ? { candidate: m.candidate, baseline: m.baseline, delta: m.delta, ci: m.ci, verdict: m.verdict } : undefined;

async function finishPrune(deps: TrialDeps, trial: Trial, applyAtOnce: boolean): Promise<TrialProgress> {
  const spec = trial.spec as PruneSpec;
  const base = await resultsOf(deps, spec.baseline);
  const seed = (await deps.experiments.get(spec.baseline))?.spec.seed;
  const judged = await Promise.all(
    spec.ablations.map(async (a) => {
      const cmp = compareExperiments(await resultsOf(deps, a.experiment), base, seed !== undefined ? { seed } : {});
      const by = (name: string) => figure(cmp.metrics.find((m) => m.metric === name));
      const score = by("score");
      const costPer1k = by("costPer1k");
      const p50LatencyMs = by("p50LatencyMs");
      const saves = costPer1k?.verdict === "better" || p50LatencyMs?.verdict === "better";
      const accepted = score !== undefined && score.verdict !== "worse" && saves;
      const why = score?.verdict === "worse" ? "lowers the score significantly" : saves ? "keeps the score and saves" : "saves nothing significant";
      // Relative savings, so a cost cut and a latency cut can be weighed together.
      const saving = (m: typeof costPer1k) => (m && m.baseline > 0 ? -m.delta / m.baseline : 0);
      return { ...a, score, costPer1k, p50LatencyMs, accepted, why, saving: saving(costPer1k) + saving(p50LatencyMs) };
    }),
  );
  const chosen = judged.filter((j) => j.accepted).sort((a, b) => b.saving - a.saving)[0];
  const ablationsEvidence = judged.map(({ saving: _, ...j }) => j);
  if (!chosen) {
    const reason = `no removal keeps the score and saves cost or latency: ${judged.map((j) => `"${j.node}" ${j.why}`).join("; ")}`;
    await deps.trials.finish(trial.id, "nothing-found", { reason, ablations: ablationsEvidence });
    return { trialId: trial.id, type: trial.type, status: "nothing-found", reason };
  }
  const pct = (m: typeof chosen.costPer1k) => (m && m.baseline > 0 ? `${Math.round((-m.delta / m.baseline) * 100)} %` : "0 %");
  const reason = `${spec.reason}; removing ${chosen.kind} "${chosen.node}" keeps the score (Δ ${chosen.score?.delta.toFixed(3)}, ${chosen.score?.verdict}) and saves ${pct(chosen.costPer1k)} of the cost, ${pct(chosen.p50LatencyMs)} of the p50 latency`;
  const evidence = {
    liveVersion: trial.liveVersion,
    trialId: trial.id,
    datasetId: spec.datasetId,
    suggestion: { type: "prune", node: chosen.node, kind: chosen.kind, removes: chosen.removes },
    experiments: { baseline: spec.baseline, candidate: chosen.experiment },
    comparison: { score: chosen.score, costPer1k: chosen.costPer1k, p50LatencyMs: chosen.p50LatencyMs },
    ablations: ablationsEvidence,
  };
  const actionId = await offer(deps, { pipelineId: trial.pipelineId, version: chosen.version, reason, evidence, applyAtOnce });
  await deps.trials.finish(trial.id, "suggested", { reason, actionId, version: chosen.version, ablations: ablationsEvidence });
  return { trialId: trial.id, type: trial.type, status: "suggested", reason, actionId, version: chosen.version };
}

/** The route's complexity in a run: the `score` of the route's first finished execution. */
async function complexityIn(deps: TrialDeps, runId: string | undefined, node: string): Promise<number | undefined> {
  if (!runId) return undefined;
  for (const { event } of await deps.runs.events(runId))
    if (event.type === "node_finished" && event.nodeId === node) {
      const s = (event.output as { score?: unknown } | undefined)?.score;
      return typeof s === "number" ? s : undefined;
    }
  return undefined;
}

async function finishRouting(deps: TrialDeps, trial: Trial, applyAtOnce: boolean): Promise<TrialProgress> {
  const spec = trial.spec as RoutingSpec;
  const { route } = spec;
  const rows = Object.fromEntries(
    await Promise.all(Object.entries(spec.forced).map(async ([b, f]) => [b, await deps.experiments.rows(f.experiment)] as const)),
  );
  const anchor = rows[route.default] ?? [];
  const records: RoutingRecord[] = await Promise.all(
    anchor.map(async (row, i) => {
      const byBranch: RoutingRecord["byBranch"] = {};
      for (const [b, rs] of Object.entries(rows)) {
        const r = rs[i]?.result;
        if (r) byBranch[b] = { score: r.score, costUsd: r.usage.costUsd, durationMs: r.durationMs };
      }
      const complexity = await complexityIn(deps, row.runId, route.node);
      return complexity === undefined ? { byBranch } : { complexity, byBranch };
    }),
  );
  const fit = fitThresholds(route, records, spec.maxScoreDrop);
  const predicted = { before: fit.before, after: fit.after };
  if (fit.unchanged) {
    await deps.trials.finish(trial.id, "nothing-found", { reason: fit.unchanged, predicted });
    return { trialId: trial.id, type: trial.type, status: "nothing-found", reason: fit.unchanged };
  }
  const live = await deps.pipelines.get(trial.pipelineId, trial.liveVersion);
  if (!live) {
    const reason = `version ${trial.liveVersion} is gone`;
    await deps.trials.finish(trial.id, "failed", { reason });
    return { trialId: trial.id, type: trial.type, status: "failed", reason };
  }
  const show = (t: Record<string, number>) => route.thresholdBranches.map((b) => `${b} ≤ ${t[b] ?? "off"}`).join(", ");
  const message = `suggestion: route "${route.node}" thresholds ${show(fit.after.thresholds)} (were ${show(route.thresholds)})`;
  const version = await saveVersion(deps, trial.pipelineId, trial.liveVersion, withThresholds(live.pipeline, route.node, fit.after.thresholds), message);
  const candidate = await startExperiment(deps, trial.pipelineId, version, spec.datasetId, `${trial.pipelineId} v${version} (fitted routing)`);
  const ratio = fit.before.scorePerDollar > 0 ? fit.after.scorePerDollar / fit.before.scorePerDollar : Number.POSITIVE_INFINITY;
  const reason = `${spec.reason}; fitted thresholds of route "${route.node}" predict score ${fit.after.score.toFixed(3)} (was ${fit.before.score.toFixed(3)}) at ${fit.after.costPer1k.toPrecision(3)} USD per 1,000 runs (was ${fit.before.costPer1k.toPrecision(3)}): ${ratio.toFixed(2)}× the score per dollar`;
  const evidence = {
    liveVersion: trial.liveVersion,
    trialId: trial.id,
    datasetId: spec.datasetId,
    suggestion: { type: "learned-routing", route: route.node, from: route.thresholds, to: fit.after.thresholds },
    experiments: { baseline: spec.baseline, candidate },
    predicted,
  };
  const actionId = await offer(deps, { pipelineId: trial.pipelineId, version, reason, evidence, applyAtOnce });
  await deps.trials.finish(trial.id, "suggested", { reason, actionId, version, predicted });
  return { trialId: trial.id, type: trial.type, status: "suggested", reason, actionId, version };
}
