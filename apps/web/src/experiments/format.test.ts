import { describe, expect, it } from "vitest";
import { brief, deltaText, gateText, histogram, parseGateLines, shortHash, uploadFormat, verdictText } from "./format.js";

describe("experiments formatting", () => {
  it("bins values into equal-width bins with the top edge in the last bin", () => {
    const bins = histogram([0, 0.1, 0.5, 1, 1], 4, (x) => x.toFixed(2), [0, 1]);
    expect(bins.map((b) => b.count)).toEqual([2, 0, 1, 2]);
    expect(bins.map((b) => b.label)).toEqual(["0.00", "0.25", "0.50", "0.75"]);
    expect(histogram([3, 3], 5, String)).toEqual([{ label: "3", count: 2 }]);
    expect(histogram([], 5, String)).toEqual([]);
  });
  it("words a failed gate with its values and how much it missed", () => {
    expect(gateText({ expr: "score >= 0.9", passed: false, actual: 0.75, threshold: 0.9, by: 0.15 })).toBe(
      "failed: score >= 0.9 (0.750 vs 0.900), missed by 0.150",
    );
    expect(gateText({ expr: "passRate > 0", passed: true, actual: 1, threshold: 0 })).toBe("passed: passRate > 0 (1 vs 0)");
  });
  it("signs deltas and their interval", () => {
    expect(deltaText(-0.25, [-0.5, 0])).toBe("−0.250 (95 % CI −0.500 … 0)");
    expect(verdictText("same")).toBe("no significant difference");
    expect(verdictText("worse")).toBe("worse");
  });
  it("reads gate lines, upload formats, hashes and long values", () => {
    expect(parseGateLines(" score >= 0.8 \n\n errorRate == 0")).toEqual(["score >= 0.8", "errorRate == 0"]);
    expect(uploadFormat("a.CSV")).toBe("csv");
    expect(uploadFormat("a.jsonl")).toBe("jsonl");
    expect(uploadFormat("a.txt")).toBeUndefined();
    expect(shortHash("0123456789abcdef")).toBe("01234567");
    expect(brief({ a: "x".repeat(200) }, 10)).toHaveLength(10);
  });
});
