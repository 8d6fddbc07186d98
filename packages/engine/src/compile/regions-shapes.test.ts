/**
 * Critical-path scheduling over branches of every shape a region may hold: chains, a critique loop
 * with its corrector, a route choosing one of two arms, and a nested fan-out with its own merge.
 * Over random pipelines and seeds no node waits, once its inputs are ready, for more than a couple
 * of steps' cost (readiness gaps, readiness.test-helper.ts: a superstep's wait for an unrelated
 * slow node shows as one long gap), and outputs and each node's events are the same as superstep
 * scheduling gives.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defaultRegistry } from "@braid/nodes";
import { BackendConfigSchema, type Pipeline, PipelineGraph, type RunEvent } from "@braid/core";
import { createPool } from "../backends/default-pool.js";
import { runToEnd } from "../run/run.js";
import { compile, type CompiledNode } from "./compile.js";
import { type Scheduling, findRegions } from "./regions.js";
import { longestWait } from "./readiness.test-helper.js";

const LATENCIES = [0, 5, 15, 30];
const pool = () =>
  createPool({
    latency: "zero",
    extra: LATENCIES.map((ms) =>
      BackendConfigSchema.parse({ name: `t${ms}`, provider: "simulated", model: "sim", simulation: { latencyMs: ms, streamChunks: 0 } }),
    ),
  });

type Part =
  | { t: "chain"; ms: number[] }
  | { t: "loop"; ms: number; attempts: number }
  | { t: "route"; arms: [number, number] }
  | { t: "fan"; branches: number[][] };

/** A pipeline of layers, each a fan-out into parts closed by a merge. */
function build(layers: Part[][]) {
  const nodes: Array<Record<string, unknown>> = [{ id: "in", kind: "input" }];
  const edges: Array<{ from: string; to: string; branch?: string }> = [];
  const gen = (id: string, ms: number, about: string, extra: Record<string, unknown> = {}) =>
    nodes.push({ id, kind: "generate", config: { backend: `t${ms}`, prompt: `Step ${id} about {{${about}}}`, ...extra } });
  const chain = (ids: string[], from: string, to: string) => {
    let prev = from;
    for (const id of ids) {
      edges.push({ from: prev, to: id });
      prev = id;
    }
    edges.push({ from: prev, to });
  };
  /** Per part: the node ids whose durations add up in series, or parallel groups of them. */
  let prev = "in";
  layers.forEach((parts, l) => {
    const join = `m${l}`;
    parts.forEach((part, b) => {
      const p = `l${l}b${b}`;
      if (part.t === "chain") {
        const ids = part.ms.map((ms, k) => {
          gen(`${p}_${k}`, ms, k === 0 ? prev : `${p}_${k - 1}`);
          return `${p}_${k}`;
        });
        chain(ids, prev, join);
      } else if (part.t === "loop") {
        gen(`${p}_draft`, part.ms, prev);
        nodes.push({
          id: `${p}_check`,
          kind: "critique",
          config: { backend: `t${part.ms}`, target: `${p}_draft`, rubric: ["is concise"], maxAttempts: part.attempts },
        });
        gen(`${p}_fix`, part.ms, `${p}_draft`, { revises: `${p}_draft`, prompt: `Fix {{${p}_draft}} given {{${p}_check.issues}}` });
        gen(`${p}_best`, part.ms, `${p}_draft`, { revises: `${p}_draft`, prompt: `Best fix of {{${p}_draft}} given {{${p}_check.issues}}` });
        edges.push(
          { from: prev, to: `${p}_draft` },
          { from: `${p}_draft`, to: `${p}_check` },
          { from: `${p}_check`, to: join, branch: "pass" },
          { from: `${p}_check`, to: `${p}_fix`, branch: "fail" },
          { from: `${p}_fix`, to: `${p}_check` },
          { from: `${p}_check`, to: `${p}_best`, branch: "exhausted" },
          { from: `${p}_best`, to: join },
        );
      } else if (part.t === "route") {
        nodes.push({
          id: `${p}_route`,
          kind: "route",
          config: {
            strategy: "weighted",
            branches: [
              { id: "a", weight: 1 },
              { id: "b", weight: 1 },
            ],
            default: "a",
          },
        });
        gen(`${p}_a`, part.arms[0], prev);
        gen(`${p}_b`, part.arms[1], prev);
        edges.push(
          { from: prev, to: `${p}_route` },
          { from: `${p}_route`, to: `${p}_a`, branch: "a" },
          { from: `${p}_route`, to: `${p}_b`, branch: "b" },
          { from: `${p}_a`, to: join },
          { from: `${p}_b`, to: join },
        );
        // Only one arm runs; the other has no duration.
      } else {
        gen(`${p}_fan`, 0, prev);
        const inner = part.branches.map((msList, i) =>
          msList.map((ms, k) => {
            gen(`${p}_${i}_${k}`, ms, k === 0 ? `${p}_fan` : `${p}_${i}_${k - 1}`);
            return `${p}_${i}_${k}`;
          }),
        );
        nodes.push({ id: `${p}_merge`, kind: "merge", config: { strategy: "object" } });
        edges.push({ from: prev, to: `${p}_fan` });
        for (const ids of inner) chain(ids, `${p}_fan`, `${p}_merge`);
        edges.push({ from: `${p}_merge`, to: join });
      }
    });
    nodes.push({ id: join, kind: "merge", config: { strategy: "object" } });
    prev = join;
  });
  nodes.push({ id: "out", kind: "output" });
  edges.push({ from: prev, to: "out" });
  const pipeline = { format: "braid/pipeline@1", name: "shapes", input: { example: { topic: "otters" } }, nodes, edges } as unknown as Pipeline;
  return { pipeline };
}

