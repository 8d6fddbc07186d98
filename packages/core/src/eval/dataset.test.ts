import { describe, expect, it } from "vitest";
import { DatasetError, datasetHash, fnv1a64, parseDataset } from "./dataset.js";

function problemsOf(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as DatasetError).code).toBe("E_DATASET");
    return (err as DatasetError).problems;
  }
  throw new Error("expected a DatasetError");
}

describe("parseDataset (JSONL)", () => {
  it("reads records and bare inputs, skipping blank lines, with their line numbers", () => {
    const ds = parseDataset('{"input":{"sku":"A"},"expected":"A","tags":["x"]}\n\n{"sku":"B"}\n', "jsonl");
    expect(ds.records).toEqual([{ input: { sku: "A" }, expected: "A", tags: ["x"] }, { input: { sku: "B" } }]);
    expect(ds.lines).toEqual([1, 3]);
  });

  it("fails the whole dataset on bad rows, listing every one with its line and reason", () => {
    const text = ['{"input":{"a":1}}', "{not json", "[1,2]", '{"input":{},"extra":1}', '{"input":{},"tags":"x"}', '{"a":2}'].join("\n");
    const problems = problemsOf(() => parseDataset(text, "jsonl"));
    expect(problems.map((p) => p.line)).toEqual([2, 3, 4, 5]);
    expect(problems[0]?.message).toMatch(/not valid JSON/);
    expect(problems[1]?.message).toMatch(/must be a JSON object/);
    expect(problems[2]?.message).toMatch(/unknown key "extra"/);
    expect(problems[3]?.message).toMatch(/tags must be an array of strings/);
    expect(() => parseDataset(text, "jsonl", {}, "data.jsonl")).toThrow(/^data\.jsonl: 4 bad rows, nothing imported: line 2: not valid JSON/);
  });
});

describe("parseDataset (CSV)", () => {
  it("handles quoted fields with commas, doubled quotes and newlines; expected and tags columns", () => {
    const text = 'sku,note,expected,tags\r\nA-1,"hello, ""world""",A-1,"x, y"\n"B-2","two\nlines","{""k"":1}",\n';
    const ds = parseDataset(text, "csv");
    expect(ds.records).toEqual([
      { input: { sku: "A-1", note: 'hello, "world"' }, expected: "A-1", tags: ["x", "y"] },
      { input: { sku: "B-2", note: "two\nlines" }, expected: { k: 1 } },
    ]);
    expect(ds.lines).toEqual([2, 3]);
  });

  it("reports the line of each bad row (wrong cell count, stray quote, unclosed quote) and imports nothing", () => {
    const text = 'a,b\n1,2\n1,2,3\nx"y,2\n"ok\nstill",2\n"open,2\n';
    const problems = problemsOf(() => parseDataset(text, "csv"));
    expect(problems.map((p) => [p.line, p.message.slice(0, 20)])).toEqual([
      [3, "has 3 cells; the hea"],
      [4, 'a quote (") inside a'],
      [7, "a quoted field is no"],
    ]);
  });

  it("converts cells with the given hook, leaving out the ones it drops", () => {
    const ds = parseDataset("n,s\n5,\n", "csv", { cell: (c, t) => (c === "n" ? Number(t) : t === "" ? undefined : t) });
    expect(ds.records).toEqual([{ input: { n: 5 } }]);
  });
});

describe("dataset hash", () => {
  it("is FNV-1a 64 (known vectors)", () => {
    expect(fnv1a64("")).toBe("cbf29ce484222325");
    expect(fnv1a64("a")).toBe("af63dc4c8601ec8c");
    expect(fnv1a64("foobar")).toBe("85944171f73967e8");
  });

  it("depends on the records, not on how the file wrote them", () => {
    const a = parseDataset('{"input":{"x":1,"y":2}}\n', "jsonl");
    const b = parseDataset('\n{ "input": { "y": 2, "x": 1 } }\n', "jsonl");
    const c = parseDataset('{"input":{"x":1,"y":3}}\n', "jsonl");
    expect(a.hash).toBe(b.hash);
    expect(a.hash).not.toBe(c.hash);
    expect(a.hash).toBe(datasetHash([{ input: { y: 2, x: 1 } }]));
  });
});
