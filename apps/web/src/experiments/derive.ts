import { type Bin, histogram, ms, usd } from "./format.js";

/** The few fields of a record's result the charts read. */
export interface ResultLike {
  score: number;
  durationMs: number;
  usage: { costUsd: number };
}

const SCORE_BINS = 5;

/** The summary's four charts from the records' results: score, latency, cost per record, pass rate (%) per evaluator. */
export function chartData(results: readonly ResultLike[], passRates: Record<string, number>): { score: Bin[]; latency: Bin[]; cost: Bin[]; pass: Bin[] } {
  // Scores always span 0..1, so their bins are labelled as ranges: "0.8–1.0" reads as the top bin.
  const w = 1 / SCORE_BINS;
  const score = histogram(
    results.map((r) => r.score),
    SCORE_BINS,
    (x) => `${x.toFixed(1)}–${(x + w).toFixed(1)}`,
    [0, 1],
  );
  return {
    score,
    latency: histogram(
      results.map((r) => r.durationMs),
      6,
      ms,
    ),
    cost: histogram(
      results.map((r) => r.usage.costUsd),
      5,
      usd,
    ),
    pass: Object.entries(passRates).map(([label, rate]) => ({ label, count: Math.round(rate * 1000) / 10 })),
  };
}
