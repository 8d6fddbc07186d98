import { describe, expect, it } from "vitest";
import { checkExpression, evaluateExpression, expressionRoots, isTruthy } from "./expression.js";

describe("expressions (JSONata)", () => {
  const state = { input: { tier: "premium", items: [1, 2, 3, 4] }, draft: { tags: ["x", "y", "z", "w"] } };

  it("evaluates conditions over the state", async () => {
    expect(await evaluateExpression('input.tier = "premium"', state)).toBe(true);
    expect(await evaluateExpression("$count(draft.tags) > 3", state)).toBe(true);
    expect(await evaluateExpression("$count(input.items) < 2", state)).toBe(false);
  });

  it("rejects syntax errors with a position", () => {
    expect(checkExpression("input.tier = ")).toMatch(/position/);
    expect(checkExpression('input.tier = "x"')).toBeUndefined();
  });

  it("cannot reach JavaScript globals or evaluate text", async () => {
    await expect(evaluateExpression('$eval("1+1")', state)).rejects.toThrow(/not allowed/);
    expect(await evaluateExpression("constructor", state)).toBeUndefined();
    expect(await evaluateExpression("process", state)).toBeUndefined();
  });

  it("time-boxes runaway expressions", async () => {
    const started = Date.now();
    await expect(evaluateExpression("$map([1..5000000], function($x) { $x * 2 })", state)).rejects.toThrow(/timeout|sequence/i);
    await expect(evaluateExpression("($f := function($n) { $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100000))", state)).rejects.toThrow(/stack|deep/i);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("applies JSONata truthiness", () => {
    expect([undefined, null, false, 0, "", []].map(isTruthy)).toEqual([false, false, false, false, false, false]);
    expect([true, 1, "a", [0, 1], {}].map(isTruthy)).toEqual([true, true, true, true, true]);
  });

  it("lists the roots an expression reads", () => {
    expect(expressionRoots("$count(draft.tags) > 3 and input.tier = 'x'").sort()).toEqual(["draft", "input"]);
  });
});
