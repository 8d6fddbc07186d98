import { describe, expect, it } from "vitest";
import { type ComplexityRoute, type RoutingRecord, branchFor, fitThresholds, predict } from "./routing.js";

const ROUTE: ComplexityRoute = { node: "route", thresholdBranches: ["fast", "quality"], default: "premium", thresholds: { fast: 2, quality: 5 } };
const outcome = (score: number, costUsd: number) => ({ score, costUsd, durationMs: 10 });
/** fast is cheap and right on simple records only; quality is right up to complexity 6; premium always, at a price. */
const record = (complexity: number): RoutingRecord => ({
  complexity,
  byBranch: { fast: outcome(complexity <= 3 ? 1 : 0, 0.001), quality: outcome(complexity <= 6 ? 1 : 0.5, 0.01), premium: outcome(1, 0.1) },
});

describe("learned routing thresholds", () => {
  it("takes the first threshold a record does not exceed, as the route kind does", () => {
    expect(branchFor(ROUTE, ROUTE.thresholds, 2)).toBe("fast");
    expect(branchFor(ROUTE, ROUTE.thresholds, 2.01)).toBe("quality");
    expect(branchFor(ROUTE, ROUTE.thresholds, 9)).toBe("premium");
    expect(branchFor(ROUTE, { quality: 5 }, 1)).toBe("quality");
  });

  it("predicts a threshold choice's score and cost from the per-branch outcomes", () => {
    const p = predict(ROUTE, ROUTE.thresholds, [1, 3, 6, 8].map(record));
    // 1 → fast (1, 0.001), 3 → quality (1, 0.01), 6 → premium (1, 0.1), 8 → premium (1, 0.1).
    expect(p.score).toBe(1);
    expect(p.costPer1k).toBeCloseTo((0.211 / 4) * 1000, 9);
    expect(p.shares).toEqual({ fast: 0.25, quality: 0.25, premium: 0.5 });
  });

  it("fits the cheapest split that keeps the score: fast up to 3, quality up to 6", () => {
    const fit = fitThresholds(ROUTE, [1, 3, 6, 8].map(record), 0);
    expect(fit.unchanged).toBeUndefined();
    expect(fit.after.thresholds).toEqual({ fast: 3, quality: 6 });
    expect(fit.after.score).toBe(1);
    expect(fit.after.costPer1k).toBeCloseTo((0.112 / 4) * 1000, 9);
    // Allowing a drop of 0.125 lets record 8 go to quality (score 0.5) instead of premium.
    expect(fitThresholds(ROUTE, [1, 3, 6, 8].map(record), 0.125).after.thresholds).toEqual({ fast: 3, quality: 8 });
  });

  it("suggests nothing when live's thresholds are already the best", () => {
    const best = { ...ROUTE, thresholds: { fast: 3, quality: 6 } };
    expect(fitThresholds(best, [1, 3, 6, 8].map(record), 0).unchanged).toMatch(/already give the best score per dollar/);
  });
});
