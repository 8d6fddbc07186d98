import { type NodeKind, emptyRefs } from "@braid/core";
import { z } from "zod";

const Config = z.looseObject({});

/** Where the run's input enters; its output is the input itself, so `{{in.sku}}` equals `{{input.sku}}`. */
export const inputKind: NodeKind<z.infer<typeof Config>> = {
  kind: "input",
  title: "Input",
  description: "Where the run's input enters (the example input lives in the pipeline's input section).",
  terminal: "start",
  configSchema: Config,
  defaults: () => ({}),
  refs: () => emptyRefs(),
  outputKeys: () => undefined,
  async execute(ctx) {
    return { output: ctx.state.input };
  },
  diagram: { shape: "stadium", icon: "⇥", colour: "#30a46c", style: "fill:#e6fcf5,stroke:#0ca678,color:#0b3d2e" },
};
