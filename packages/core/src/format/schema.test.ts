import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { pipelineJsonSchema } from "./schema.js";

describe("the exported JSON Schema", () => {
  it("is committed up to date (run `pnpm schema` after changing the format)", () => {
    const committed = JSON.parse(readFileSync(new URL("../../schema/pipeline.schema.json", import.meta.url), "utf8"));
    expect(committed).toEqual(JSON.parse(JSON.stringify(pipelineJsonSchema())));
  });

  it("accepts the shipped examples and rejects a document with a bad node id", () => {
    const validate = new Ajv2020({ strict: false }).compile(pipelineJsonSchema());
    for (const name of ["sequential", "parallel", "validation-loop"]) {
      const doc = JSON.parse(readFileSync(new URL(`../../../../examples/${name}.json`, import.meta.url), "utf8"));
      expect({ name, ok: validate(doc) }).toEqual({ name, ok: true });
    }
    expect(validate({ format: "braid/pipeline@1", name: "x", nodes: [{ id: "9bad", kind: "input" }], edges: [] })).toBe(false);
  });
});
