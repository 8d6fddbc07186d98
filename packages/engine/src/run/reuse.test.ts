import { describe, expect, it } from "vitest";
import type { RunEvent, Pipeline } from "@braid/core";
import { planReuse } from "./reuse.js";

const pipeline: Pipeline = {
  format: "braid/pipeline@1",
  name: "p",
  nodes: ["in", "a", "b", "c", "out"].map((id) => ({ id, kind: id === "in" ? "input" : id === "out" ? "output" : "generate" })),
  edges: [
    { from: "in", to: "a" },
    { from: "a", to: "b" },
    { from: "b", to: "c" },
    { from: "c", to: "out" },
  ],
};
const fin = (nodeId: string, output: unknown, costUsd: number): RunEvent => ({
  type: "node_finished",
  runId: "r",
  at: 0,
  nodeId,
  span: `${nodeId}#1`,
  output,
  durationMs: 1,
  usage: { inputTokens: 10, outputTokens: 5, costUsd },
});
const events: RunEvent[] = [fin("in", { x: 1 }, 0), fin("a", "A", 0.01), fin("b", "B", 0.02), fin("c", "C", 0.04), fin("out", "C", 0)];

describe("planReuse", () => {
  it("re-runs a node and everything downstream, reusing and pricing the rest", () => {
    const plan = planReuse(pipeline, events, { fromNode: "b" });
    expect([...plan.reuse.keys()]).toEqual(["in", "a"]);
    expect(plan.rerun).toEqual(["b", "c", "out"]);
    expect(plan.savedUsd).toBeCloseTo(0.01);
    expect(plan.savedTokens).toBe(30);
  });

  it("forks at a step with edited state", () => {
    const plan = planReuse(
      pipeline,
      events.map((event, i) => ({ seq: i + 1, event })),
      { uptoSeq: 3, state: { a: "A", b: "edited B", c: "ignored" } },
    );
    expect([...plan.reuse.keys()]).toEqual(["in", "a", "b"]);
    expect(plan.reuse.get("b")?.[0]?.output).toBe("edited B");
    expect(plan.rerun).toEqual(["c", "out"]);
  });
});