const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x) =>
    x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x,
  );

async function measure(p: Pipeline, scheduling: Scheduling, seed: number) {
  const r = await runToEnd(p, { registry: defaultRegistry, pool: pool(), seed, scheduling, tokens: false, runId: `run_${seed}` });
  const wall = r.last.at - (r.events[0]?.at ?? r.last.at);
  const durations = new Map<string, number>();
  const perNode = new Map<string, Set<string>>();
  let executions = 0;
  for (const e of r.events) {
    if (e.type === "node_finished") {
      durations.set(e.nodeId, (durations.get(e.nodeId) ?? 0) + e.durationMs);
      executions++;
    }
    if (!("nodeId" in e)) continue;
    const { at: _at, durationMs: _d, ...rest } = e as RunEvent & { durationMs?: number };
    const set = perNode.get(e.nodeId) ?? new Set<string>();
    set.add(canonical(rest));
    perNode.set(e.nodeId, set);
  }
  return { r, wall, durations, perNode, executions };
}

const ms = fc.constantFrom(...LATENCIES);
const part: fc.Arbitrary<Part> = fc.oneof(
  fc.record({ t: fc.constant("chain" as const), ms: fc.array(ms, { minLength: 1, maxLength: 3 }) }),
  fc.record({ t: fc.constant("loop" as const), ms, attempts: fc.integer({ min: 2, max: 3 }) }),
  fc.record({ t: fc.constant("route" as const), arms: fc.tuple(ms, ms) }),
  fc.record({ t: fc.constant("fan" as const), branches: fc.array(fc.array(ms, { minLength: 1, maxLength: 2 }), { minLength: 2, maxLength: 2 }) }),
);
const layers = fc.array(fc.array(part, { minLength: 2, maxLength: 3 }), { minLength: 1, maxLength: 2 });

