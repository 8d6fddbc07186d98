import { describe, expect, it } from "vitest";
import { chartData } from "./derive.js";

const r = (score: number, durationMs: number, costUsd: number) => ({ score, durationMs, usage: { costUsd }, evaluations: [] });

describe("chartData", () => {
  it("bins scores over 0..1 and turns pass rates into percentages", () => {
    const d = chartData([r(0, 100, 0.001), r(1, 300, 0.003), r(0.5, 200, 0.002)], { shape: 1, critique: 0.333 });
    expect(d.score.map((b) => b.count)).toEqual([1, 0, 1, 0, 1]);
    expect(d.score[0]?.label).toBe("0.0–0.2");
    expect(d.latency.reduce((n, b) => n + b.count, 0)).toBe(3);
    expect(d.cost).toHaveLength(5);
    expect(d.pass).toEqual([
      { label: "shape", count: 100 },
      { label: "critique", count: 33.3 },
    ]);
  });
});
