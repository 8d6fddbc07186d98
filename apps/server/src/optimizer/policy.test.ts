import { BraidError } from "@braid/engine";
import { describe, expect, it } from "vitest";
import { absoluteGates, decide, decideLive } from "./cycle.js";
import { computeLiveMetrics } from "./metrics.js";
import { DEFAULT_POLICY, changeGate, evaluateLiveGates, namedGates, parsePolicy, toBaselineGate } from "./policy.js";

const codeAndMessage = (fn: () => unknown): { code?: string; message: string } => {
  try {
    fn();
    return { message: "(no error)" };
  } catch (err) {
    return { code: err instanceof BraidError ? err.code : undefined, message: (err as Error).message };
  }
};

describe("deployment policy validation", () => {
  it("fills defaults", () => {
    expect(parsePolicy({ enabled: true })).toEqual({ ...DEFAULT_POLICY, enabled: true });
    expect(DEFAULT_POLICY).toMatchObject({ enabled: false, canaryPercent: 10, rollbackOnDegrade: true, manualApprovalRequired: true, gates: [] });
  });

  it("names every bad field in an E_POLICY error", () => {
    const e = codeAndMessage(() => parsePolicy({ canaryPercent: 150, minSamples: 0, budget: { usdPerDay: -1 }, colour: "red" }));
    expect(e.code).toBe("E_POLICY");
    for (const field of ["canaryPercent", "minSamples", "budget.usdPerDay"]) expect(e.message).toContain(`${field}:`);
    expect(e.message).toMatch(/colour/);
  });

  it("checks gates against the live metrics, naming the gate's index and the unknown metric", () => {
    const e = codeAndMessage(() => parsePolicy({ gates: ["errorRate <= 0.05", "quality >= 0.8"] }));
    expect(e).toMatchObject({ code: "E_POLICY" });
    expect(e.message).toMatch(/^gates\[1\]: gate "quality >= 0.8": unknown metric "quality"/);
    expect(codeAndMessage(() => parsePolicy({ gates: ["errorRate <="] })).message).toMatch(/^gates\[0\]:/);
  });

  it("reads live.<metric> as the live version's value (the gate language's baseline.)", () => {
    expect(parsePolicy({ gates: ["errorRate <= live.errorRate + 0.01"] }).gates).toHaveLength(1);
    expect(toBaselineGate(`passRate("live.x") >= live.runs`)).toBe(`passRate("live.x") >= baseline.runs`);
    const r = evaluateLiveGates(["p95LatencyMs <= live.p95LatencyMs * 1.2"], { p95LatencyMs: 130 }, { p95LatencyMs: 100 });
    expect(r[0]).toMatchObject({ expr: "p95LatencyMs <= live.p95LatencyMs * 1.2", passed: false, actual: 130, threshold: 120 });
    expect(codeAndMessage(() => parsePolicy({ gates: ["live.cost <= 1"] })).message).toMatch(/^gates\[0\]: gate "live.cost <= 1": unknown metric "cost"/);
  });
});

