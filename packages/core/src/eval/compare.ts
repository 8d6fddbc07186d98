import { percentile } from "../analysis/stats.js";
import { BraidError } from "../errors.js";
import type { RecordResult } from "./metrics.js";

/**
 * A/B comparison of two experiments over the same dataset: records are paired by position (and
 * their content hashes must agree), and each metric's delta (candidate − baseline) gets a 95 %
 * confidence interval from a paired bootstrap: resample record indices with replacement, recompute
 * both sides on the same indices, take the 2.5th and 97.5th percentiles of the differences. The
 * resampling is seeded, so a comparison is reproducible.
 */
export type Verdict = "better" | "worse" | "no significant difference";

export interface MetricDelta {
  metric: string;
  candidate: number;
  baseline: number;
  delta: number;
  ci: [number, number];
  verdict: Verdict;
}

export interface Disagreement {
  index: number;
  candidateScore: number;
  baselineScore: number;
  diff: number;
  candidate: { pass: boolean; output?: unknown; reasons: string[] };
  baseline: { pass: boolean; output?: unknown; reasons: string[] };
}

export interface Comparison {
  records: number;
  resamples: number;
  seed: number;
  metrics: MetricDelta[];
  /** Records whose scores differ, largest difference first. */
  disagreements: Disagreement[];
  /** The pairwise judge's verdicts, when `select-best` ran. */
  selectBest?: SelectBestResult;
}

export interface CompareOptions {
  resamples?: number;
  seed?: number;
  /** The most disagreements listed (default 50). */
  maxDisagreements?: number;
}

/**
 * A metric over the records at `idx` (repeats allowed), per side. Means read per-record values
 * computed once, so a resample costs one pass over its indices.
 */
type Stat = (side: 0 | 1, idx: ArrayLike<number>) => number;

function statistics(a: readonly RecordResult[], b: readonly RecordResult[]): Array<[string, Stat, boolean]> {
  const meanOf = (f: (r: RecordResult) => number): Stat => {
    const values = [Float64Array.from(a, f), Float64Array.from(b, f)] as const;
    return (side, idx) => {
      const v = values[side];
      let t = 0;
      for (let k = 0; k < idx.length; k++) t += v[idx[k] as number] as number;
      return idx.length > 0 ? t / idx.length : 0;
    };
  };
  // Nearest-rank, as core's `percentile`, on a typed array (thousands of resamples sort fast).
  const latency = [Float64Array.from(a, (r) => r.durationMs), Float64Array.from(b, (r) => r.durationMs)] as const;
  const buffer = new Float64Array(Math.max(a.length, b.length));
  const pctOf =
    (p: number): Stat =>
    (side, idx) => {
      const v = latency[side];
      if (idx.length === 0) return Number.NaN;
      const xs = buffer.subarray(0, idx.length);
      for (let k = 0; k < idx.length; k++) xs[k] = v[idx[k] as number] as number;
      xs.sort();
      return xs[Math.min(xs.length, Math.max(1, Math.ceil(p * xs.length))) - 1] as number;
    };
  const out: Array<[string, Stat, boolean]> = [
    ["score", meanOf((r) => r.score), true],
    ["passRate", meanOf((r) => (r.pass ? 1 : 0)), true],
    ["errorRate", meanOf((r) => (r.error ? 1 : 0)), false],
    ["p50LatencyMs", pctOf(0.5), false],
    ["p95LatencyMs", pctOf(0.95), false],
    ["tokensPer1k", meanOf((r) => (r.usage.inputTokens + r.usage.outputTokens) * 1000), false],
    ["costPer1k", meanOf((r) => r.usage.costUsd * 1000), false],
  ];
  const names = new Set([...(a[0]?.evaluations ?? []), ...(b[0]?.evaluations ?? [])].map((e) => e.name));
  for (const name of names) out.push([`passRate(${JSON.stringify(name)})`, meanOf((r) => (r.evaluations.find((e) => e.name === name)?.pass ? 1 : 0)), true]);
  return out;
}

