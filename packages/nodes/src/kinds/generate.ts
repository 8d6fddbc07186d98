import { type NodeKind, emptyRefs, splitCacheDirective } from "@braid/core";
import { z } from "zod";
import { BackendName, JsonSchemaObject, JsonValue, NodeRef, Template, asIssues, keysOf } from "./shared.js";
import { fact, summarise } from "./summary.js";

const Config = z
  .object({
    backend: BackendName.describe("The backend that answers"),
    prompt: Template.min(1, "a prompt is required").describe("Prompt template; {{path}} inserts input or node outputs"),
    system: Template.optional().describe("System prompt"),
    shape: JsonValue.optional().describe('Example JSON the output must follow, e.g. {"name":"string","age":0}'),
    schema: JsonSchemaObject.optional().describe("JSON Schema the output must satisfy"),
    count: z.number().int().min(1).max(1000).optional().describe("Ask for this many items (an array)"),
    temperature: z.number().min(0).max(2).optional(),
    maxTokens: z.number().int().min(1).max(1_000_000).optional(),
    revises: NodeRef.optional().describe("A node whose output this node's output replaces (the corrector in a validation loop)"),
    cache: z
      .boolean()
      .optional()
      .describe("Reuse an identical earlier answer from the response cache (zero cost); off by default unless the backend sets cacheTtlMs"),
  })
  .refine((c) => !(c.shape !== undefined && c.schema !== undefined), { message: "use either shape or schema, not both", path: ["schema"] });
type Config = z.infer<typeof Config>;

/** One LLM call: text, or JSON following a shape or schema; a corrector when `revises` is set. */
export const generateKind: NodeKind<Config> = {
  kind: "generate",
  title: "Generate",
  description: "One LLM call on a backend: text, or JSON that follows a shape or schema.",
  configSchema: Config,
  defaults: () => ({ backend: "generator", prompt: "Write about {{input}}", shape: { title: "string", summary: "string" } }),
  summary: (c) => summarise(c, "prompt", [fact.revises, fact.schema, fact.shape, fact.count]),
  refs(config) {
    const refs = emptyRefs();
    refs.templates.push({ field: "prompt", text: config.prompt });
    if (config.system !== undefined) refs.templates.push({ field: "system", text: config.system });
    refs.backends.push({ field: "backend", name: config.backend });
    if (config.revises) refs.nodes.push({ field: "revises", id: config.revises });
    return refs;
  },
  outputKeys: (c) => keysOf(c.shape, c.schema, c.count),
  replaces: (c) => (c.revises ? [c.revises] : []),
  async prepare(ctx) {
    const prepared: { prompt: string; system?: string; backend: string } = { prompt: await ctx.render(ctx.config.prompt), backend: ctx.config.backend };
    if (ctx.config.system !== undefined) prepared.system = await ctx.render(ctx.config.system);
    return prepared;
  },
  async execute(ctx, prepared) {
    const c = ctx.config;
    // The background documents' `"$cache": N` inside a shape asks for caching; it is not part of the output.
    const { shape, cache = c.cache } = splitCacheDirective(c.shape);
    const wantsJson = c.shape !== undefined || c.schema !== undefined;
    const json = wantsJson
      ? { ...(shape !== undefined ? { shape } : {}), ...(c.schema ? { schema: c.schema } : {}), ...(c.count ? { count: c.count } : {}) }
      : undefined;
    // A corrector sees what the critics said about the output it replaces.
    const task = c.revises
      ? { type: "revise" as const, previous: ctx.state[c.revises], issues: ctx.incoming.flatMap((id) => asIssues(ctx.state[id])) }
      : { type: "generate" as const };
    const res = await ctx.llm(c.backend, {
      prompt: prepared.prompt ?? "",
      ...(prepared.system !== undefined ? { system: prepared.system } : {}),
      ...(c.temperature !== undefined ? { temperature: c.temperature } : {}),
      ...(c.maxTokens !== undefined ? { maxTokens: c.maxTokens } : {}),
      ...(json ? { json } : {}),
      ...(cache !== undefined ? { cache } : {}),
      task,
    });
    return { output: wantsJson ? res.json : res.text, ...(c.revises ? { replaces: [c.revises] } : {}) };
  },
  // A draft is the simulator's generic answer; a revision mends what the critics found.
  simulate(req, sim) {
    if (req.task.type !== "revise") return sim.defaultAnswer();
    const task = req.task as { previous?: unknown; issues?: string[] };
    const prev = sim.parseMaybe(task.previous);
    if (prev === undefined) return sim.paragraph(req.prompt);
    if (typeof prev === "string") return sim.rewrite(prev, task.issues ?? [], req.prompt);
    return JSON.stringify(sim.fixDefects(prev, task.issues ?? []));
  },
  diagram: { shape: "rect", icon: "✦", colour: "#3e63dd", style: "fill:#e7f5ff,stroke:#1c7ed6,color:#0b2e4f" },
  recognises: ["rect"],
  diagramFallback: true,
  fromDiagram(d) {
    const prompt = `TODO: ${d.label ?? d.id}`;
    const config: Record<string, unknown> = { backend: "generator", prompt, ...d.given };
    const revises = typeof config.revises === "string" ? `, revising ${JSON.stringify(config.revises)}` : "";
    return { config, note: `${d.name}: ${d.how}; placeholder backend "generator", prompt ${JSON.stringify(prompt)}${revises}` };
  },
};
