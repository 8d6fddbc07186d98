/**
 * Live metrics of one pipeline version over a rolling window of its finished REST runs (the last
 * `runs` runs, none older than `ms`). Computed from the runs table, critique events and the online
 * evaluators' stored results, so every figure can be traced back to stored runs.
 */
import { percentile } from "@braid/engine";
import type { CritiqueVerdict, DeploymentStore, LiveRunRow, OnlineScore } from "../store/deployments.js";

export interface MetricsWindow {
  /** At most this many most recent runs. */
  runs: number;
  /** No run that finished longer ago than this. */
  ms: number;
}

export interface LiveMetrics {
  version: number;
  /** Finished runs in the window (completed + failed). */
  runs: number;
  failed: number;
  errorRate: number;
  p50LatencyMs: number;
  p95LatencyMs: number;
  meanLatencyMs: number;
  /** USD per 1,000 runs, at the window's mean cost per run. */
  costPer1k: number;
  /** Share of runs with a critique verdict in which every critique passed; absent when no critique ran. */
  critiquePassRate?: number;
  critiqueRuns: number;
  /**
   * Mean over the evaluated runs of each run's weighted score (the experiments' `score`: a failed run
   * scores 0); absent when no online evaluator scored a run in the window.
   */
  score?: number;
  /** Per evaluator name: the share of its online results that passed (`passRate("name")` in gates). */
  passRates: Record<string, number>;
  /** Runs in the window with at least one online result. */
  onlineRuns: number;
  /** Online results that could not be had (a judge that failed): stored, and left out of `score` and `passRates`. */
  onlineErrors: number;
  window: MetricsWindow & { since: number; until: number };
}

/** The metrics of the given runs; an empty window has zeros (and no critique pass rate or score). */
export function computeLiveMetrics(
  version: number,
  runs: readonly LiveRunRow[],
  verdicts: readonly CritiqueVerdict[],
  window: LiveMetrics["window"],
  online: readonly OnlineScore[] = [],
): LiveMetrics {
  const n = runs.length;
  const failed = runs.filter((r) => r.status === "failed").length;
  const latencies = runs.flatMap((r) => (r.startedAt !== undefined ? [r.finishedAt - r.startedAt] : []));
  const cost = runs.reduce((t, r) => t + r.costUsd, 0);
  const byRun = new Map<string, boolean>();
  for (const v of verdicts) byRun.set(v.runId, (byRun.get(v.runId) ?? true) && v.passed && !v.exhausted);
  const m: LiveMetrics = {
    version,
    runs: n,
    failed,
    errorRate: n > 0 ? failed / n : 0,
    p50LatencyMs: latencies.length > 0 ? percentile(latencies, 0.5) : 0,
    p95LatencyMs: latencies.length > 0 ? percentile(latencies, 0.95) : 0,
    meanLatencyMs: latencies.length > 0 ? latencies.reduce((a, b) => a + b, 0) / latencies.length : 0,
    costPer1k: n > 0 ? (cost / n) * 1000 : 0,
    critiqueRuns: byRun.size,
    ...onlineFigures(runs, online),
    window,
  };
  if (byRun.size > 0) m.critiquePassRate = [...byRun.values()].filter(Boolean).length / byRun.size;
  return m;
}

/**
 * The online figures of the window's runs. An evaluator that could not run is no evidence either
 * way (a judge outage must not roll a version back), so errors are counted apart; a gate on a figure
 * nothing fed stays "could not be evaluated".
 */
function onlineFigures(runs: readonly LiveRunRow[], online: readonly OnlineScore[]): Pick<LiveMetrics, "score" | "passRates" | "onlineRuns" | "onlineErrors"> {
  const inWindow = new Set(runs.map((r) => r.id));
  const perRun = new Map<string, { sum: number; weight: number; scores: number[] }>();
  const perEvaluator = new Map<string, { pass: number; n: number }>();
  const evaluated = new Set<string>();
  let errors = 0;
  for (const s of online) {
    if (!inWindow.has(s.runId)) continue;
    evaluated.add(s.runId);
    if (s.error !== undefined) {
      errors++;
      continue;
    }
    const r = perRun.get(s.runId) ?? { sum: 0, weight: 0, scores: [] };
    r.sum += s.weight * s.score;
    r.weight += s.weight;
    r.scores.push(s.score);
    perRun.set(s.runId, r);
    const e = perEvaluator.get(s.evaluator) ?? { pass: 0, n: 0 };
    e.n++;
    if (s.pass) e.pass++;
    perEvaluator.set(s.evaluator, e);
  }
  // As scoreRecord: weighted, and a plain mean when every weight is 0.
  const runScores = [...perRun.values()].map((r) => (r.weight > 0 ? r.sum / r.weight : r.scores.reduce((a, b) => a + b, 0) / r.scores.length));
  const passRates = Object.fromEntries([...perEvaluator].map(([name, e]) => [name, e.pass / e.n]));
  return {
    ...(runScores.length > 0 ? { score: runScores.reduce((a, b) => a + b, 0) / runScores.length } : {}),
    passRates,
    onlineRuns: evaluated.size,
    onlineErrors: errors,
  };
}

/** Reads one version's window from the store and computes its metrics. */
export async function measure(store: DeploymentStore, pipelineId: string, version: number, window: MetricsWindow, now: number): Promise<LiveMetrics> {
  const since = now - window.ms;
  const runs = await store.liveRuns(pipelineId, version, { since, limit: window.runs });
  const ids = runs.map((r) => r.id);
  const verdicts = await store.critiqueVerdicts(ids);
  return computeLiveMetrics(version, runs, verdicts, { ...window, since, until: now }, await store.onlineScores(ids));
}
