/**
 * Learned routing for a `complexity` route: the thresholds (`upTo`) that give the best score per
 * dollar on a dataset, from one experiment per branch with the route forced onto that branch. A
 * record's complexity does not depend on the branch taken, and the simulated and recorded outcomes
 * of a branch do not depend on the thresholds, so the outcome of any thresholds is read off the
 * forced experiments: the fit is exact over the dataset, not a model of it. The suggested version
 * still runs its own experiment against live, which checks the prediction.
 */
import { BraidError, type Pipeline, isPlainObject } from "@braid/engine";

export interface ComplexityRoute {
  node: string;
  /** Branches with an `upTo`, in the order the route tries them. */
  thresholdBranches: string[];
  default: string;
  /** The live thresholds, by branch. */
  thresholds: Record<string, number>;
}

/** One dataset record: its complexity at the route (absent when the route did not run) and each branch's outcome. */
export interface RoutingRecord {
  complexity?: number;
  byBranch: Record<string, { score: number; costUsd: number; durationMs: number }>;
}

export interface RoutingPrediction {
  thresholds: Record<string, number>;
  score: number;
  costPer1k: number;
  meanLatencyMs: number;
  /** Score per USD spent per 1,000 runs (Infinity when nothing costs anything). */
  scorePerDollar: number;
  /** Share of records each branch takes. */
  shares: Record<string, number>;
}

export interface RoutingFit {
  before: RoutingPrediction;
  after: RoutingPrediction;
  /** Why the fit suggests nothing, when it does not. */
  unchanged?: string;
}

type Branch = { id?: unknown; upTo?: unknown };

/** The pipeline's complexity routes with at least one threshold. */
export function complexityRoutes(p: Pipeline): ComplexityRoute[] {
  return p.nodes.flatMap((n) => {
    const c = n.config;
    if (n.kind !== "route" || !isPlainObject(c) || c.strategy !== "complexity" || !Array.isArray(c.branches) || typeof c.default !== "string") return [];
    const withUpTo = (c.branches as Branch[]).filter((b): b is { id: string; upTo: number } => typeof b.id === "string" && typeof b.upTo === "number");
    if (withUpTo.length === 0) return [];
    return [
      { node: n.id, thresholdBranches: withUpTo.map((b) => b.id), default: c.default, thresholds: Object.fromEntries(withUpTo.map((b) => [b.id, b.upTo])) },
    ];
  });
}

/** The branches a fit needs an experiment of: every threshold branch and the default. */
export const branchesToTry = (r: ComplexityRoute): string[] => [...new Set([...r.thresholdBranches, r.default])];

function withRoute(p: Pipeline, node: string, change: (c: Record<string, unknown>) => Record<string, unknown>): Pipeline {
  if (!p.nodes.some((n) => n.id === node)) throw new BraidError("E_CONFIG", `route "${node}" is not in the pipeline`);
  return { ...p, nodes: p.nodes.map((n) => (n.id === node && isPlainObject(n.config) ? { ...n, config: change(n.config) } : n)) };
}

/** The route always takes `branch`: no thresholds, `branch` as the default. */
export const forceBranch = (p: Pipeline, node: string, branch: string): Pipeline =>
  withRoute(p, node, (c) => ({ ...c, default: branch, branches: (c.branches as Branch[]).map(({ upTo: _, ...b }) => b) }));

/** The route with these thresholds; a threshold branch missing from `thresholds` loses its `upTo` (it is never taken). */
export const withThresholds = (p: Pipeline, node: string, thresholds: Record<string, number>): Pipeline =>
  withRoute(p, node, (c) => ({
    ...c,
    branches: (c.branches as Branch[]).map(({ upTo: _, ...b }) =>
      typeof b.id === "string" && thresholds[b.id] !== undefined ? { ...b, upTo: thresholds[b.id] } : b,
    ),
  }));

/** The branch a record of this complexity takes, as the route kind decides it: the first `upTo` it does not exceed, else the default. */
export function branchFor(route: ComplexityRoute, thresholds: Record<string, number>, complexity: number): string {
  for (const b of route.thresholdBranches) {
    const t = thresholds[b];
    if (t !== undefined && complexity <= t) return b;
  }
  return route.default;
}

export function predict(route: ComplexityRoute, thresholds: Record<string, number>, records: readonly RoutingRecord[]): RoutingPrediction {
  let score = 0;
  let cost = 0;
  let latency = 0;
  const counts: Record<string, number> = {};
  for (const r of records) {
    // A record that never reached the route has the same outcome on every branch.
    const b = r.complexity === undefined ? route.default : branchFor(route, thresholds, r.complexity);
    const o = r.byBranch[b];
    if (!o) throw new BraidError("E_EXPERIMENT_STATE", `no outcome of branch "${b}" for a record`);
    score += o.score;
    cost += o.costUsd;
    latency += o.durationMs;
    if (r.complexity !== undefined) counts[b] = (counts[b] ?? 0) + 1;
  }
  const n = Math.max(1, records.length);
  const reached = Object.values(counts).reduce((a, c) => a + c, 0);
  // Rounded as an experiment's figure is, so prediction and experiment read the same.
  const costPer1k = Math.round((cost / n) * 1000 * 1e8) / 1e8;
  return {
    thresholds,
    score: score / n,
    costPer1k,
    meanLatencyMs: latency / n,
    scorePerDollar: costPer1k > 0 ? score / n / costPer1k : Number.POSITIVE_INFINITY,
    shares: Object.fromEntries(Object.entries(counts).map(([b, c]) => [b, c / Math.max(1, reached)])),
  };
}

/** Every non-decreasing choice of a threshold per branch from `values` (or none: the branch is off). */
function* thresholdChoices(branches: readonly string[], values: readonly number[], from = 0): Generator<Record<string, number>> {
  const [first, ...rest] = branches;
  if (first === undefined) {
    yield {};
    return;
  }
  for (const tail of thresholdChoices(rest, values, from)) yield tail;
  for (let i = from; i < values.length; i++) for (const tail of thresholdChoices(rest, values, i)) yield { [first]: values[i] as number, ...tail };
}

/** The most branches fitted at once: the search is (records' distinct complexities + 1) ^ branches. */
export const MAX_FITTED_BRANCHES = 4;

/**
 * The thresholds with the highest score per dollar whose score stays within `maxScoreDrop` of
 * live's, over the records' own complexities (any other threshold splits them the same way as
 * one of these). Ties go to the higher score.
 */
export function fitThresholds(route: ComplexityRoute, records: readonly RoutingRecord[], maxScoreDrop: number): RoutingFit {
  const before = predict(route, route.thresholds, records);
  if (route.thresholdBranches.length > MAX_FITTED_BRANCHES)
    return { before, after: before, unchanged: `route "${route.node}" has more than ${MAX_FITTED_BRANCHES} thresholds to fit` };
  const values = [...new Set(records.flatMap((r) => (r.complexity === undefined ? [] : [r.complexity])))].sort((a, b) => a - b);
  let best = before;
  const better = (a: RoutingPrediction, b: RoutingPrediction) =>
    a.scorePerDollar > b.scorePerDollar * (1 + 1e-9) || (a.scorePerDollar >= b.scorePerDollar && a.score > b.score + 1e-12);
  for (const t of thresholdChoices(route.thresholdBranches, values)) {
    const p = predict(route, t, records);
    if (p.score >= before.score - maxScoreDrop - 1e-12 && better(p, best)) best = p;
  }
  if (best === before)
    return { before, after: before, unchanged: `live's thresholds already give the best score per dollar within ${maxScoreDrop} of its score` };
  return { before, after: best };
}
