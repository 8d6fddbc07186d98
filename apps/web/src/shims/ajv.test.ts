import { describe, expect, it } from "vitest";
import { Ajv, schemaProblem } from "./ajv.js";

describe("CSP-safe Ajv stand-in", () => {
  it("accepts ordinary schemas and validates data without eval", () => {
    const v = new Ajv().compile({
      type: "object",
      required: ["name"],
      properties: { name: { type: "string", minLength: 1 }, price: { type: "number", minimum: 0 } },
    });
    expect(v({ name: "x", price: 1 })).toBe(true);
    expect(v({ price: -1 })).toBe(false);
    expect(v.errors?.length).toBeGreaterThan(0);
  });
  it("rejects structurally invalid schemas like Ajv's meta-schema check", () => {
    expect(schemaProblem({ type: "strin" })).toMatch(/type/);
    expect(schemaProblem({ properties: { a: 3 } })).toBe("data/properties/a must be object,boolean");
    expect(schemaProblem({ required: "a" })).toMatch(/required/);
    expect(schemaProblem({ anyOf: [] })).toMatch(/anyOf/);
    expect(schemaProblem({ minLength: -1 })).toMatch(/minLength/);
    expect(schemaProblem({ pattern: "(" })).toMatch(/pattern/);
    expect(() => new Ajv().compile({ items: [{ type: 1 }] })).toThrow(/schema is invalid/);
    expect(schemaProblem({ type: ["string", "null"], items: { type: "string" } })).toBeUndefined();
  });
});
