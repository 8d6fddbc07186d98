import { MemorySaver } from "@langchain/langgraph";
import { createRegistry, defaultRegistry } from "@braid/nodes";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  type AnyNodeKind,
  type NodeKind,
  type Pipeline,
  type Registry,
  type RunEvent,
  emptyRefs,
  fromMermaid,
  lint,
  resumeLogFrom,
  runToEnd,
  toMermaid,
  waitingAt,
} from "../index.js";
import { gen, run, zeroPool } from "./helpers.js";

/**
 * A minimal valid pipeline holding one node `x` of the kind: input → gen → x → output, every
 * branch of a branching kind wired to the output. The start and end kinds are the pipeline's
 * own terminals, so for them the chain without `x` already holds one.
 */
function pipelineWith(kind: AnyNodeKind, registry: Registry): Pipeline {
  const start = registry.terminal("start");
  const end = registry.terminal("end");
  const base: Pipeline = {
    format: "braid/pipeline@1",
    name: `one ${kind.kind}`,
    input: { example: { topic: "mice", count: 3 } },
    nodes: [{ id: "in", kind: start }, gen("g"), { id: "out", kind: end }],
    edges: [
      { from: "in", to: "g" },
      { from: "g", to: "out" },
    ],
  };
  if (kind.terminal !== undefined) return base;
  const config = kind.defaults(base);
  const parsed = kind.configSchema.parse(config);
  const branches = kind.branches?.(parsed) ?? [undefined];
  return {
    ...base,
    nodes: [base.nodes[0], base.nodes[1], { id: "x", kind: kind.kind, config }, base.nodes[2]].filter((n) => n !== undefined),
    edges: [
      { from: "in", to: "g" },
      { from: "g", to: "x" },
      ...branches.map((branch) => ({ from: "x", to: "out", ...(branch === undefined ? {} : { branch }) })),
    ],
  };
}

/** The export as plain Mermaid: no embedded pipeline, and (with `shapesOnly`) no kind classes either. */
function plainMermaid(pipeline: Pipeline, registry: Registry, shapesOnly: boolean): string {
  const text = toMermaid(pipeline, { registry, embed: false });
  expect(text).not.toContain("braid:pipeline");
  return shapesOnly
    ? text
        .split("\n")
        .filter((l) => !/^\s*(class|classDef)\s/.test(l))
        .join("\n")
    : text;
}

/**
 * A kind that pauses for a person must pause (run_waiting) and then finish once resumed with each
 * decision it offers; every other kind must finish in one go, without a checkpointer.
 */
async function runToFinish(kind: AnyNodeKind, pipeline: Pipeline, registry: Registry): Promise<RunEvent> {
  if (!kind.pauses) return (await run(pipeline, { registry })).last;
  const checkpointer = new MemorySaver();
  const opts = { registry, pool: zeroPool(), seed: 7, checkpointer };
  const first = await runToEnd(pipeline, { ...opts, runId: "paused" });
  expect(first.last.type).toBe("run_waiting");
  const waiting = waitingAt(first.events);
  expect(waiting?.decisions.length).toBeGreaterThan(0);
  let last: RunEvent = first.last;
  for (const decision of waiting?.decisions ?? []) {
    const runId = `paused-${decision}`;
    const again = await runToEnd(pipeline, { ...opts, runId });
    const answer = { node: waiting?.nodeId ?? "", decision, decidedAt: 0 };
    const resumed = await runToEnd(pipeline, { ...opts, runId, resume: true, answer, resumeLog: resumeLogFrom(again.events) });
    expect(resumed.last.type, decision).toBe("run_finished");
    last = resumed.last;
  }
  return last;
}

async function checkKind(kind: AnyNodeKind, registry: Registry): Promise<void> {
  const pipeline = pipelineWith(kind, registry);
  expect(lint(pipeline, { registry }).filter((d) => d.severity === "error")).toEqual([]);
  const last = await runToFinish(kind, pipeline, registry);
  expect(last.type).toBe("run_finished");
  const id = kind.terminal === "start" ? "in" : kind.terminal === "end" ? "out" : "x";
  for (const shapesOnly of [false, true]) {
    const back = fromMermaid(plainMermaid(pipeline, registry, shapesOnly), registry);
    if (!back.ok) throw new Error(`import failed: ${back.errors.join("; ")}`);
    expect(back.pipeline.nodes.find((n) => n.id === id)?.kind, `${kind.kind}, ${shapesOnly ? "shapes only" : "with kind classes"}`).toBe(kind.kind);
  }
}

describe("every registered kind", () => {
  it.each(defaultRegistry.list().map((k) => [k.kind, k] as const))("%s lints, runs, and round-trips through plain Mermaid", async (_, kind) => {
    await checkKind(kind, defaultRegistry);
  });
});

const TransformConfig = z.object({ value: z.string().min(1) });

/** A kind only this test knows: everything about it is here, nothing outside needs an edit. */
const transformKind: NodeKind<z.infer<typeof TransformConfig>> = {
  kind: "transform",
  title: "Transform",
  description: "Reshapes the state with a template, no LLM.",
  configSchema: TransformConfig,
  defaults: () => ({ value: "{{input.topic}}" }),
  refs(c) {
    const refs = emptyRefs();
    refs.templates.push({ field: "value", text: c.value });
    return refs;
  },
  async execute(ctx) {
    return { output: await ctx.value(ctx.config.value) };
  },
  diagram: { shape: "parallelogram", icon: "⇄", colour: "#868e96", style: "fill:#f1f3f5,stroke:#495057,color:#212529" },
  recognises: ["parallelogram"],
  fromDiagram: (d) => ({ config: { value: "{{input}}" }, note: `${d.name}: ${d.how} with value "{{input}}"` }),
};

describe("a kind registered beside the built-in ones", () => {
  const registry = createRegistry().register(transformKind);

  it("lints, runs, and round-trips through plain Mermaid as itself", async () => {
    await checkKind(transformKind, registry);
  });

  it("is drawn with its own shape and style and its import guess comes from its own file", () => {
    const text = toMermaid(pipelineWith(transformKind, registry), { registry, embed: false });
    expect(text).toContain('n_x[/"x"/]');
    expect(text).toContain(`classDef k_transform ${transformKind.diagram.style}`);
    const back = fromMermaid(plainMermaid(pipelineWith(transformKind, registry), registry, true), registry);
    if (!back.ok) throw new Error(back.errors.join("; "));
    expect(back.pipeline.nodes.find((n) => n.id === "x")).toEqual({ id: "x", kind: "transform", config: { value: "{{input}}" } });
    expect(back.warnings).toContain('node "x": parallelogram read as a transform node with value "{{input}}"');
  });
});
