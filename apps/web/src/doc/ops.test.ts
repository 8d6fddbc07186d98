import { lint } from "@braid/core";
import { defaultRegistry as registry } from "@braid/nodes";
import { describe, expect, it } from "vitest";
import { blankPipeline } from "./blank.js";
import { loopDoc, routeDoc } from "./fixtures.test-helper.js";
import * as ops from "./ops.js";

describe("document operations", () => {
  it("adds a node of any kind with its defaults and a fresh id, without touching the input", () => {
    const doc = blankPipeline();
    const before = JSON.stringify(doc);
    const a = ops.addNode(doc, registry, "generate", { x: 10.4, y: 20.6 });
    const b = ops.addNode(a.doc, registry, "generate", { x: 0, y: 0 });
    expect(a.id).toBe("generate1");
    expect(b.id).toBe("generate2");
    expect(b.doc.nodes.at(-1)).toMatchObject({ id: "generate2", kind: "generate", config: { backend: "generator" } });
    expect(a.doc.nodes.at(-1)?.position).toEqual({ x: 10, y: 21 });
    expect(JSON.stringify(doc)).toBe(before);
    for (const k of registry.list()) expect(ops.addNode(doc, registry, k.kind, { x: 0, y: 0 }).doc.nodes.at(-1)?.kind).toBe(k.kind);
  });

  it("keeps unchanged nodes by reference and returns the same document for no-ops", () => {
    const doc = loopDoc();
    const moved = ops.moveNodes(doc, { gen: { x: 5, y: 5 } });
    expect(moved.nodes[0]).toBe(doc.nodes[0]);
    expect(moved.nodes[1]).not.toBe(doc.nodes[1]);
    expect(ops.moveNodes(moved, { gen: { x: 5, y: 5 } })).toBe(moved);
    expect(ops.setConfigField(doc, "gen", "prompt", "Describe {{input.sku}}")).toBe(doc);
    expect(ops.addEdge(doc, { from: "in", to: "gen" })).toBe(doc);
  });

  it("removes nodes with their edges, and edges by index", () => {
    const doc = loopDoc();
    const r = ops.removeElements(doc, { nodes: ["fix"] });
    expect(r.nodes.map((n) => n.id)).not.toContain("fix");
    expect(r.edges.some((e) => e.from === "fix" || e.to === "fix")).toBe(false);
    const e = ops.removeElements(doc, { edges: [0] });
    expect(e.edges).toHaveLength(doc.edges.length - 1);
    expect(e.edges[0]).toEqual({ from: "gen", to: "check" });
  });

  it("sets and clears config fields and labels", () => {
    const doc = loopDoc();
    const a = ops.setConfigField(doc, "gen", "system", "Be brief");
    expect(a.nodes[1]?.config?.system).toBe("Be brief");
    const b = ops.setConfigField(a, "gen", "system", undefined);
    expect(b.nodes[1]?.config && "system" in b.nodes[1].config).toBe(false);
    expect(ops.setLabel(doc, "gen", "")?.nodes[1]?.label).toBeUndefined();
    expect(ops.setLabel(doc, "gen", "<img src=x onerror=alert(1)>").nodes[1]?.label).toBe("<img src=x onerror=alert(1)>");
  });

  it("renames a node and every reference to it: edges, targets, revises, templates", () => {
    const doc = ops.renameNode(loopDoc(), registry, "gen", "draft");
    expect(doc.nodes.map((n) => n.id)).toContain("draft");
    expect(doc.edges.filter((e) => e.from === "draft" || e.to === "draft")).toHaveLength(2);
    expect(doc.nodes.find((n) => n.id === "check")?.config?.target).toBe("draft");
    expect(doc.nodes.find((n) => n.id === "fix")?.config).toMatchObject({ revises: "draft", prompt: "Fix {{draft}} given {{check.issues}}" });
    expect(doc.nodes.find((n) => n.id === "out")?.config?.value).toBe("{{draft}}");
    expect(lint(doc, { registry }).filter((d) => d.severity === "error")).toEqual([]);
  });

  it("refuses bad or taken node ids", () => {
    const doc = loopDoc();
    expect(ops.nodeIdProblem(doc, "gen", "check")).toMatch(/already/);
    expect(ops.nodeIdProblem(doc, "gen", "1abc")).toMatch(/starts with a letter/);
    expect(ops.nodeIdProblem(doc, "gen", "input")).toMatch(/reserved/);
    expect(ops.renameNode(doc, registry, "gen", "check")).toBe(doc);
  });

  it("adds, renames and removes route branches; edges and the default follow", () => {
    const doc = routeDoc();
    const added = ops.addBranch(doc, "r");
    expect(added.branch).toBe("branch3");
    const renamed = ops.renameBranch(added.doc, "r", "slow", "careful");
    const r = renamed.nodes.find((n) => n.id === "r");
    expect(r?.config?.default).toBe("careful");
    expect((r?.config?.branches as Array<{ id: string }> | undefined)?.map((b) => b.id)).toEqual(["fast", "careful", "branch3"]);
    expect(renamed.edges.find((e) => e.to === "b")?.branch).toBe("careful");
    expect(ops.branchIdProblem(renamed, "r", "fast", "careful")).toMatch(/already/);
    const removed = ops.removeBranch(renamed, "r", "careful");
    expect(removed.edges.some((e) => e.branch === "careful")).toBe(false);
    expect(removed.nodes.find((n) => n.id === "r")?.config?.default).toBe("fast");
    const weighted = ops.setBranchField(removed, "r", 0, "weight", 2);
    expect((weighted.nodes.find((n) => n.id === "r")?.config?.branches as Array<Record<string, unknown>> | undefined)?.[0]).toEqual({
      id: "fast",
      upTo: 3,
      weight: 2,
    });
  });

  it("edits the pipeline's name, description and example input", () => {
    const doc = ops.setExampleInput(ops.setPipelineFields(blankPipeline(), { name: "N", description: "D" }), { a: 1 });
    expect(doc).toMatchObject({ name: "N", description: "D", input: { example: { a: 1 } } });
    expect(ops.setPipelineFields(doc, { description: "" }).description).toBeUndefined();
  });
});
