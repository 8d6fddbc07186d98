import type { StatsRow } from "./state.js";

export interface StatsTotals {
  calls: number;
  failures: number;
  /** 1 when there were no calls (shown as "—"). */
  successRate: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  cacheHits: number;
  retries: number;
  /** Breakers not closed (open, half-open or isolated). */
  openBreakers: number;
}

/** The monitor's headline figures: every backend's figures added up. */
export function summarizeStats(
  rows: readonly Pick<StatsRow, "calls" | "failures" | "inputTokens" | "outputTokens" | "costUsd" | "cacheHits" | "retries" | "breaker">[],
): StatsTotals {
  const t: StatsTotals = { calls: 0, failures: 0, successRate: 1, inputTokens: 0, outputTokens: 0, costUsd: 0, cacheHits: 0, retries: 0, openBreakers: 0 };
  for (const r of rows) {
    t.calls += r.calls;
    t.failures += r.failures;
    t.inputTokens += r.inputTokens;
    t.outputTokens += r.outputTokens;
    t.costUsd += r.costUsd;
    t.cacheHits += r.cacheHits;
    t.retries += r.retries;
    if (r.breaker !== "closed") t.openBreakers++;
  }
  t.costUsd = Math.round(t.costUsd * 1e8) / 1e8;
  t.successRate = t.calls ? (t.calls - t.failures) / t.calls : 1;
  return t;
}
