import { describe, expect, it } from "vitest";
import { compareExperiments, seededRandom, selectBestWinRate } from "./compare.js";
import { type RecordResult, experimentMetrics, scoreRecord } from "./metrics.js";

/** n records whose score is f(i); latency and cost from g(i). */
function records(n: number, score: (i: number) => number, latency: (i: number) => number = (i) => 100 + (i % 7) * 10): RecordResult[] {
  return Array.from({ length: n }, (_, i) =>
    scoreRecord([{ type: "expression", value: "x" }], [{ name: "expression", type: "expression", pass: score(i) >= 0.5, score: score(i), reason: "" }], {
      index: i,
      hash: `h${i}`,
      status: "completed",
      durationMs: latency(i),
      usage: { inputTokens: 10, outputTokens: 5, costUsd: 0.001 },
      output: { i },
    }),
  );
}
const noisy = (i: number) => ((i * 37) % 100) / 100;

describe("paired bootstrap comparison", () => {
  it("identical experiments: every CI contains 0 and no metric differs", () => {
    const a = records(60, noisy);
    const c = compareExperiments(a, records(60, noisy), { seed: 3 });
    for (const m of c.metrics) {
      expect(m.delta).toBe(0);
      expect(m.ci[0]).toBeLessThanOrEqual(0);
      expect(m.ci[1]).toBeGreaterThanOrEqual(0);
      expect(m.verdict).toBe("no significant difference");
    }
    expect(c.disagreements).toEqual([]);
  });

  it("a constant shift: the CI excludes 0 on the right side, and the verdict follows the metric's direction", () => {
    const base = records(60, (i) => noisy(i) * 0.8);
    const up = compareExperiments(
      records(60, (i) => noisy(i) * 0.8 + 0.1),
      base,
    );
    const score = up.metrics.find((m) => m.metric === "score");
    expect(score?.delta).toBeCloseTo(0.1);
    expect(score?.ci[0]).toBeCloseTo(0.1);
    expect(score?.verdict).toBe("better");
    const down = compareExperiments(
      base,
      records(60, (i) => noisy(i) * 0.8 + 0.1),
    );
    expect(down.metrics.find((m) => m.metric === "score")?.verdict).toBe("worse");
    // Slower is worse for latency, though its delta is positive.
    const slow = compareExperiments(
      records(60, noisy, (i) => 200 + (i % 7) * 10),
      records(60, noisy),
    );
    const p95 = slow.metrics.find((m) => m.metric === "p95LatencyMs");
    expect(p95).toMatchObject({ delta: 100, verdict: "worse" });
    expect(p95?.ci[0]).toBeGreaterThan(0);
  });

  it("a small difference in noisy pairs is no significant difference (the CI, not the point delta, decides)", () => {
    const a = records(40, (i) => (i % 2 === 0 || i === 1 ? 1 : 0));
    const b = records(40, (i) => (i % 2 === 0 ? 0 : 1));
    const score = compareExperiments(a, b).metrics.find((m) => m.metric === "score");
    expect(score?.delta).toBeCloseTo(0.025);
    expect(score?.ci[0]).toBeLessThan(0);
    expect(score?.ci[1]).toBeGreaterThan(0);
    expect(score?.verdict).toBe("no significant difference");
  });

  it("is deterministic for a seed, and the seed matters", () => {
    const a = records(50, noisy);
    const b = records(50, (i) => noisy(i + 3));
    const ci = (seed: number) => compareExperiments(a, b, { seed }).metrics.find((m) => m.metric === "score")?.ci;
    expect(ci(7)).toEqual(ci(7));
    expect(ci(7)).not.toEqual(ci(8));
  });

  it("lists disagreements largest first, and refuses experiments over different records", () => {
    const b = records(5, () => 0.5);
    const a = records(5, (i) => [0.5, 0.9, 0.4, 0.5, 0][i] as number);
    expect(compareExperiments(a, b).disagreements.map((d) => [d.index, d.diff])).toEqual([
      [4, -0.5],
      [1, expect.closeTo(0.4)],
      [2, expect.closeTo(-0.1)],
    ]);
    expect(() =>
      compareExperiments(
        a,
        records(4, () => 1),
      ),
    ).toThrow(/different datasets/);
    const other = records(5, () => 0.5).map((r, i) => (i === 2 ? { ...r, hash: "x" } : r));
    expect(() => compareExperiments(a, other)).toThrow(/record 2 differs/);
  });

  it("select-best shows the pair in a seeded random order so position bias cancels out", async () => {
    const a = records(200, () => 1);
    const b = records(200, () => 0);
    // A judge that always picks the first output: the candidate wins about half the time.
    const first = await selectBestWinRate(a, b, [], async () => "a", { seed: 5 });
    expect(first.winRate).toBeGreaterThan(0.4);
    expect(first.winRate).toBeLessThan(0.6);
    // A judge that prefers the candidate's outputs wherever they are shown picks it every time; ties count half.
    const mark = (rs: RecordResult[], side: string) => rs.map((r) => ({ ...r, output: { side } }));
    const prefersC = async (req: { a: unknown }) => ((req.a as { side: string }).side === "c" ? ("a" as const) : ("b" as const));
    expect((await selectBestWinRate(mark(a, "c"), mark(b, "b"), [], prefersC, { seed: 5 })).winRate).toBe(1);
    expect((await selectBestWinRate(a, b, [], async () => "tie")).winRate).toBe(0.5);
    // A judge that fails is counted as an error, never as a win.
    let n = 0;
    const flaky = async () => {
      if (n++ % 2 === 0) throw new Error("judge down");
      return "tie" as const;
    };
    expect(await selectBestWinRate(a.slice(0, 4), b.slice(0, 4), [], flaky)).toEqual({ judged: 2, errors: 2, winRate: 0.5, firstError: "judge down" });
    expect(await selectBestWinRate(a.slice(0, 2), b.slice(0, 2), [], async () => Promise.reject(new Error("down")))).toEqual({
      judged: 0,
      errors: 2,
      firstError: "down",
    });
  });

  it("seededRandom is reproducible and in [0, 1)", () => {
    const r1 = seededRandom(42);
    const r2 = seededRandom(42);
    const xs = Array.from({ length: 1000 }, () => r1());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => r2()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
  });
});

