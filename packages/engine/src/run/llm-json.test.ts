import { describe, expect, it } from "vitest";
import { extractJson } from "@braid/core";
import { outputProblems, shapeProblems } from "./llm-json.js";

describe("model JSON output", () => {
  it("extracts JSON from bare text, fences and prose", () => {
    expect(extractJson('{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
    expect(extractJson('Here:\n```json\n{"a":[1,2]}\n```')).toEqual({ ok: true, value: { a: [1, 2] } });
    expect(extractJson('Sure! {"a":"}"} hope it helps')).toEqual({ ok: true, value: { a: "}" } });
    expect(extractJson("no json here").ok).toBe(false);
  });

  it("checks values against example shapes", () => {
    const shape = { name: "string", age: 0, tags: ["string"], addr: { city: "string" } };
    expect(shapeProblems({ name: "A", age: 3, tags: ["x"], addr: { city: "K" } }, shape)).toEqual([]);
    expect(shapeProblems({ name: 1, tags: [2], addr: {} }, shape)).toEqual([
      "name should be a string",
      "age is missing",
      "tags[0] should be a string",
      "addr.city is missing",
    ]);
  });

  it("checks count and JSON Schema", () => {
    expect(outputProblems([{ a: "x" }], { shape: { a: "string" }, count: 2 })).toEqual(["expected 2 items, got 1"]);
    expect(outputProblems({ price: -1 }, { schema: { type: "object", properties: { price: { type: "number", minimum: 0 } } } })).toEqual([
      "/price must be >= 0",
    ]);
  });
});