describe("online evaluator gates", () => {
  it("accepts score, onlineRuns and passRate of any evaluator name at save time; onlineSample is a share from 0 to 1", () => {
    const gates = ["score >= live.score - 0.05", 'passRate("has-account") >= 0.9', "onlineRuns >= 5", "onlineErrors <= 2"];
    expect(parsePolicy({ gates }).gates).toEqual(gates);
    expect(DEFAULT_POLICY.onlineSample).toBe(0.1);
    expect(parsePolicy({ onlineSample: 1 }).onlineSample).toBe(1);
    expect(codeAndMessage(() => parsePolicy({ onlineSample: 1.5 })).message).toMatch(/^onlineSample:/);
  });

  it("a score or pass rate nothing fed could not be evaluated: no pass, no rollback; a low one rolls the candidate back", () => {
    const window = { runs: 100, ms: 60_000, since: 0, until: 60_000 };
    const rows = Array.from({ length: 10 }, (_, i) => ({ id: `r${i}`, status: "completed" as const, startedAt: 0, finishedAt: 10, costUsd: 0 }));
    const scores = (version: number, score: number) =>
      rows.map((r) => ({ runId: r.id, pipelineId: "p", version, evaluator: "has-account", weight: 1, score, pass: score === 1, at: 0 }));
    const live = computeLiveMetrics(1, rows, [], window, scores(1, 1));
    const policy = { ...DEFAULT_POLICY, enabled: true, minSamples: 10, gates: ["score >= live.score - 0.05", 'passRate("has-account") >= 0.9'] };
    const unscored = decide({ policy, stopped: false, live, alreadyAsked: false, candidate: computeLiveMetrics(2, rows, [], window) });
    expect(unscored.gates.map((g) => g.passed)).toEqual([false, false]);
    expect(unscored.gates[0]?.error).toMatch(/unknown metric "score"/);
    expect(unscored.gates[1]?.error).toMatch(/no evaluator is named "has-account"/);
    expect(unscored.decision).toMatchObject({ action: "none", reason: expect.stringMatching(/could not be evaluated/) });
    const bad = decide({ policy, stopped: false, live, alreadyAsked: false, candidate: computeLiveMetrics(2, rows, [], window, scores(2, 0)) });
    expect(bad.gates).toEqual([
      expect.objectContaining({ passed: false, actual: 0, threshold: 0.95 }),
      expect.objectContaining({ passed: false, actual: 0, threshold: 0.9 }),
    ]);
    expect(bad.decision.action).toBe("rollback");
  });
});

describe("named quality gates", () => {
  const gates = ["errorRate <= 0.05", "p95LatencyMs <= live.p95LatencyMs * 1.2", "errorRate < 0.5"];

  it("names gates by their left metric, numbering repeats", () => {
    expect(namedGates(gates).map((g) => [g.name, g.threshold])).toEqual([
      ["errorRate", 0.05],
      ["p95LatencyMs", undefined],
      ["errorRate:2", 0.5],
    ]);
  });

  it("changes a threshold by name, and refuses what it cannot change", () => {
    expect(changeGate(gates, "errorRate:2", { threshold: 0.2 })).toMatchObject({ before: "errorRate < 0.5", after: "errorRate < 0.2" });
    expect(codeAndMessage(() => changeGate(gates, "p95LatencyMs", { threshold: 3 })).message).toMatch(/not `metric <op> number`/);
    expect(codeAndMessage(() => changeGate(gates, "nope", { threshold: 3 })).message).toMatch(/no gate is named "nope"/);
    expect(codeAndMessage(() => changeGate(gates, "errorRate", { expr: "colour > 1" })).code).toBe("E_POLICY");
  });
});