describe("critical-path scheduling over loops, routes and nested fan-outs", () => {
  it("finds a region for every multi-node branch, nested fan-outs inside their region", () => {
    const { pipeline } = build([
      [
        { t: "loop", ms: 5, attempts: 3 },
        { t: "route", arms: [5, 15] },
        { t: "fan", branches: [[5, 5], [15]] },
        { t: "chain", ms: [5] },
      ],
    ]);
    const compiled = compile(pipeline, defaultRegistry);
    const topology = new PipelineGraph(pipeline);
    const nodes = compiled.nodes as Map<string, CompiledNode>;
    const outer = findRegions(topology, nodes, topology.reachable("in"));
    // The one-node chain is a step already; the other three branches each get a region.
    expect(outer.map((r) => r.head).sort()).toEqual(["l0b0_draft", "l0b1_route", "l0b2_fan"]);
    expect(outer.every((r) => r.join === "m0")).toBe(true);
    const fan = outer.find((r) => r.head === "l0b2_fan");
    expect([...(fan?.members ?? [])].sort()).toEqual(["l0b2_0_0", "l0b2_0_1", "l0b2_1_0", "l0b2_fan", "l0b2_merge"]);
    const inner = findRegions(topology, nodes, fan?.members ?? new Set());
    expect(inner.map((r) => [r.head, r.join])).toEqual([["l0b2_0_0", "l0b2_merge"]]);
  });

  it("a branch a path can end inside, or one that pauses, is left to supersteps", () => {
    const { pipeline } = build([
      [
        { t: "loop", ms: 5, attempts: 3 },
        { t: "chain", ms: [5, 5] },
      ],
    ]);
    // Drop the exhausted branch's edge: a path can now end inside the loop's branch.
    const cut = { ...pipeline, edges: pipeline.edges.filter((e) => !(e.from === "l0b0_check" && e.branch === "exhausted")) } as Pipeline;
    const topology = new PipelineGraph(cut);
    const nodes = compile(cut, defaultRegistry).nodes as Map<string, CompiledNode>;
    expect(findRegions(topology, nodes, topology.reachable("in")).map((r) => r.head)).toEqual(["l0b1_0"]);
  });

  it("random shapes: no node waits long once its inputs are ready; outputs and per-node events as with supersteps", async () => {
    await fc.assert(
      fc.asyncProperty(layers, fc.integer({ min: 1, max: 1000 }), async (shape, seed) => {
        const { pipeline } = build(shape);
        const cp = await measure(pipeline, "critical-path", seed);
        expect(cp.r.last.type).toBe("run_finished");
        // Every join and the output run once: each waits for all of its branches.
        for (const n of pipeline.nodes.filter((n) => n.kind === "merge" || n.kind === "output"))
          expect(cp.r.events.filter((e) => e.type === "node_finished" && e.nodeId === n.id)).toHaveLength(1);
        // No node waits after its inputs are ready for more than a couple of steps' cost (a pause on the host shows in one run, so the best of three).
        let wait = longestWait(pipeline, cp.r.events, 25);
        for (let i = 0; i < 2 && wait.longest >= wait.allowed; i++) wait = longestWait(pipeline, (await measure(pipeline, "critical-path", seed)).r.events, 25);
        expect(wait.longest).toBeLessThan(wait.allowed);
        // Supersteps run a join beside a nested fan-out twice (see the next test), so only flat shapes compare.
        if (shape.some((layer) => layer.some((p) => p.t === "fan"))) return;
        const flat = await measure(pipeline, "supersteps", seed);
        expect((cp.r.last as { output: unknown }).output).toEqual((flat.r.last as { output: unknown }).output);
        for (const [id, set] of flat.perNode) expect([...(cp.perNode.get(id) ?? [])].sort()).toEqual([...set].sort());
        expect([...cp.perNode.keys()].sort()).toEqual([...flat.perNode.keys()].sort());
      }),
      { numRuns: 15 },
    );
  });

  it("a join beside a nested fan-out runs once, with every branch's output; supersteps ran it (and all after it) twice", async () => {
    const { pipeline } = build([
      [
        { t: "chain", ms: [0] },
        { t: "fan", branches: [[0], [0]] },
      ],
    ]);
    const finishes = (r: { events: RunEvent[] }, id: string) => r.events.filter((e) => e.type === "node_finished" && e.nodeId === id).length;
    const flat = await measure(pipeline, "supersteps", 1);
    const cp = await measure(pipeline, "critical-path", 1);
    // The superstep engine's defect, kept visible here: the outer merge fires with the short branch alone, then again.
    expect(finishes(flat.r, "m0")).toBe(2);
    expect(finishes(cp.r, "m0")).toBe(1);
    expect(finishes(cp.r, "out")).toBe(1);
    const merged = (cp.r.last as { output: { m0: Record<string, unknown> } }).output.m0;
    // The object strategy spreads the inner merge's object: both inner branches arrive with the short one.
    expect(Object.keys(merged).sort()).toEqual(["l0b0_0", "l0b1_0_0", "l0b1_1_0"]);
  });

  it("skewed loop beside a chain: supersteps pay for the loop's steps, regions do not", async () => {
    const { pipeline } = build([
      [
        { t: "loop", ms: 30, attempts: 3 },
        { t: "chain", ms: [30, 0, 30] },
      ],
    ]);
    // Warm: the first run of a process pays for loading and JIT, not for scheduling.
    await measure(pipeline, "critical-path", 2);
    const cp = await measure(pipeline, "critical-path", 2);
    const flat = await measure(pipeline, "supersteps", 2);
    const wait = longestWait(pipeline, cp.r.events, 20);
    expect(wait.longest).toBeLessThan(wait.allowed);
    // With supersteps the chain's 0 ms node waits for the judge (30 ms) after its input is ready.
    expect(longestWait(pipeline, flat.r.events, 20).longest).toBeGreaterThan(wait.allowed);
  });
});
