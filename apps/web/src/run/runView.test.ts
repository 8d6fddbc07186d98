import type { RunEvent } from "@braid/engine";
import { describe, expect, it } from "vitest";
import { idleRun, isFinished, reduceRun } from "./runView.js";

const usage = { inputTokens: 10, outputTokens: 5, costUsd: 0.001 };
const base = { runId: "r1", at: 1 };
const events: RunEvent[] = [
  { ...base, type: "run_started", pipeline: "p", input: { a: 1 }, seed: 1 },
  { ...base, type: "node_started", nodeId: "gen", span: "gen#1", kind: "generate", attempt: 1, backend: "generator", prompt: "Describe" },
  { ...base, type: "token", nodeId: "gen", span: "gen#1", text: "x" },
  { ...base, type: "node_finished", nodeId: "gen", span: "gen#1", output: { name: "A" }, durationMs: 5, usage, backend: "generator", model: "sim-fast" },
  { ...base, type: "node_started", nodeId: "check", span: "check#1", kind: "critique", attempt: 1 },
  { ...base, type: "loop_iteration", nodeId: "check", span: "check#1", attempt: 1, maxAttempts: 3, score: 0.5, passed: false, branch: "fail" },
  { ...base, type: "node_finished", nodeId: "check", span: "check#1", output: { score: 0.5 }, durationMs: 2, usage, branch: "fail" },
  { ...base, type: "node_started", nodeId: "gen", span: "gen#2", kind: "generate", attempt: 1 },
  { ...base, type: "node_failed", nodeId: "gen", span: "gen#2", error: { code: "E_LLM_OUTPUT", message: "bad json" }, durationMs: 1 },
  { ...base, type: "run_failed", error: { code: "E_LLM_OUTPUT", message: "bad json", nodeId: "gen" }, durationMs: 20, usage },
];

describe("run view reducer", () => {
  it("folds a run's events into status, per-node state, loop iterations and the end result", () => {
    let v = idleRun();
    events.forEach((e, i) => {
      v = reduceRun(v, e, i + 1);
      if (i === 1) expect(v.active).toEqual(["gen#1"]);
    });
    expect(v.status).toBe("failed");
    expect(isFinished(v)).toBe(true);
    expect(v.order).toEqual(["gen", "check"]);
    expect(v.nodes.gen).toMatchObject({ status: "failed", visits: 2, tokens: 1, backend: "generator", model: "sim-fast", error: { code: "E_LLM_OUTPUT" } });
    expect(v.nodes.check).toMatchObject({ status: "done", branch: "fail", output: { score: 0.5 } });
    expect(v.iterations).toEqual([{ nodeId: "check", attempt: 1, maxAttempts: 3, score: 0.5, passed: false, branch: "fail" }]);
    expect(v.active).toEqual([]);
    expect(v).toMatchObject({ runId: "r1", durationMs: 20, usage, eventCount: events.length, lastSeq: events.length });
  });
  it("ignores replayed events (same or older sequence numbers)", () => {
    const a = reduceRun(idleRun(), events[0] as RunEvent, 1);
    expect(reduceRun(a, events[0] as RunEvent, 1)).toBe(a);
  });
  it("records route decisions and a finished output", () => {
    let v = reduceRun(idleRun(), { ...base, type: "route_decided", nodeId: "r", span: "r#1", branch: "fast", reason: "complexity 2 ≤ 3" });
    v = reduceRun(v, { ...base, type: "run_finished", output: { ok: true }, durationMs: 3, usage });
    expect(v.decisions).toEqual([{ nodeId: "r", branch: "fast", reason: "complexity 2 ≤ 3" }]);
    expect(v).toMatchObject({ status: "completed", output: { ok: true } });
  });
});
