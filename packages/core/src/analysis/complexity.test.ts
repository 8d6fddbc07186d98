import { describe, expect, it } from "vitest";
import { complexityScore } from "./complexity.js";

describe("complexity score (background documents' analyser)", () => {
  it("scores a flat one-field shape low", () => {
    expect(complexityScore({ name: "string" }).score).toBeCloseTo(1.2);
  });
  it("adds depth, arrays and rules", () => {
    const s = complexityScore({ user: { name: "string", address: { city: "string" }, orders: [{ id: "string" }] } }, 1);
    expect(s).toMatchObject({ fields: 1, depth: 3, arrays: true, rules: 1 });
    expect(s.score).toBeCloseTo(6.2);
  });
  it("caps at 10", () => {
    expect(complexityScore({ a: { b: { c: { d: [1] } } } }, 20).score).toBe(10);
  });
});
