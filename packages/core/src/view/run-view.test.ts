import { describe, expect, it } from "vitest";
import type { RunEvent } from "../events.js";
import type { Pipeline } from "../format/schema.js";
import { runViewAt, takenEdges } from "./run-view.js";

const u = (c = 0) => ({ inputTokens: 1, outputTokens: 2, costUsd: c });
const base = { runId: "r" };
const events: RunEvent[] = [
  { ...base, at: 0, type: "run_started", pipeline: "p", input: { q: 1 }, seed: 1 },
  { ...base, at: 1, type: "node_started", nodeId: "in", span: "in#1", kind: "input", attempt: 1 },
  { ...base, at: 1, type: "node_finished", nodeId: "in", span: "in#1", output: { q: 1 }, durationMs: 0, usage: u() },
  { ...base, at: 2, type: "node_started", nodeId: "a", span: "a#1", kind: "generate", attempt: 1, prompt: "A?", backend: "generator" },
  { ...base, at: 2, type: "node_started", nodeId: "b", span: "b#1", kind: "generate", attempt: 1, prompt: "B?", backend: "enricher" },
  { ...base, at: 3, type: "token", nodeId: "a", span: "a#1", text: "he" },
  { ...base, at: 4, type: "token", nodeId: "a", span: "a#1", text: "llo" },
  { ...base, at: 5, type: "retry", nodeId: "b", span: "b#1", backend: "enricher", attempt: 1, delayMs: 20, error: "503" },
  { ...base, at: 50, type: "node_finished", nodeId: "a", span: "a#1", output: "hello", durationMs: 48, usage: u(0.01), backend: "generator" },
  { ...base, at: 90, type: "node_finished", nodeId: "b", span: "b#1", output: "B!", durationMs: 88, usage: u(0.02), backend: "enricher" },
  { ...base, at: 91, type: "node_started", nodeId: "r", span: "r#1", kind: "route", attempt: 1 },
  { ...base, at: 91, type: "route_decided", nodeId: "r", span: "r#1", branch: "yes", reason: "rule matched" },
  { ...base, at: 91, type: "node_finished", nodeId: "r", span: "r#1", output: { branch: "yes" }, durationMs: 0, usage: u(), branch: "yes" },
  { ...base, at: 92, type: "node_started", nodeId: "out", span: "out#1", kind: "output", attempt: 1 },
  { ...base, at: 92, type: "node_finished", nodeId: "out", span: "out#1", output: "done", durationMs: 0, usage: u() },
  { ...base, at: 93, type: "run_finished", output: "done", durationMs: 93, usage: { inputTokens: 5, outputTokens: 10, costUsd: 0.03 } },
];
const pipeline: Pipeline = {
  format: "braid/pipeline@1",
  name: "p",
  nodes: ["in", "a", "b", "r", "no", "out"].map((id) => ({ id, kind: "x" })),
  edges: [
    { from: "in", to: "a" },
    { from: "in", to: "b" },
    { from: "a", to: "r" },
    { from: "b", to: "r" },
    { from: "r", to: "out", branch: "yes" },
    { from: "r", to: "no", branch: "no" },
  ],
};

describe("run view model", () => {
  it("reduces events into node states, spans, state and totals", () => {
    const v = runViewAt(events);
    expect(v).toMatchObject({ status: "completed", output: "done", usage: { costUsd: 0.03 }, state: { input: { q: 1 }, a: "hello", b: "B!", out: "done" } });
    expect(v.nodes.a).toMatchObject({ status: "ok", usage: { costUsd: 0.01 }, lastOutput: "hello" });
    expect(v.nodes.b?.retried).toBe(true);
    expect(v.nodes.r).toMatchObject({ branch: "yes", reason: "rule matched" });
    expect(v.spans["a#1"]).toMatchObject({ tokens: "hello", prompt: "A?", backend: "generator", durationMs: 48 });
  });

  it("shows the state at each step: running nodes, partial tokens, nothing from the future", () => {
    const v = runViewAt(events, 7);
    expect(v.status).toBe("running");
    expect(v.nodes.a?.status).toBe("running");
    expect(v.nodes.b?.status).toBe("running");
    expect(v.spans["a#1"]?.tokens).toBe("hello");
    expect(v.state).toEqual({ input: { q: 1 }, in: { q: 1 } });
    expect(v.nodes.r).toBeUndefined();
  });

  it("puts parallel branches on separate timeline lanes and later spans back on lane 0", () => {
    const v = runViewAt(events);
    expect(v.spans["a#1"]?.lane).not.toBe(v.spans["b#1"]?.lane);
    expect(v.spans["r#1"]?.lane).toBe(0);
    expect(v.lanes).toBe(2);
  });

  it("is deterministic and tolerates parallel events out of order", () => {
    const shuffled = [...events];
    // b's finish before its start, a's tokens after its finish
    const i = shuffled.findIndex((e) => e.type === "node_finished" && e.nodeId === "b");
    const [bFinish] = shuffled.splice(i, 1);
    shuffled.splice(4, 0, bFinish as RunEvent);
    const a = runViewAt(shuffled);
    const b = runViewAt(shuffled);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.nodes.b).toMatchObject({ status: "ok", lastOutput: "B!" });
    expect(a.spans["b#1"]).toMatchObject({ status: "ok", prompt: "B?", durationMs: 88 });
    expect(a.state).toEqual(runViewAt(events).state);
  });

  it("marks the edges the run took, with the route's reason", () => {
    const taken = takenEdges(pipeline, runViewAt(events));
    expect(taken.map((t) => `${t.from}->${t.to}`)).toEqual(["in->a", "in->b", "a->r", "b->r", "r->out"]);
    expect(taken.find((t) => t.from === "r")?.reason).toBe("rule matched");
    expect(takenEdges(pipeline, runViewAt(events, 5)).map((t) => `${t.from}->${t.to}`)).toEqual(["in->a", "in->b"]);
  });

  it("marks still-running spans failed when the run ends without them", () => {
    const cancelled: RunEvent[] = [...events.slice(0, 6), { ...base, at: 10, type: "run_cancelled", reason: "stop", durationMs: 10, usage: u() }];
    const v = runViewAt(cancelled);
    expect(v).toMatchObject({ status: "cancelled", cancelReason: "stop" });
    expect(v.spans["a#1"]?.status).toBe("failed");
    expect(v.nodes.a?.status).toBe("failed");
  });
});
