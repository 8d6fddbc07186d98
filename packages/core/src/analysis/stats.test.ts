import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { percentile } from "./stats.js";

describe("percentile (nearest rank)", () => {
  it("picks the smallest value with at least p of the sample at or below it", () => {
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(hundred, 0.5)).toBe(50);
    expect(percentile(hundred, 0.95)).toBe(95);
    expect(percentile(hundred, 1)).toBe(100);
    expect(percentile(hundred, 0)).toBe(1);
    expect(percentile([300, 200], 0.5)).toBe(200);
    expect(percentile([300, 200], 0.95)).toBe(300);
    expect(percentile([7], 0.5)).toBe(7);
    expect(percentile([3, 1, 2], 0.5)).toBe(2);
    expect(percentile([], 0.5)).toBeNaN();
    expect(percentile(new Map(), 0.5)).toBeNaN();
  });

  it("gives the same answer for a histogram as for the values it counts", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 60 }), fc.double({ min: 0, max: 1, noNaN: true }), (values, p) => {
        const counts = new Map<number, number>();
        for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
        const sorted = [...values].sort((a, b) => a - b);
        const expected = sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
        expect(percentile(values, p)).toBe(expected);
        expect(percentile(counts, p)).toBe(expected);
      }),
    );
  });
});
