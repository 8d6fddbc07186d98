import { describe, expect, it } from "vitest";
import type { Pipeline } from "./format/schema.js";
import { PipelineGraph } from "./graph.js";

const p = (edges: Array<[string, string]>): Pipeline => ({
  format: "braid/pipeline@1",
  name: "g",
  nodes: [...new Set(edges.flat())].map((id) => ({ id, kind: "generate" })),
  edges: edges.map(([from, to]) => ({ from, to })),
});

describe("PipelineGraph", () => {
  it("finds reachable nodes and cycles", () => {
    const g = new PipelineGraph(
      p([
        ["a", "b"],
        ["b", "c"],
        ["c", "b"],
        ["c", "d"],
        ["x", "y"],
      ]),
    );
    expect([...g.reachable("a")].sort()).toEqual(["a", "b", "c", "d"]);
    expect(g.cycles().map((c) => c.sort())).toEqual([["b", "c"]]);
  });

  it("reports a self-loop as a cycle and nothing for a DAG", () => {
    expect(new PipelineGraph(p([["a", "a"]])).cycles()).toEqual([["a"]]);
    expect(
      new PipelineGraph(
        p([
          ["a", "b"],
          ["a", "c"],
          ["b", "d"],
          ["c", "d"],
        ]),
      ).cycles(),
    ).toEqual([]);
  });

  it("handles a 5,000-node chain without recursion", () => {
    const edges: Array<[string, string]> = [];
    for (let i = 0; i < 5000; i++) edges.push([`n${i}`, `n${i + 1}`]);
    edges.push(["n5000", "n0"]);
    const cycles = new PipelineGraph(p(edges)).cycles();
    expect(cycles).toHaveLength(1);
    expect(cycles[0]).toHaveLength(5001);
  });
});
