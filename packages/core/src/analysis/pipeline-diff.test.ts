import { describe, expect, it } from "vitest";
import type { Pipeline } from "../format/schema.js";
import { diffPipelines } from "./pipeline-diff.js";

const base: Pipeline = {
  format: "braid/pipeline@1",
  name: "p",
  nodes: [
    { id: "in", kind: "input" },
    { id: "g", kind: "generate", config: { prompt: "a", backend: "generator" }, position: { x: 0, y: 0 } },
    { id: "c", kind: "critique", config: { target: "g", rubric: ["x"] } },
    { id: "out", kind: "output" },
  ],
  edges: [
    { from: "in", to: "g" },
    { from: "g", to: "c" },
    { from: "c", to: "out", branch: "pass" },
  ],
};

describe("diffPipelines", () => {
  it("names the nodes, config keys, edges and fields that changed", () => {
    const after: Pipeline = {
      ...base,
      name: "p2",
      nodes: [
        { id: "in", kind: "input" },
        { id: "g", kind: "generate", config: { prompt: "b", backend: "generator", temperature: 0.2 }, position: { x: 5, y: 0 } },
        { id: "r", kind: "route", config: {} },
        { id: "out", kind: "output" },
      ],
      edges: [
        { from: "in", to: "g" },
        { from: "g", to: "r" },
        { from: "r", to: "out" },
      ],
    };
    const d = diffPipelines(base, after);
    expect(d.fields).toEqual(["name"]);
    expect(d.nodes).toEqual({ added: ["r"], removed: ["c"], changed: [{ id: "g", fields: ["position", "config.prompt", "config.temperature"] }] });
    expect(d.edges).toEqual({ added: ["g → r", "r → out"], removed: ["g → c", "c → out [pass]"] });
    expect(d.layoutOnly).toBe(false);
  });
  it("says when only positions moved, and finds nothing between equal versions", () => {
    const moved: Pipeline = { ...base, nodes: base.nodes.map((n) => (n.id === "g" ? { ...n, position: { x: 9, y: 9 } } : n)) };
    expect(diffPipelines(base, moved).layoutOnly).toBe(true);
    const none = diffPipelines(base, structuredClone(base));
    expect(none).toEqual({ fields: [], nodes: { added: [], removed: [], changed: [] }, edges: { added: [], removed: [] }, layoutOnly: true });
  });
});
