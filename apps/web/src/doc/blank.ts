import { FORMAT_V1, type Pipeline } from "@braid/core";

/** A new pipeline: just the input and the output, waiting for nodes in between. */
export function blankPipeline(name = "Untitled pipeline"): Pipeline {
  return {
    format: FORMAT_V1,
    name,
    input: { example: { topic: "solar-powered cargo bikes" } },
    nodes: [
      { id: "in", kind: "input", label: "Input", position: { x: 0, y: 0 } },
      { id: "out", kind: "output", label: "Output", position: { x: 0, y: 420 } },
    ],
    edges: [],
  };
}
