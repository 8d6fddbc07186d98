import { FORMAT_V1, type Pipeline, type Registry } from "@braid/core";
import { defaultRegistry } from "@braid/nodes";

/** A new pipeline: just the input and the output, waiting for nodes in between. */
export function blankPipeline(name = "Untitled pipeline", registry: Registry = defaultRegistry): Pipeline {
  return {
    format: FORMAT_V1,
    name,
    input: { example: { topic: "solar-powered cargo bikes" } },
    nodes: [
      { id: "in", kind: registry.terminal("start"), label: "Input", position: { x: 0, y: 0 } },
      { id: "out", kind: registry.terminal("end"), label: "Output", position: { x: 0, y: 420 } },
    ],
    edges: [],
  };
}