describe("experiment metrics", () => {
  it("weighted score, pass rates per evaluator, error rate, percentiles and per-1,000 figures", () => {
    const evs = [{ type: "contains" as const, value: "x", weight: 3 }, { type: "is-json" as const }];
    const base = { status: "completed" as const, durationMs: 100, usage: { inputTokens: 10, outputTokens: 10, costUsd: 0.002 } };
    const r1 = scoreRecord(
      evs,
      [
        { name: "contains", type: "contains", pass: true, score: 1, reason: "" },
        { name: "is-json", type: "is-json", pass: false, score: 0, reason: "" },
      ],
      { ...base, index: 0, hash: "a" },
    );
    const r2 = scoreRecord(
      evs,
      [
        { name: "contains", type: "contains", pass: false, score: 0, reason: "", error: "bad" },
        { name: "is-json", type: "is-json", pass: true, score: 1, reason: "" },
      ],
      {
        ...base,
        index: 1,
        hash: "b",
        durationMs: 300,
      },
    );
    expect(r1.score).toBe(0.75);
    expect(r2).toMatchObject({ score: 0.25, pass: false, error: true });
    const m = experimentMetrics([r1, r2]);
    expect(m).toMatchObject({
      records: 2,
      score: 0.5,
      passRate: 0,
      passRates: { contains: 0.5, "is-json": 0.5 },
      errorRate: 0.5,
      p50LatencyMs: 100,
      p95LatencyMs: 300,
    });
    expect(m.tokensPer1k).toBe(20_000);
    expect(m.costPer1k).toBe(2);
  });
});