/** mulberry32: a small, fast seeded generator (floats in [0, 1)); resampling needs reproducibility, not cryptography. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function compareExperiments(candidate: readonly RecordResult[], baseline: readonly RecordResult[], opts: CompareOptions = {}): Comparison {
  if (candidate.length !== baseline.length)
    throw new BraidError("E_DATASET", `the experiments cover different datasets: ${candidate.length} records against ${baseline.length}`);
  const n = candidate.length;
  const mismatch = candidate.findIndex((r, i) => r.hash !== (baseline[i] as RecordResult).hash);
  if (mismatch >= 0) throw new BraidError("E_DATASET", `the experiments cover different datasets: record ${mismatch} differs`);
  const resamples = opts.resamples ?? 2000;
  const seed = opts.seed ?? 1;
  const random = seededRandom(seed);
  const all = Array.from({ length: n }, (_, i) => i);
  const stats = statistics(candidate, baseline);
  const deltas = stats.map(() => new Array<number>(resamples));
  const idx = new Uint32Array(n);
  for (let k = 0; k < resamples; k++) {
    for (let i = 0; i < n; i++) idx[i] = Math.floor(random() * n);
    stats.forEach(([, f], m) => {
      (deltas[m] as number[])[k] = f(0, idx) - f(1, idx);
    });
  }
  const metrics = stats.map(([metric, f, higherIsBetter], m): MetricDelta => {
    const c = n > 0 ? f(0, all) : 0;
    const b = n > 0 ? f(1, all) : 0;
    const d = deltas[m] as number[];
    const ci: [number, number] = n > 0 ? [percentile(d, 0.025), percentile(d, 0.975)] : [0, 0];
    // Significant only when the interval excludes zero.
    const verdict: Verdict =
      ci[0] > 0 ? (higherIsBetter ? "better" : "worse") : ci[1] < 0 ? (higherIsBetter ? "worse" : "better") : "no significant difference";
    return { metric, candidate: c, baseline: b, delta: c - b, ci, verdict };
  });
  const reasons = (r: RecordResult) => r.evaluations.filter((e) => !e.pass).map((e) => `${e.name}: ${e.reason}`);
  const side = (r: RecordResult) => ({ pass: r.pass, ...(r.output !== undefined ? { output: r.output } : {}), reasons: reasons(r) });
  const disagreements = candidate
    .map((c, i): Disagreement => {
      const b = baseline[i] as RecordResult;
      return { index: c.index, candidateScore: c.score, baselineScore: b.score, diff: c.score - b.score, candidate: side(c), baseline: side(b) };
    })
    .filter((d) => d.diff !== 0)
    .sort((x, y) => Math.abs(y.diff) - Math.abs(x.diff) || x.index - y.index)
    .slice(0, opts.maxDisagreements ?? 50);
  return { records: n, resamples, seed, metrics, disagreements };
}

/** A pairwise judge: which of two outputs is better for the input (`a`, `b` or `tie`). */
export type PickJudge = (req: { rubric?: string; input: unknown; a: unknown; b: unknown; backend?: string }) => Promise<"a" | "b" | "tie">;

export interface SelectBestResult {
  /** Share of judged records on which the candidate was preferred (ties count half); undefined when none could be judged. */
  winRate?: number;
  judged: number;
  /** Records the judge could not decide (it failed or answered neither a, b nor tie): reported, never counted as a win. */
  errors: number;
  firstError?: string;
}

/**
 * `select-best`: the judge sees each pair in a seeded random order (so a judge that favours the
 * first position cannot favour one side).
 */
export async function selectBestWinRate(
  candidate: readonly RecordResult[],
  baseline: readonly RecordResult[],
  inputs: readonly unknown[],
  judge: PickJudge,
  opts: { rubric?: string; backend?: string; seed?: number } = {},
): Promise<SelectBestResult> {
  const random = seededRandom(opts.seed ?? 1);
  let wins = 0;
  let judged = 0;
  const out: SelectBestResult = { judged: 0, errors: 0 };
  for (let i = 0; i < candidate.length; i++) {
    const swap = random() < 0.5;
    const c = candidate[i]?.output;
    const b = baseline[i]?.output;
    let pick: "a" | "b" | "tie";
    try {
      pick = await judge({
        input: inputs[i],
        a: swap ? b : c,
        b: swap ? c : b,
        ...(opts.rubric ? { rubric: opts.rubric } : {}),
        ...(opts.backend ? { backend: opts.backend } : {}),
      });
    } catch (err) {
      out.errors++;
      out.firstError ??= err instanceof Error ? err.message : String(err);
      continue;
    }
    judged++;
    if (pick === "tie") wins += 0.5;
    else if ((pick === "a") !== swap) wins += 1;
  }
  out.judged = judged;
  if (judged > 0) out.winRate = wins / judged;
  return out;
}
