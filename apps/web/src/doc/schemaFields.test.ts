import { defaultRegistry as registry } from "@braid/nodes";
import { describe, expect, it } from "vitest";
import { configFields, strategyOf } from "./schemaFields.js";

const fields = (kind: string) => {
  const k = registry.get(kind);
  if (!k) throw new Error(kind);
  return Object.fromEntries(configFields(k).map((f) => [f.key, f]));
};

describe("inspector form from the zod config schema", () => {
  it("generate: backend picker, prompt templates, JSON shape/schema, bounded numbers, node ref", () => {
    const f = fields("generate");
    expect(f.backend).toMatchObject({ widget: "backend", required: true, description: "The backend that answers" });
    expect(f.prompt).toMatchObject({ widget: "template", required: true });
    expect(f.system?.widget).toBe("template");
    expect(f.shape?.widget).toBe("json");
    expect(f.schema?.widget).toBe("json");
    expect(f.count).toMatchObject({ widget: "number", integer: true, min: 1, max: 1000 });
    expect(f.temperature).toMatchObject({ widget: "number", min: 0, max: 2 });
    expect(f.revises?.widget).toBe("nodeRef");
  });
  it("critique: target ref, rubric lines, threshold 0..1 with its default", () => {
    const f = fields("critique");
    expect(f.target).toMatchObject({ widget: "nodeRef", required: true });
    expect(f.rubric?.widget).toBe("lines");
    expect(f.threshold).toMatchObject({ widget: "number", min: 0, max: 1, default: 0.8 });
    expect(f.maxAttempts).toMatchObject({ integer: true, min: 1, max: 100 });
  });
  it("route: strategy enum, branch editor with per-strategy fields, default as a branch picker", () => {
    const f = fields("route");
    expect(f.strategy).toMatchObject({ widget: "enum", options: ["rules", "complexity", "classifier", "weighted"] });
    expect(f.branches?.widget).toBe("branches");
    expect(f.branches?.items?.map((i) => [i.key, strategyOf(i) ?? null])).toEqual([
      ["id", null],
      ["label", null],
      ["when", "rules"],
      ["weight", "weighted"],
      ["upTo", "complexity"],
    ]);
    expect(f.default?.widget).toBe("branchRef");
    expect(f.exitBranch?.widget).toBe("branchRef");
    expect(f.subject?.widget).toBe("template");
  });
  it("merge and output", () => {
    expect(fields("merge").strategy?.options).toEqual(["object", "concat", "vote", "synthesize"]);
    expect(fields("merge").keyed?.widget).toBe("boolean");
    expect(fields("output").value?.widget).toBe("template");
    expect(configFields(registry.get("input") as never)).toEqual([]);
  });
});
