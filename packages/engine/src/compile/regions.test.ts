/**
 * Critical-path scheduling (scheduling: "critical-path"): over random pipelines of fan-outs whose
 * branches are chains of unequal length and latency, no node waits long once its inputs are ready
 * (readiness gaps, readiness.test-helper.ts), and outputs and each node's events are the same as
 * superstep scheduling gives for the same seed.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defaultRegistry } from "@braid/nodes";
import { BackendConfigSchema, type Pipeline, type RunEvent } from "@braid/core";
import { createPool } from "../backends/default-pool.js";
import { MemorySaver } from "@langchain/langgraph";
import { waitingAt } from "../index.js";
import { resumeLogFrom } from "../run/context.js";
import { planReuse } from "../run/reuse.js";
import { runToEnd, startRun } from "../run/run.js";
import type { Scheduling } from "./regions.js";
import { longestWait } from "./readiness.test-helper.js";

const LATENCIES = [0, 5, 15, 40];
const pool = () =>
  createPool({
    latency: "zero",
    extra: LATENCIES.map((ms) =>
      BackendConfigSchema.parse({ name: `t${ms}`, provider: "simulated", model: "sim", simulation: { latencyMs: ms, streamChunks: 0 } }),
    ),
  });

/** Layers of fan-outs: each branch a chain of generate nodes with the given latencies, closed by a merge. */
function layered(layers: number[][][]): Pipeline {
  const nodes: Array<Record<string, unknown>> = [{ id: "in", kind: "input" }];
  const edges: Array<{ from: string; to: string }> = [];
  let prev = "in";
  layers.forEach((branches, l) => {
    const join = `m${l}`;
    branches.forEach((chain, b) => {
      let from = prev;
      chain.forEach((ms, k) => {
        const id = `n${l}_${b}_${k}`;
        nodes.push({ id, kind: "generate", config: { backend: `t${ms}`, prompt: `Step ${id} after {{${from}}}` } });
        edges.push({ from, to: id });
        from = id;
      });
      edges.push({ from, to: join });
    });
    nodes.push({ id: join, kind: "merge", config: { strategy: "object" } });
    prev = join;
  });
  nodes.push({ id: "out", kind: "output" });
  edges.push({ from: prev, to: "out" });
  return { format: "braid/pipeline@1", name: "layered", input: { example: { topic: "otters" } }, nodes, edges } as unknown as Pipeline;
}

/** JSON with object keys sorted: the output node without config returns every output, in the order they were written. */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x) =>
    x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x,
  );

async function measure(p: Pipeline, scheduling: Scheduling, seed: number) {
  const r = await runToEnd(p, { registry: defaultRegistry, pool: pool(), seed, scheduling, tokens: false, runId: `run_${seed}` });
  // From run_started to the end: compiling the pipeline is not scheduling.
  const wall = r.last.at - (r.events[0]?.at ?? r.last.at);
  const perNode = new Map<string, Set<string>>();
  for (const e of r.events) {
    if (!("nodeId" in e)) continue;
    const { at: _at, durationMs: _d, ...rest } = e as RunEvent & { durationMs?: number };
    const set = perNode.get(e.nodeId) ?? new Set<string>();
    set.add(canonical(rest));
    perNode.set(e.nodeId, set);
  }
  return { r, wall, perNode };
}

const chain = fc.array(fc.constantFrom(...LATENCIES), { minLength: 1, maxLength: 3 });
const layers = fc.array(fc.array(chain, { minLength: 2, maxLength: 3 }), { minLength: 1, maxLength: 2 });

