import { type NodeKind, type SimulationTools, deepMerge, define, emptyRefs, extractJson, isPlainObject, stableStringify } from "@braid/core";
import { z } from "zod";
import { BackendName, JsonValue, Template } from "./shared.js";
import { fact, summarise } from "./summary.js";

const Config = z
  .object({
    strategy: z.enum(["object", "concat", "vote", "synthesize"]).describe("How the incoming results combine"),
    keyed: z.boolean().optional().describe("object: nest each result under its node id instead of deep-merging"),
    vote: z.enum(["score", "majority"]).optional().describe("vote: highest score from a judging node, or the most common answer"),
    backend: BackendName.optional().describe("synthesize: the backend that combines"),
    prompt: Template.optional().describe("synthesize: instructions"),
    shape: JsonValue.optional().describe("synthesize: example JSON for the combined result"),
  })
  .refine((c) => c.strategy !== "synthesize" || !!c.backend, { message: "synthesize needs a backend", path: ["backend"] });
type Config = z.infer<typeof Config>;

/** Fan-in: waits for every incoming branch, then combines what arrived. */
export const mergeKind: NodeKind<Config> = {
  kind: "merge",
  title: "Merge",
  description: "Waits for all incoming branches, then combines them: object, concat, vote or synthesize.",
  configSchema: Config,
  defaults: () => ({ strategy: "object" }),
  join: true,
  summary: (c) => summarise(c, "prompt", [fact.strategy]),
  refs(c) {
    const refs = emptyRefs();
    if (c.strategy === "synthesize" && c.backend) refs.backends.push({ field: "backend", name: c.backend });
    if (c.prompt !== undefined) refs.templates.push({ field: "prompt", text: c.prompt });
    return refs;
  },
  async execute(ctx) {
    const c = ctx.config;
    // Only branches that produced output: a route upstream may have skipped some.
    const arrived = ctx.incoming.filter((id) => ctx.state[id] !== undefined);
    const inputs: Record<string, unknown> = {};
    for (const id of arrived) inputs[id] = ctx.state[id];
    switch (c.strategy) {
      case "object": {
        if (c.keyed) return { output: inputs };
        let out: unknown = {};
        for (const id of arrived) out = isPlainObject(inputs[id]) ? deepMerge(out, inputs[id]) : deepMerge(out, { [id]: inputs[id] });
        return { output: out };
      }
      case "concat": {
        const values = arrived.map((id) => inputs[id]);
        if (values.every((v) => typeof v === "string")) return { output: values.join("\n\n") };
        return { output: values.flatMap((v) => (Array.isArray(v) ? v : [v])) };
      }
      case "vote":
        return vote(ctx, arrived, c.vote ?? "score");
      case "synthesize": {
        const instructions = c.prompt ? await ctx.render(c.prompt) : "Combine these results into one coherent result.";
        const res = await ctx.llm(c.backend as string, {
          prompt: `${instructions}\n\n${arrived.map((id) => `## ${id}\n${JSON.stringify(inputs[id])}`).join("\n\n")}`,
          ...(c.shape !== undefined ? { json: { shape: c.shape } } : {}),
          task: { type: "synthesize", inputs },
        });
        if (c.shape !== undefined) return { output: res.json };
        const parsed = extractJson(res.text);
        return { output: parsed.ok ? parsed.value : res.text };
      }
    }
  },
  // The simulated synthesis deep-merges the inputs.
  simulate: (req, sim) => JSON.stringify(synthesize((req.task as { inputs?: Record<string, unknown> }).inputs ?? {}, sim)),
  diagram: { shape: "trapezoid", icon: "⊕", colour: "#0f9488", style: "fill:#f8f0fc,stroke:#ae3ec9,color:#3d0f47" },
  recognises: ["trapezoid", "circle"],
  fromDiagram: (d) => ({ config: { strategy: "object" }, note: `${d.name}: ${d.how} with strategy "object"` }),
};

/** The simulated synthesis: object inputs deep-merged, the others kept beside them as `extras`. */
function synthesize(inputs: Record<string, unknown>, sim: SimulationTools): unknown {
  let merged: Record<string, unknown> | undefined;
  const others: unknown[] = [];
  for (const v of Object.values(inputs)) {
    const p = sim.parseMaybe(v);
    if (isPlainObject(p)) merged = deepMerge(merged ?? {}, p) as Record<string, unknown>;
    else if (p !== undefined) others.push(p);
  }
  if (!merged) return others;
  // Non-object inputs (texts, lists) survive beside the merge rather than being dropped.
  if (others.length > 0) define(merged, "extras", others);
  return merged;
}

/**
 * A candidate is an incoming node's output; when the incoming node judged another node (its meta
 * names a `subject`), the candidate is that node's output and the judge's score is its score.
 */
function vote(ctx: Parameters<NodeKind<Config>["execute"]>[0], arrived: string[], by: "score" | "majority") {
  const candidates = arrived.map((id) => {
    const target = ctx.meta[id]?.subject;
    const out = ctx.state[id] as { score?: unknown } | undefined;
    const score = typeof out?.score === "number" ? out.score : undefined;
    return target !== undefined ? { id, from: target, value: ctx.state[target], score } : { id, from: id, value: out, score };
  });
  if (candidates.length === 0) return { output: null, reason: "no branch produced output" };
  if (by === "majority") {
    const counts = new Map<string, number>();
    for (const c of candidates) counts.set(stableStringify(c.value), (counts.get(stableStringify(c.value)) ?? 0) + 1);
    let best = candidates[0] as (typeof candidates)[number];
    for (const c of candidates) if ((counts.get(stableStringify(c.value)) ?? 0) > (counts.get(stableStringify(best.value)) ?? 0)) best = c;
    const n = counts.get(stableStringify(best.value)) ?? 0;
    return { output: best.value, reason: `majority: ${n} of ${candidates.length} agree (from "${best.from}")`, meta: { score: n / candidates.length } };
  }
  let best = candidates[0] as (typeof candidates)[number];
  for (const c of candidates) if ((c.score ?? -1) > (best.score ?? -1)) best = c;
  return {
    output: best.value,
    reason: `highest score ${best.score ?? "n/a"} from "${best.from}" (${candidates.map((c) => `${c.from}: ${c.score ?? "n/a"}`).join(", ")})`,
    ...(best.score !== undefined ? { meta: { score: best.score } } : {}),
  };
}
