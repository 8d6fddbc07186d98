import { describe, expect, it } from "vitest";
import { fmtCost, fmtDuration, fmtRate, inputKind, parseErrorsFile, percent } from "./format.js";

describe("batch formatting", () => {
  it("detects CSV by name or type", () => {
    expect(inputKind({ name: "a.csv" })).toBe("csv");
    expect(inputKind({ name: "a", type: "text/csv" })).toBe("csv");
    expect(inputKind({ name: "a.jsonl" })).toBe("jsonl");
  });
  it("formats durations, rates, costs and percentages", () => {
    expect(fmtDuration(450)).toBe("450 ms");
    expect(fmtDuration(2500)).toBe("2.5 s");
    expect(fmtDuration(125_000)).toBe("2 min 5 s");
    expect(fmtDuration(undefined)).toBe("—");
    expect(fmtRate(1234.4)).toBe("1,234/s");
    expect(fmtRate(2.345)).toBe("2.3/s");
    expect(fmtCost(0.00123)).toBe("$0.0012");
    expect(fmtCost(0.0123)).toBe("$0.0123");
    expect(fmtCost(1.5)).toBe("$1.50");
    expect(percent(5, 20)).toBe(25);
    expect(percent(5, undefined)).toBe(0);
  });
  it("reads the errors file, skipping torn lines", () => {
    const text = `${JSON.stringify({ line: 3, index: 2, code: "E_PARSE", message: "bad JSON", raw: "{" })}\n{"line":`;
    expect(parseErrorsFile(text)).toEqual([{ line: 3, code: "E_PARSE", message: "bad JSON" }]);
  });
});
