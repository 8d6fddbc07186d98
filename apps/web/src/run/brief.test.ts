import { type RunEvent, runViewAt } from "@braid/core";
import { describe, expect, it } from "vitest";
import { overlayOf } from "../trace/session.js";
import { isBusy, summarize } from "./brief.js";

const usage = { inputTokens: 10, outputTokens: 5, costUsd: 0.001 };
const base = { runId: "r1", at: 1 };
const events: RunEvent[] = [
  { ...base, type: "run_started", pipeline: "p", input: { a: 1 }, seed: 1 },
  { ...base, type: "node_started", nodeId: "gen", span: "gen#1", kind: "generate", attempt: 1, backend: "generator", prompt: "Describe" },
  { ...base, type: "token", nodeId: "gen", span: "gen#1", text: "x" },
  { ...base, type: "node_finished", nodeId: "gen", span: "gen#1", output: { name: "A" }, durationMs: 5, usage, backend: "generator", model: "sim-fast" },
  { ...base, type: "node_started", nodeId: "check", span: "check#1", kind: "critique", attempt: 1 },
  { ...base, type: "loop_iteration", nodeId: "check", span: "check#1", attempt: 1, maxAttempts: 3, metrics: { score: 0.5 }, passed: false, branch: "fail" },
  { ...base, type: "node_finished", nodeId: "check", span: "check#1", output: { score: 0.5 }, durationMs: 2, usage, branch: "fail" },
  { ...base, type: "node_started", nodeId: "gen", span: "gen#2", kind: "generate", attempt: 1 },
  { ...base, type: "node_failed", nodeId: "gen", span: "gen#2", error: { code: "E_LLM_OUTPUT", message: "bad json" }, durationMs: 1 },
  { ...base, type: "run_failed", error: { code: "E_LLM_OUTPUT", message: "bad json", nodeId: "gen" }, durationMs: 20, usage },
];

describe("run summary (from the engine's view model)", () => {
  const summary = (list: RunEvent[], step = list.length) => summarize(runViewAt(list, step), "r1", list.slice(0, step), step);

  it("summarizes a run's events into status, per-node state, loop iterations and the end result", () => {
    expect(summary(events, 2).active).toEqual(["gen#1"]);
    const v = summary(events);
    expect(v.status).toBe("failed");
    expect(isBusy(v.status)).toBe(false);
    expect(v.order).toEqual(["gen", "check"]);
    expect(v.nodes.gen).toMatchObject({ status: "failed", visits: 2, backend: "generator", model: "sim-fast", error: { code: "E_LLM_OUTPUT" } });
    expect(v.nodes.check).toMatchObject({ status: "done", branch: "fail", output: { score: 0.5 } });
    expect(v.iterations).toEqual([{ nodeId: "check", attempt: 1, maxAttempts: 3, metrics: { score: 0.5 }, passed: false, branch: "fail" }]);
    expect(v.active).toEqual([]);
    expect(v).toMatchObject({ runId: "r1", durationMs: 20, usage, eventCount: events.length, lastSeq: events.length });
    expect(v.events).toHaveLength(events.length);
  });
  it("records route decisions and a finished output", () => {
    const list: RunEvent[] = [
      { ...base, type: "run_started", pipeline: "p", input: {}, seed: 1 },
      { ...base, type: "node_started", nodeId: "r", span: "r#1", kind: "route", attempt: 1 },
      { ...base, type: "route_decided", nodeId: "r", span: "r#1", branch: "fast", reason: "complexity 2 ≤ 3" },
      { ...base, type: "node_finished", nodeId: "r", span: "r#1", output: { branch: "fast" }, durationMs: 1, usage, branch: "fast" },
      { ...base, type: "run_finished", output: { ok: true }, durationMs: 3, usage },
    ];
    const v = summary(list);
    expect(v.decisions).toEqual([{ nodeId: "r", branch: "fast", reason: "complexity 2 ≤ 3" }]);
    expect(v).toMatchObject({ status: "completed", output: { ok: true } });
    expect(isBusy(summary(list, 2).status)).toBe(true);
  });
  it("names a cancelled run's reason as its error", () => {
    const list: RunEvent[] = [
      { ...base, type: "run_started", pipeline: "p", input: {}, seed: 1 },
      { ...base, type: "run_cancelled", reason: "cancelled by the user", durationMs: 3, usage },
    ];
    expect(summary(list)).toMatchObject({ status: "cancelled", error: { code: "E_CANCELLED", message: "cancelled by the user" } });
  });
  it("sums a looping node's time and usage over all its visits, as the canvas does", () => {
    const list: RunEvent[] = [
      { ...base, type: "run_started", pipeline: "p", input: {}, seed: 1 },
      { ...base, type: "node_started", nodeId: "check", span: "check#1", kind: "critique", attempt: 1 },
      { ...base, type: "node_finished", nodeId: "check", span: "check#1", output: { score: 0.5 }, durationMs: 826, usage, branch: "fail" },
      { ...base, type: "node_started", nodeId: "check", span: "check#2", kind: "critique", attempt: 2 },
      {
        ...base,
        type: "node_finished",
        nodeId: "check",
        span: "check#2",
        output: { score: 0.9 },
        durationMs: 844,
        usage: { ...usage, costUsd: 0.0011 },
        branch: "pass",
      },
      { ...base, type: "run_finished", output: {}, durationMs: 1700, usage: { inputTokens: 20, outputTokens: 10, costUsd: 0.0021 } },
    ];
    const view = runViewAt(list, list.length);
    const check = summarize(view, "r1", list, list.length).nodes.check;
    expect(check).toMatchObject({ visits: 2, durationMs: 1670, usage: { inputTokens: 20, outputTokens: 10 } });
    expect(check?.usage?.costUsd).toBeCloseTo(0.0021);
    const canvas = overlayOf(view, "check");
    expect([canvas.executions, canvas.durationMs, canvas.costUsd, canvas.tokens]).toEqual([
      check?.visits,
      check?.durationMs,
      check?.usage?.costUsd,
      (check?.usage?.inputTokens ?? 0) + (check?.usage?.outputTokens ?? 0),
    ]);
    // While the second pass runs, the first one's time and cost already count.
    const mid = summarize(runViewAt(list, 4), "r1", list.slice(0, 4), 4).nodes.check;
    expect(mid).toMatchObject({ status: "running", visits: 2, durationMs: 826, usage });
  });
});
