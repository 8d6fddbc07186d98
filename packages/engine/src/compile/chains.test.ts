import { MemorySaver } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { defaultRegistry } from "@braid/nodes";
import { PipelineGraph, type RunEvent } from "@braid/core";
import { exampleNames, gen, loadExample, ofType, pipeline, zeroPool } from "../pipeline-tests/helpers.js";
import { runToEnd, startRun } from "../run/run.js";
import { findChains } from "./chains.js";
import { compile, type CompiledNode } from "./compile.js";

const graphNodes = (c: ReturnType<typeof compile>) =>
  Object.keys(c.graph.nodes)
    .filter((n) => n !== "__start__")
    .sort();

/** Each node's events without their times, as a sorted list: what the run did at that node, in any order of branches. */
function perNode(events: RunEvent[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of events) {
    if (!("nodeId" in e)) continue;
    const { at: _at, durationMs: _d, ...rest } = e as RunEvent & { durationMs?: number };
    (out[e.nodeId] ??= []).push(JSON.stringify(rest));
  }
  for (const list of Object.values(out)) list.sort();
  return out;
}

describe("chains: one LangGraph step for a run of nodes, without a checkpointer", () => {
  it("without a checkpointer the sequential example is one step; with one, every node is its own", () => {
    const p = loadExample("sequential");
    expect(graphNodes(compile(p, defaultRegistry))).toEqual(["node.in"]);
    expect(graphNodes(compile(p, defaultRegistry, { checkpointer: new MemorySaver() }))).toEqual([
      "node.basic",
      "node.enrich",
      "node.in",
      "node.out",
      "node.validate",
    ]);
    // Superstep scheduling is LangGraph's own, node by node.
    expect(graphNodes(compile(p, defaultRegistry, { scheduling: "supersteps" }))).toHaveLength(5);
  });

  it("a loop's target, a merge and a second way in end a chain; a critique ends one and keeps its branches", () => {
    const p = loadExample("validation-loop");
    const compiled = compile(p, defaultRegistry);
    const topology = new PipelineGraph(p);
    const chains = findChains(topology, compiled.nodes as Map<string, CompiledNode>, topology.reachable("in"), new Set(), "out");
    // check: entered by gen and by fix (the loop); out: by check and best.
    expect(chains).toEqual([["in", "gen"]]);
    const merged = pipeline(
      [gen("a"), gen("b"), gen("c"), { id: "m", kind: "merge", config: { strategy: "object" } }, gen("d")],
      [
        ["in", "a"],
        ["a", "b"],
        ["a", "c"],
        ["b", "m"],
        ["c", "m"],
        ["m", "d"],
        ["d", "out"],
      ],
    );
    const t2 = new PipelineGraph(merged);
    const c2 = compile(merged, defaultRegistry, { scheduling: "supersteps" });
    expect(findChains(t2, c2.nodes as Map<string, CompiledNode>, t2.reachable("in"), new Set(), "out")).toEqual([
      ["in", "a"],
      ["d", "out"],
    ]);
  });

  it.each(exampleNames())("%s: the same output and the same events at every node as node-by-node steps", async (name) => {
    const p = loadExample(name);
    for (const seed of [1, 6]) {
      const opts = { registry: defaultRegistry, pool: zeroPool(), seed, runId: `chains-${seed}`, tokens: false } as const;
      const chained = await runToEnd(p, opts);
      const stepped = await runToEnd(p, { ...opts, checkpointer: new MemorySaver() });
      if (stepped.last.type === "run_waiting") {
        // An approval needs a checkpointer: without one the run says so, chained or not.
        expect(chained.last).toMatchObject({ type: "run_failed", error: { code: "E_APPROVAL_UNSUPPORTED" } });
        continue;
      }
      expect(chained.last.type).toBe(stepped.last.type);
      expect((chained.last as { output?: unknown }).output).toEqual((stepped.last as { output?: unknown }).output);
      expect(perNode(chained.events)).toEqual(perNode(stepped.events));
    }
  });

  it("a cancel during a chain's node stops the chain before its next node", async () => {
    const slow = { name: "slow", provider: "simulated" as const, model: "sim", simulation: { latencyMs: 40, streamChunks: 0 } };
    const p = pipeline(
      [gen("a", { backend: "slow" }), gen("b", { backend: "slow" }), gen("c", { backend: "slow" })],
      [
        ["in", "a"],
        ["a", "b"],
        ["b", "c"],
        ["c", "out"],
      ],
    );
    expect(graphNodes(compile(p, defaultRegistry))).toEqual(["node.in"]);
    const pool = zeroPool([slow]);
    // The run ends as soon as LangGraph sees the cancel; what goes on behind it shows only in the backend calls.
    let calls = 0;
    const call = pool.call.bind(pool);
    pool.call = (...args) => {
      calls++;
      return call(...args);
    };
    const run = startRun(p, { registry: defaultRegistry, pool, seed: 1, runId: "cancel-chain", tokens: false });
    const events: RunEvent[] = [];
    for await (const e of run.events) {
      events.push(e);
      if (e.type === "node_finished" && e.nodeId === "a") run.cancel("stop");
    }
    expect(events.at(-1)?.type).toBe("run_cancelled");
    expect(ofType(events, "node_started").map((e) => e.nodeId)).toEqual(["in", "a"]);
    await new Promise((r) => setTimeout(r, 150));
    expect(calls).toBe(1);
  });
});