describe("a cycle's decision", () => {
  const window = { runs: 100, ms: 60_000, since: 0, until: 60_000 };
  const rows = (n: number, failed: number) =>
    Array.from({ length: n }, (_, i) => ({
      id: `r${i}`,
      status: i < failed ? ("failed" as const) : ("completed" as const),
      startedAt: 0,
      finishedAt: 10,
      costUsd: 0.001,
    }));
  const live = computeLiveMetrics(1, rows(20, 0), [], window);
  const policy = { ...DEFAULT_POLICY, enabled: true, minSamples: 10, gates: ["errorRate <= 0.05"] };
  const input = { policy, stopped: false, live, alreadyAsked: false };

  it("waits for minSamples, then rolls back a candidate that breaks a gate", () => {
    expect(decide({ ...input, candidate: computeLiveMetrics(2, rows(9, 9), [], window) }).decision.action).toBe("wait");
    const d = decide({ ...input, candidate: computeLiveMetrics(2, rows(10, 3), [], window) });
    expect(d.decision).toMatchObject({ action: "rollback" });
    expect(d.decision.reason).toContain("errorRate <= 0.05 (0.3 vs 0.05)");
    expect(
      decide({ ...input, policy: { ...policy, rollbackOnDegrade: false }, candidate: computeLiveMetrics(2, rows(10, 3), [], window) }).decision.action,
    ).toBe("none");
  });

  it("promotes a passing candidate only when autoPromote and no approval is required; else asks once", () => {
    const candidate = computeLiveMetrics(2, rows(10, 0), [], window);
    expect(decide({ ...input, candidate }).decision.action).toBe("queue-approval");
    expect(decide({ ...input, candidate, alreadyAsked: true }).decision.action).toBe("none");
    expect(decide({ ...input, candidate, policy: { ...policy, autoPromote: true } }).decision.action).toBe("queue-approval");
    expect(decide({ ...input, candidate, policy: { ...policy, autoPromote: true, manualApprovalRequired: false } }).decision.action).toBe("promote");
  });

  it("holds back every action while stopped, saying what it would have done", () => {
    const bad = decide({ ...input, stopped: true, candidate: computeLiveMetrics(2, rows(10, 5), [], window) }).decision;
    expect(bad).toMatchObject({ action: "stopped", wouldHave: "rollback" });
    expect(bad.reason).toMatch(/^stopped: no action/);
    const good = decide({ ...input, stopped: true, candidate: computeLiveMetrics(2, rows(10, 0), [], window) }).decision;
    expect(good).toMatchObject({ action: "stopped", wouldHave: "queue-approval" });
  });

  it("does not act on a gate it cannot evaluate, nor without gates", () => {
    const candidate = computeLiveMetrics(2, rows(10, 0), [], window);
    expect(decide({ ...input, candidate, policy: { ...policy, gates: ["critiquePassRate >= 0.9"] } }).decision).toMatchObject({ action: "none" });
    expect(decide({ ...input, candidate, policy: { ...policy, gates: [] } }).decision.reason).toMatch(/no gates/);
  });
});

describe("the live version's own check", () => {
  const window = { runs: 100, ms: 60_000, since: 0, until: 60_000 };
  const rows = (n: number, failed: number) =>
    Array.from({ length: n }, (_, i) => ({
      id: `r${i}`,
      status: i < failed ? ("failed" as const) : ("completed" as const),
      startedAt: 0,
      finishedAt: 10,
      costUsd: 0,
    }));
  const policy = { ...DEFAULT_POLICY, enabled: true, minSamples: 5, gates: ["errorRate <= 0.05", "errorRate <= live.errorRate"] };
  const bad = computeLiveMetrics(3, rows(10, 4), [], window);
  const previous = { version: 2, cameByRollback: false };

  it("uses only the gates that do not read live.", () => {
    expect(absoluteGates(policy.gates)).toEqual(["errorRate <= 0.05"]);
    expect(decideLive({ policy, stopped: false, live: bad, previous }).gates.map((g) => g.expr)).toEqual(["errorRate <= 0.05"]);
  });

  it("rolls a degraded live back one step, and no further", () => {
    expect(decideLive({ policy, stopped: false, live: bad, previous }).decision).toMatchObject({
      action: "rollback-live",
      reason: expect.stringContaining("back to v2"),
    });
    expect(decideLive({ policy, stopped: false, live: bad, previous: { version: 2, cameByRollback: true } }).decision.action).toBe("none");
    expect(decideLive({ policy, stopped: false, live: bad }).decision.reason).toMatch(/no earlier live version/);
    expect(decideLive({ policy: { ...policy, rollbackOnDegrade: false }, stopped: false, live: bad, previous }).decision.action).toBe("none");
    expect(decideLive({ policy, stopped: false, live: computeLiveMetrics(3, rows(4, 4), [], window), previous }).decision.action).toBe("none");
    expect(decideLive({ policy, stopped: false, live: computeLiveMetrics(3, rows(10, 0), [], window), previous }).decision.action).toBe("none");
    expect(decideLive({ policy, stopped: true, live: bad, previous }).decision).toMatchObject({ action: "stopped", wouldHave: "rollback-live" });
  });
});
