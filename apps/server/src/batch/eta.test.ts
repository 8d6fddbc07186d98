import { describe, expect, it } from "vitest";
import { EtaEstimator } from "./eta.js";

describe("EtaEstimator", () => {
  it("gives no estimate until a few records are done, then 0 when nothing is left", () => {
    const eta = new EtaEstimator(3);
    eta.done(1000);
    eta.done(1100);
    expect(eta.etaMs(10, 1150)).toBeUndefined();
    expect(eta.etaMs(0, 1150)).toBe(0);
    eta.done(1200);
    expect(eta.etaMs(10, 1200)).toBeGreaterThan(0);
  });

  it("follows the recent rate, not the slow start: 2 s to the first record, then one every 100 ms", () => {
    // The case: 9 of 20 done after a slow start; the rate since the start said 17 s.
    const eta = new EtaEstimator(3, 8);
    let t = 2000;
    for (let i = 0; i < 9; i++) {
      eta.done(t);
      t += 100;
    }
    const now = t - 100;
    const left = 11;
    const sinceStart = (left * now) / 9;
    expect(sinceStart).toBeGreaterThan(3000);
    expect(eta.etaMs(left, now)).toBeCloseTo(1100, -1);
  });

  it("grows while nothing finishes (a stall is not hidden)", () => {
    const eta = new EtaEstimator(3);
    for (const at of [0, 100, 200]) eta.done(at);
    expect(eta.etaMs(5, 2200) as number).toBeGreaterThan(eta.etaMs(5, 200) as number);
  });
});
