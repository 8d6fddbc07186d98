import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { type BackendConfigInput, BackendConfigSchema, type Pipeline, type RunEvent, createPool, parsePipeline, runToEnd } from "../index.js";
import { defaultRegistry } from "@braid/nodes";

export const EXAMPLES_DIR = join(import.meta.dirname, "../../../../examples");

export function loadExample(name: string): Pipeline {
  const r = parsePipeline(readFileSync(join(EXAMPLES_DIR, `${name}.json`), "utf8"));
  if (!r.ok) throw new Error(`example ${name} does not parse: ${JSON.stringify(r.diagnostics)}`);
  return r.pipeline;
}

/** The shipped pipeline examples (not backends files). Throws when there are none, so tests looping over them cannot pass vacuously. */
export const exampleNames = (): string[] => {
  const names = readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith(".json") && !f.startsWith("backends"))
    .map((f) => f.replace(/\.json$/, ""));
  if (names.length === 0) throw new Error(`no pipeline examples in ${EXAMPLES_DIR}`);
  return names;
};

/** A pool of zero-latency simulated backends, optionally with overrides (latency, defects, failures). */
export function zeroPool(overrides: BackendConfigInput[] = []) {
  return createPool({ latency: "zero", extra: overrides.map((o) => BackendConfigSchema.parse(o)) });
}

export async function run(pipeline: Pipeline, opts: Partial<Parameters<typeof runToEnd>[1]> = {}) {
  return runToEnd(pipeline, { registry: defaultRegistry, pool: opts.pool ?? zeroPool(), seed: 7, ...opts });
}

export const ofType = <T extends RunEvent["type"]>(events: RunEvent[], type: T) => events.filter((e): e is Extract<RunEvent, { type: T }> => e.type === type);

/** A minimal pipeline for tests: `in` (input) and `out` (output) plus the given nodes and edges. */
export function pipeline(nodes: Pipeline["nodes"], edges: Array<[string, string, string?]>, outValue?: string): Pipeline {
  return {
    format: "braid/pipeline@1",
    name: "test",
    input: { example: { topic: "mice", count: 3 } },
    nodes: [{ id: "in", kind: "input" }, ...nodes, { id: "out", kind: "output", ...(outValue ? { config: { value: outValue } } : {}) }],
    edges: edges.map(([from, to, branch]) => (branch ? { from, to, branch } : { from, to })),
  };
}

export const gen = (id: string, config: Record<string, unknown> = {}) => ({
  id,
  kind: "generate",
  config: { backend: "generator", prompt: `write about {{input.topic}}`, ...config },
});
