import { readFileSync } from "node:fs";
import { type Pipeline, parsePipeline } from "@braid/engine";

export const ROOT = new URL("../../", import.meta.url).pathname;

export function loadExample(name: string): Pipeline {
  const parsed = parsePipeline(readFileSync(`${ROOT}examples/${name}.json`, "utf8"));
  if (!parsed.ok) throw new Error(`examples/${name}.json is invalid`);
  return parsed.pipeline;
}

/** What every benchmark generate node asks for: a small JSON object. */
export const BENCH_SHAPE = { name: "string", email: "string", age: 0 };
export const BENCH_PROMPT = "Create a user profile for {{input.topic}}.";

/**
 * A bounded loop: in → gen → loop(route) —again→ gen … —done→ out. The route takes `again` on its
 * first `iterations` visits and `done` on the next, so gen and the route each run iterations + 1
 * times and a run has 2·iterations + 4 node steps.
 */
export function loopPipeline(iterations: number): Pipeline {
  return {
    format: "braid/pipeline@1",
    name: `loop ${iterations}`,
    input: { example: { topic: "benchmarks" } },
    nodes: [
      { id: "in", kind: "input" },
      { id: "gen", kind: "generate", config: { backend: "generator", prompt: BENCH_PROMPT, shape: BENCH_SHAPE } },
      {
        id: "loop",
        kind: "route",
        config: {
          strategy: "weighted",
          branches: [
            { id: "again", weight: 1 },
            { id: "done", weight: 0 },
          ],
          default: "again",
          maxIterations: iterations,
          exitBranch: "done",
        },
      },
      { id: "out", kind: "output", config: { value: "{{gen}}" } },
    ],
    edges: [
      { from: "in", to: "gen" },
      { from: "gen", to: "loop" },
      { from: "loop", to: "gen", branch: "again" },
      { from: "loop", to: "out", branch: "done" },
    ],
  } as Pipeline;
}
export const loopSteps = (iterations: number): number => 2 * iterations + 4;

/** A chain of `nodes` nodes: in → g1 → … → g(nodes-2) → out. */
export function chainPipeline(nodes: number): Pipeline {
  const gens = Array.from({ length: nodes - 2 }, (_, i) => `g${i + 1}`);
  const ids = ["in", ...gens, "out"];
  return {
    format: "braid/pipeline@1",
    name: `chain ${nodes}`,
    input: { example: { topic: "benchmarks" } },
    nodes: [
      { id: "in", kind: "input" },
      ...gens.map((id) => ({ id, kind: "generate", config: { backend: "generator", prompt: BENCH_PROMPT, shape: BENCH_SHAPE } })),
      { id: "out", kind: "output", config: { value: `{{${gens[gens.length - 1]}}}` } },
    ],
    edges: ids.slice(1).map((to, i) => ({ from: ids[i] as string, to })),
  } as Pipeline;
}

/**
 * A large pipeline for the Mermaid export: `layers` fan-outs of `width` generate nodes, each
 * closed by a merge, so the diagram has branches, joins and labelled edges, not just a line.
 */
export function widePipeline(totalNodes: number, width = 8): Pipeline {
  const nodes: Pipeline["nodes"] = [{ id: "in", kind: "input" }];
  const edges: Pipeline["edges"] = [];
  let prev = "in";
  let layer = 0;
  // Each layer adds width generate nodes and one merge; in and out are the other 2.
  while (nodes.length + width + 1 + 1 <= totalNodes) {
    layer++;
    const merge = `m${layer}`;
    for (let i = 1; i <= width; i++) {
      const id = `n${layer}_${i}`;
      nodes.push({
        id,
        kind: "generate",
        label: `Step ${layer}.${i} "quoted" #${i}`,
        config: { backend: "generator", prompt: `Do ${layer}.${i} with {{${prev}}}` },
      } as Pipeline["nodes"][number]);
      edges.push({ from: prev, to: id }, { from: id, to: merge });
    }
    nodes.push({ id: merge, kind: "merge", config: { strategy: "object" } } as Pipeline["nodes"][number]);
    prev = merge;
  }
  while (nodes.length < totalNodes - 1) {
    const id = `t${nodes.length}`;
    nodes.push({ id, kind: "generate", config: { backend: "generator", prompt: `Tail {{${prev}}}` } } as Pipeline["nodes"][number]);
    edges.push({ from: prev, to: id });
    prev = id;
  }
  nodes.push({ id: "out", kind: "output", config: {} } as Pipeline["nodes"][number]);
  edges.push({ from: prev, to: "out" });
  return { format: "braid/pipeline@1", name: `wide ${totalNodes}`, nodes, edges } as Pipeline;
}

/**
 * Branches of unequal shape, merged: a = premium (800 ms) then fast (100 ms), b = fast then
 * premium. Critical path 900 ms; a superstep scheduler runs a2 and b2 in the same step, 1,600 ms.
 */
export function skewedPipeline(): Pipeline {
  const gen = (id: string, backend: string, from: string) => ({ id, kind: "generate", config: { backend, prompt: `Step ${id} on {{${from}}}` } });
  return {
    format: "braid/pipeline@1",
    name: "skewed branches",
    input: { example: { topic: "benchmarks" } },
    nodes: [
      { id: "in", kind: "input" },
      gen("a1", "validator", "in"),
      gen("a2", "generator", "a1"),
      gen("b1", "generator", "in"),
      gen("b2", "validator", "b1"),
      { id: "join", kind: "merge", config: { strategy: "object" } },
      { id: "out", kind: "output" },
    ],
    edges: [
      { from: "in", to: "a1" },
      { from: "a1", to: "a2" },
      { from: "in", to: "b1" },
      { from: "b1", to: "b2" },
      { from: "a2", to: "join" },
      { from: "b2", to: "join" },
      { from: "join", to: "out" },
    ],
  } as Pipeline;
}
