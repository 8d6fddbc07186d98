import { type NodeKind, emptyRefs } from "@braid/core";
import { z } from "zod";
import { Template } from "./shared.js";
import { summarise } from "./summary.js";

const Config = z.object({
  value: Template.optional().describe("Template for the run's result, e.g. {{gen}}. Empty: every node's output."),
});

/** What the run returns: a template over the state, or every node's latest output. */
export const outputKind: NodeKind<z.infer<typeof Config>> = {
  kind: "output",
  title: "Output",
  description: "What the run returns: a template over the state, or all node outputs.",
  terminal: "end",
  configSchema: Config,
  defaults: () => ({}),
  summary: (c) => summarise(c, "value", [], "returns every node's output"),
  refs(config) {
    const refs = emptyRefs();
    if (config.value !== undefined) refs.templates.push({ field: "value", text: config.value });
    return refs;
  },
  async execute(ctx) {
    if (ctx.config.value !== undefined && ctx.config.value !== "") return { output: await ctx.value(ctx.config.value) };
    const all: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(ctx.state)) if (k !== "input" && k !== ctx.node.id) all[k] = v;
    return { output: all };
  },
  diagram: { shape: "stadium", icon: "⇤", colour: "#6e56cf", style: "fill:#fff4e6,stroke:#f76707,color:#4a2500" },
};
