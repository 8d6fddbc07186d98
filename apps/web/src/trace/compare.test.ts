import { describe, expect, it } from "vitest";
import { compareRuns } from "./compare.js";
import { parallelRun, pipeline } from "./fixtures.test-helper.js";
import { traceEdges } from "./edges.js";
import { deriveEdges } from "../doc/derive.js";
import { defaultRegistry } from "@braid/nodes";
import { receive, emptySession } from "./session.js";

describe("compare two runs node by node", () => {
  it("diffs outputs and prompts, and sums tokens and cost", () => {
    const a = parallelRun("r1");
    const b = parallelRun("r2", { aOutput: { a: 9 }, prompt: "A one", reuseA: false });
    const c = compareRuns({ runId: "r1", pipeline, items: a }, { runId: "r2", pipeline, items: b });
    const nodeA = c.nodes.find((n) => n.nodeId === "a");
    expect(nodeA?.outputSame).toBe(false);
    expect(nodeA?.outputDiff.some((p) => p.added && p.value.includes("9"))).toBe(true);
    expect(nodeA?.promptSame).toBe(false);
    expect(nodeA?.promptDiff.some((p) => p.removed && p.value.includes("1"))).toBe(true);
    expect(c.nodes.find((n) => n.nodeId === "b")).toMatchObject({ outputSame: true, promptSame: true });
    expect(c.pathSame).toBe(true);
    expect(c.totals.a).toMatchObject({ status: "completed", tokens: 60, durationMs: 205 });
  });

  it("does not call a reused node's missing prompt a difference", () => {
    const a = parallelRun("r1");
    const b = parallelRun("r2", { reuseA: true });
    const events = b.map((i) => (i.event.type === "node_started" && i.event.nodeId === "a" ? { ...i, event: { ...i.event, prompt: undefined } } : i));
    const c = compareRuns({ runId: "r1", pipeline, items: a }, { runId: "r2", pipeline, items: events });
    expect(c.nodes.find((n) => n.nodeId === "a")).toMatchObject({ promptSame: true, b: { reused: true, tokens: 0 } });
  });
});

describe("edges during a run", () => {
  it("marks taken edges, animates those into running nodes, and dims the rest", () => {
    const edges = deriveEdges(pipeline, [], new Set(), defaultRegistry);
    const s = receive(emptySession(), parallelRun().slice(0, 5), pipeline, true).session;
    const traced = traceEdges(edges, s.taken, s.running, true);
    const byId = Object.fromEntries(traced.map((e) => [e.id, e]));
    expect(byId["in->a"]?.className).toContain("edge-taken");
    expect(byId["in->a"]?.animated).toBe(true);
    expect(byId["a->m"]?.className).toContain("edge-untaken");
    expect(traceEdges(edges, s.taken, s.running, false)).toBe(edges);
  });
});