describe("critical-path scheduling", () => {
  it("skewed branches (slow then fast ‖ fast then slow) take the critical path, not the sum of step maxima", async () => {
    const p = layered([
      [
        [40, 5],
        [5, 40],
      ],
    ]);
    // Warm: the first run of a process pays for loading and JIT, not for scheduling.
    await measure(p, "supersteps", 1);
    await measure(p, "critical-path", 1);
    const flat = await measure(p, "supersteps", 1);
    const cp = await measure(p, "critical-path", 1);
    expect(cp.r.last.type).toBe("run_finished");
    const wait = longestWait(p, cp.r.events, 25);
    expect(wait.longest).toBeLessThan(wait.allowed);
    // The fast-first branch's slow node starts while the other branch's slow node runs; with
    // supersteps it waits for it (40 ms): the gap the new scheduling closes, read from the order of events.
    const at = (r: typeof cp.r, type: "node_started" | "node_finished", id: string) => r.events.find((e) => e.type === type && e.nodeId === id)?.at as number;
    expect(at(cp.r, "node_started", "n0_1_1")).toBeLessThan(at(cp.r, "node_finished", "n0_0_0"));
    expect(at(flat.r, "node_started", "n0_1_1")).toBeGreaterThanOrEqual(at(flat.r, "node_finished", "n0_0_0"));
  });

  it("random fan-outs of unequal chains: no node waits long once its inputs are ready; outputs and per-node events as with supersteps", async () => {
    await fc.assert(
      fc.asyncProperty(layers, fc.integer({ min: 1, max: 1000 }), async (shape, seed) => {
        const p = layered(shape);
        const flat = await measure(p, "supersteps", seed);
        const cp = await measure(p, "critical-path", seed);
        expect(cp.r.last.type).toBe("run_finished");
        expect((cp.r.last as { output: unknown }).output).toEqual((flat.r.last as { output: unknown }).output);
        for (const [id, set] of flat.perNode) expect([...(cp.perNode.get(id) ?? [])].sort()).toEqual([...set].sort());
        // No node waits after its inputs are ready for more than a couple of steps' cost (a pause on the host shows in one run, so the best of three).
        let wait = longestWait(p, cp.r.events, 25);
        for (let i = 0; i < 2 && wait.longest >= wait.allowed; i++) wait = longestWait(p, (await measure(p, "critical-path", seed)).r.events, 25);
        expect(wait.longest).toBeLessThan(wait.allowed);
      }),
      { numRuns: 12 },
    );
  });

  it("a run stopped inside a chain resumes from its checkpoint: every node finishes exactly once, same output", async () => {
    const p = layered([
      [
        [5, 40, 5],
        [40, 5],
      ],
    ]);
    const whole = await measure(p, "supersteps", 7);
    const saver = new MemorySaver();
    const controller = new AbortController();
    const opts = {
      registry: defaultRegistry,
      pool: pool(),
      seed: 7,
      runId: "run_cut",
      scheduling: "critical-path" as const,
      checkpointer: saver,
      tokens: false,
    };
    const logged: RunEvent[] = [];
    // The process "dies" once the chain's first node has finished: what was logged up to there is all that survives.
    for await (const e of startRun(p, { ...opts, signal: controller.signal }).events) {
      if (controller.signal.aborted) continue;
      logged.push(e);
      if (e.type === "node_finished" && e.nodeId === "n0_0_0") controller.abort();
    }
    const resumed: RunEvent[] = [];
    for await (const e of startRun(p, { ...opts, resume: true, resumeLog: resumeLogFrom(logged) }).events) resumed.push(e);
    const all = [...logged, ...resumed];
    const finishes = all.filter((e) => e.type === "node_finished").map((e) => (e as { span: string }).span);
    expect(new Set(finishes).size).toBe(finishes.length);
    expect(new Set(finishes)).toEqual(new Set(p.nodes.map((n) => `${n.id}#1`)));
    expect(all.filter((e) => e.type === "node_started" && e.nodeId === "n0_0_0")).toHaveLength(1);
    expect(resumed.at(-1)?.type).toBe("run_finished");
    expect((resumed.at(-1) as { output: unknown }).output).toEqual((whole.r.last as { output: unknown }).output);
  });

  it("re-run from a node inside a chain reuses what is upstream and re-runs the rest, as with supersteps", async () => {
    const p = layered([
      [
        [5, 5, 5],
        [5, 5],
      ],
    ]);
    const first = await measure(p, "critical-path", 3);
    const plan = planReuse(p, first.r.events, { fromNode: "n0_0_1" });
    const rerun = async (scheduling: Scheduling) =>
      runToEnd(p, { registry: defaultRegistry, pool: pool(), seed: 4, scheduling, tokens: false, runId: "run_rerun", reuse: plan.reuse });
    const cp = await rerun("critical-path");
    const flat = await rerun("supersteps");
    const reused = (r: { events: RunEvent[] }) =>
      r.events
        .filter((e) => e.type === "node_finished" && (e as { reused?: boolean }).reused)
        .map((e) => (e as { nodeId: string }).nodeId)
        .sort();
    expect(reused(cp)).toEqual(reused(flat));
    expect(reused(cp)).toContain("n0_0_0");
    expect(reused(cp)).not.toContain("n0_0_1");
    expect((cp.last as { output: unknown }).output).toEqual((flat.last as { output: unknown }).output);
  });

  it("an approval beside a chain pauses and resumes as with supersteps; the chain runs while the review waits", async () => {
    const p = {
      format: "braid/pipeline@1",
      name: "review beside a chain",
      input: { example: { topic: "otters" } },
      nodes: [
        { id: "in", kind: "input" },
        { id: "a1", kind: "generate", config: { backend: "t5", prompt: "a1 {{input.topic}}" } },
        { id: "a2", kind: "generate", config: { backend: "t5", prompt: "a2 {{a1}}" } },
        { id: "review", kind: "approval", config: { message: "Check {{input.topic}}" } },
        { id: "pub", kind: "generate", config: { backend: "t5", prompt: "publish {{input.topic}}" } },
        { id: "join", kind: "merge", config: { strategy: "object" } },
        { id: "out", kind: "output" },
      ],
      edges: [
        { from: "in", to: "a1" },
        { from: "a1", to: "a2" },
        { from: "a2", to: "join" },
        { from: "in", to: "review" },
        { from: "review", to: "pub", branch: "approved" },
        { from: "review", to: "join", branch: "rejected" },
        { from: "pub", to: "join" },
        { from: "join", to: "out" },
      ],
    } as unknown as Pipeline;
    const drive = async (scheduling: Scheduling) => {
      const base = { registry: defaultRegistry, pool: pool(), seed: 9, runId: "run_review", scheduling, checkpointer: new MemorySaver(), tokens: false };
      const first: RunEvent[] = [];
      for await (const e of startRun(p, base).events) first.push(e);
      const waiting = waitingAt(first);
      const answer = { node: waiting?.nodeId ?? "", decision: "approved", decidedAt: 1 };
      const second: RunEvent[] = [];
      for await (const e of startRun(p, { ...base, resume: true, answer, resumeLog: resumeLogFrom(first) }).events) second.push(e);
      return { first, second };
    };
    const cp = await drive("critical-path");
    const flat = await drive("supersteps");
    expect(cp.first.at(-1)).toMatchObject({ type: "run_waiting", nodeId: "review" });
    expect(cp.first.some((e) => e.type === "node_finished" && e.nodeId === "a2")).toBe(true);
    expect(cp.second.at(-1)?.type).toBe("run_finished");
    expect((cp.second.at(-1) as { output: unknown }).output).toEqual((flat.second.at(-1) as { output: unknown }).output);
    const finishes = [...cp.first, ...cp.second].filter((e) => e.type === "node_finished").map((e) => (e as { span: string }).span);
    expect(new Set(finishes).size).toBe(finishes.length);
  });
});
