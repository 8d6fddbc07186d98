/**
 * Live metrics of one pipeline version over a rolling window of its finished REST runs (the last
 * `runs` runs, none older than `ms`). Computed from the runs table and critique events, so every
 * figure can be traced back to stored runs.
 */
import { percentile } from "@braid/engine";
import type { CritiqueVerdict, DeploymentStore, LiveRunRow } from "../store/deployments.js";

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
  window: MetricsWindow & { since: number; until: number };
}

/** The metrics of the given runs; an empty window has zeros (and no critique pass rate). */
export function computeLiveMetrics(
  version: number,
  runs: readonly LiveRunRow[],
  verdicts: readonly CritiqueVerdict[],
  window: LiveMetrics["window"],
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
    window,
  };
  if (byRun.size > 0) m.critiquePassRate = [...byRun.values()].filter(Boolean).length / byRun.size;
  return m;
}

/** Reads one version's window from the store and computes its metrics. */
export function measure(store: DeploymentStore, pipelineId: string, version: number, window: MetricsWindow, now: number): LiveMetrics {
  const since = now - window.ms;
  const runs = store.liveRuns(pipelineId, version, { since, limit: window.runs });
  return computeLiveMetrics(version, runs, store.critiqueVerdicts(runs.map((r) => r.id)), { ...window, since, until: now });
}
