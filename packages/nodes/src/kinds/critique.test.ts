/** How a critique reads its judge's answer; the same cases over a real protocol are in packages/engine/src/pipeline-tests/critique-judge.test.ts. */
import { describe, expect, it } from "vitest";
import { BraidError } from "@braid/core";
import { readJudgement } from "./critique.js";

describe("readJudgement", () => {
  const read = (answer: unknown) => readJudgement(answer, "check");
  const refused = (answer: unknown): BraidError => {
    try {
      read(answer);
    } catch (e) {
      return e as BraidError;
    }
    throw new Error(`accepted ${JSON.stringify(answer)}`);
  };

  it("keeps a 0..1 score as it is", () => {
    expect(read({ score: 0.85, issues: [] })).toEqual({ score: 0.85, issues: [] });
    expect(read({ score: 1, issues: [] }).score).toBe(1);
    expect(read({ score: 0, issues: [] }).score).toBe(0);
  });

  it("reads a score above 1 on its evident scale: ≤ 10 as tenths, ≤ 100 as hundredths", () => {
    expect(read({ score: 4, issues: [] })).toMatchObject({ score: 0.4, readAs: "judge score 4 read as 4/10" });
    expect(read({ score: 10, issues: [] }).score).toBe(1);
    expect(read({ score: 90, issues: [] })).toMatchObject({ score: 0.9, readAs: "judge score 90 read as 90/100" });
    expect(read({ score: 12, issues: [] }).score).toBeCloseTo(0.12);
  });

  it("uses the scale the answer names (scale, max, outOf, or a text such as '1-5')", () => {
    expect(read({ score: 4, scale: 5, issues: [] }).score).toBe(0.8);
    expect(read({ score: 4, max: "1-5", issues: [] }).score).toBe(0.8);
    expect(read({ score: 30, outOf: 40, issues: [] }).score).toBe(0.75);
    expect(read({ score: 3, scale: "out of 4", issues: [] }).score).toBe(0.75);
  });

  it("refuses a score outside any scale, or not a number, as E_OUTPUT_SHAPE naming the node", () => {
    for (const answer of [
      { score: -0.5, issues: [] },
      { score: 140, issues: [] },
      { score: 7, scale: 5, issues: [] },
      { score: "0.9", issues: [] },
      { score: Number.NaN, issues: [] },
      { issues: [] },
      [0.9],
      null,
    ]) {
      const err = refused(answer);
      expect(err, JSON.stringify(answer)).toBeInstanceOf(BraidError);
      expect(err.code).toBe("E_OUTPUT_SHAPE");
      expect(err.nodeId).toBe("check");
      expect(err.message).toContain('critique "check"');
    }
    expect(refused({ score: 140 }).message).toContain("outside any scale");
    expect(refused({ score: 7, scale: 5 }).message).toContain("outside its scale 0..5");
  });

  it("collects issues (blank entries are none), and the judge's own verdict", () => {
    expect(read({ score: 0.9, issues: ["", "  ", "price is negative"] }).issues).toEqual(["price is negative"]);
    expect(read({ score: 0.9, issues: "one problem" }).issues).toEqual(["one problem"]);
    expect(read({ score: 0.9, problems: [{ field: "price" }] }).issues).toEqual(['{"field":"price"}']);
    expect(read({ score: 0.9, issues: [], passed: false }).verdict).toBe(false);
  });
});
