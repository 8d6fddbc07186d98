import { lint } from "@braid/core";
import { defaultRegistry as registry } from "@braid/nodes";
import { describe, expect, it } from "vitest";
import { type BraidFlowNode, type DeriveInput, deriveEdges, deriveNodes, edgeIds } from "./derive.js";
import { loopDoc, routeDoc } from "./fixtures.test-helper.js";
import { setConfigField, setLabel } from "./ops.js";
import { hostileLabels } from "./fixtures.test-helper.js";

const input = (over: Partial<DeriveInput> = {}): DeriveInput => ({
  doc: loopDoc(),
  registry,
  diagnostics: [],
  selectedNodes: new Set(),
  selectedEdges: new Set(),
  measured: {},
  drag: null,
  backends: [
    { name: "generator", simulated: true },
    { name: "validator", simulated: true },
  ],
  ...over,
});

describe("canvas derivation", () => {
  it("derives one node per document node with kind info, handles and backend badge", () => {
    const nodes = deriveNodes(input(), new Map());
    expect(nodes.map((n) => n.id)).toEqual(["in", "gen", "check", "fix", "out"]);
    const check = nodes[2] as BraidFlowNode;
    expect(check.data).toMatchObject({
      title: "Critique",
      branches: ["pass", "fail", "exhausted"],
      hasTarget: true,
      hasSource: true,
      backend: { name: "validator", simulated: true, known: true },
    });
    expect(nodes[0]?.data).toMatchObject({ hasTarget: false, hasSource: true });
    expect(nodes[4]?.data).toMatchObject({ hasTarget: true, hasSource: false });
    expect(nodes[3]?.data.backend).toEqual({ name: "enricher", simulated: false, known: false });
    expect(nodes[1]?.ariaLabel).toBe("Generate node Draft");
  });

  it("route handles follow the branches", () => {
    const doc = routeDoc();
    expect(deriveNodes(input({ doc }), new Map())[1]?.data.branches).toEqual(["fast", "slow"]);
    const edges = deriveEdges(doc, [], new Set(), registry);
    expect(edges[1]).toMatchObject({ source: "r", target: "a", sourceHandle: "fast", label: "fast" });
  });

  it("keeps unchanged node objects between derivations (memoized)", () => {
    const cache = new Map<string, BraidFlowNode>();
    const base = loopDoc();
    const first = deriveNodes(input({ doc: base }), cache);
    const doc = setLabel(base, "fix", "Correct");
    const second = deriveNodes(input({ doc }), cache);
    expect(second.filter((n, i) => n !== first[i]).map((n) => n.id)).toEqual(["fix"]);
    const third = deriveNodes(input({ doc }), cache);
    expect(third.every((n, i) => n === second[i])).toBe(true);
  });

  it("marks invalid nodes and edges from the diagnostics", () => {
    const doc = setConfigField(loopDoc(), "gen", "prompt", "{{nosuch}}");
    const diagnostics = lint({ ...doc, edges: [...doc.edges, { from: "gen", to: "ghost" }] }, { registry });
    const nodes = deriveNodes(input({ doc, diagnostics }), new Map());
    expect(nodes[1]?.data.severity).toBe("error");
    expect(nodes[1]?.data.problems.join()).toMatch(/nosuch/);
    const edges = deriveEdges(doc, [{ code: "E_UNKNOWN_BRANCH", severity: "error", message: "x", edgeIndex: 2 }], new Set(), registry);
    expect(edges[2]?.className).toMatch(/edge-error/);
  });

  it("uses drag positions while dragging, and selection from its own field", () => {
    const nodes = deriveNodes(input({ drag: { gen: { x: 999, y: 1 } }, selectedNodes: new Set(["gen"]) }), new Map());
    expect(nodes[1]).toMatchObject({ position: { x: 999, y: 1 }, selected: true });
    expect(nodes[0]?.selected).toBe(false);
  });

  it("gives duplicate edges distinct ids", () => {
    const doc = loopDoc();
    expect(new Set(edgeIds({ ...doc, edges: [...doc.edges, doc.edges[0] as (typeof doc.edges)[0]] })).size).toBe(doc.edges.length + 1);
  });

  it("passes hostile labels through as plain data (React renders them as text)", () => {
    let doc = loopDoc();
    for (const label of hostileLabels()) {
      doc = setLabel(doc, "gen", label);
      const n = deriveNodes(input({ doc }), new Map())[1];
      expect(n?.data.node.label ?? "").toBe(label);
      expect(n?.ariaLabel).toContain(label.trim() ? label : "gen");
    }
  });
});
