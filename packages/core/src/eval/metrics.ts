import { percentile } from "../analysis/stats.js";
import type { Usage } from "../events.js";
import type { EvalResult } from "./evaluate.js";
import { type EvaluatorConfig, evaluatorName } from "./evaluators.js";

/** One record of an experiment: its run and every evaluator's verdict. */
export interface RecordResult {
  index: number;
  /** Hash of the record's content, to pair records across experiments. */
  hash: string;
  status: "completed" | "failed";
  durationMs: number;
  usage: Usage;
  evaluations: EvalResult[];
  /** Weighted mean of the evaluations' scores (0 for a failed run). */
  score: number;
  /** Every evaluator passed. */
  pass: boolean;
  /** The run failed or an evaluator could not run. */
  error: boolean;
  output?: unknown;
  runId?: string;
  seed?: number;
}

export interface ExperimentMetrics {
  records: number;
  /** Mean over records of each record's weighted score. */
  score: number;
  /** Share of records on which every evaluator passed. */
  passRate: number;
  /** Per evaluator name: share of records it passed. */
  passRates: Record<string, number>;
  /** Share of records whose run failed or on which an evaluator could not run. */
  errorRate: number;
  p50LatencyMs: number;
  p95LatencyMs: number;
  meanLatencyMs: number;
  tokensPer1k: number;
  costPer1k: number;
}

/** Builds one record's result from its evaluations; `weight` defaults to 1, and a record with no weight at all scores its plain mean. */
export function scoreRecord(
  evaluators: readonly EvaluatorConfig[],
  evaluations: EvalResult[],
  base: Omit<RecordResult, "evaluations" | "score" | "pass" | "error">,
): RecordResult {
  const weights = new Map(evaluators.map((e) => [evaluatorName(e), e.weight ?? 1]));
  let sum = 0;
  let total = 0;
  for (const r of evaluations) {
    const w = weights.get(r.name) ?? 1;
    sum += w * r.score;
    total += w;
  }
  const failed = base.status === "failed";
  const score = failed ? 0 : total > 0 ? sum / total : evaluations.length > 0 ? mean(evaluations.map((r) => r.score)) : 1;
  return {
    ...base,
    evaluations,
    score,
    pass: !failed && evaluations.every((r) => r.pass),
    error: failed || evaluations.some((r) => r.error !== undefined),
  };
}

export function experimentMetrics(records: readonly RecordResult[]): ExperimentMetrics {
  const n = records.length;
  const passRates: Record<string, number> = {};
  const counts = new Map<string, { pass: number; n: number }>();
  for (const r of records)
    for (const e of r.evaluations) {
      const c = counts.get(e.name) ?? { pass: 0, n: 0 };
      c.n++;
      if (e.pass) c.pass++;
      counts.set(e.name, c);
    }
  for (const [name, c] of counts) passRates[name] = c.n > 0 ? c.pass / c.n : 0;
  const latencies = records.map((r) => r.durationMs);
  const per1k = (f: (u: Usage) => number) => (n > 0 ? (records.reduce((t, r) => t + f(r.usage), 0) * 1000) / n : 0);
  return {
    records: n,
    score: mean(records.map((r) => r.score)),
    passRate: mean(records.map((r) => (r.pass ? 1 : 0))),
    passRates,
    errorRate: mean(records.map((r) => (r.error ? 1 : 0))),
    p50LatencyMs: n > 0 ? percentile(latencies, 0.5) : 0,
    p95LatencyMs: n > 0 ? percentile(latencies, 0.95) : 0,
    meanLatencyMs: mean(latencies),
    tokensPer1k: per1k((u) => u.inputTokens + u.outputTokens),
    costPer1k: Math.round(per1k((u) => u.costUsd) * 1e8) / 1e8,
  };
}

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  let t = 0;
  for (const x of xs) t += x;
  return t / xs.length;
}
