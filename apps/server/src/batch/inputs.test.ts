import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { type InputItem, InputsError, columnTypesFrom, convertCell, countRecords, detectFormat, readCsv, readJsonl } from "./inputs.js";

const dir = mkdtempSync(join(tmpdir(), "braid-inputs-"));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const all = async (it: AsyncIterable<InputItem>) => {
  const out: InputItem[] = [];
  for await (const x of it) out.push(x);
  return out;
};
/** Streams the text in small chunks, so records straddle chunk boundaries. */
const chunked = (text: string, size = 7) =>
  Readable.from(Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size)));

describe("readJsonl", () => {
  it("yields one record per non-blank line with its line number, index and a content hash", async () => {
    const items = await all(readJsonl(file("a.jsonl", '\uFEFF{"a":1}\n\n  {"a":2}  \r\n"text"\n')));
    expect(items).toMatchObject([
      { ok: true, index: 0, line: 1, value: { a: 1 } },
      { ok: true, index: 1, line: 3, value: { a: 2 } },
      { ok: true, index: 2, line: 4, value: "text" },
    ]);
    const hashes = items.map((i) => (i.ok ? i.hash : ""));
    expect(new Set(hashes).size).toBe(3);
    expect(hashes.every((h) => /^[0-9a-f]{16}$/.test(h))).toBe(true);
  });

  it("reports an unparseable line as a bad row with its line number and goes on", async () => {
    const items = await all(readJsonl(chunked('{"a":1}\n{"a":\n\n{"a":3}\nnot json\n')));
    expect(items.map((i) => [i.ok, i.line, i.index])).toEqual([
      [true, 1, 0],
      [false, 2, 1],
      [true, 4, 2],
      [false, 5, 3],
    ]);
    const bad = items[1];
    expect(bad).toMatchObject({ ok: false, code: "E_PARSE", raw: '{"a":' });
    if (bad && !bad.ok) expect(bad.message).toMatch(/not valid JSON/);
  });

  it("counts records without parsing them", async () => {
    expect(await countRecords(file("c.jsonl", '{"a":1}\n\nbroken\n{"b":2}'), "jsonl")).toBe(3);
  });
});

describe("readCsv", () => {
  it("maps rows to objects by the header, with the line each record starts on", async () => {
    const text = 'name,city,note\nAnn,Kyiv,plain\n"Bob ""B""",Lviv,"two\nlines"\n\nCara,Odesa,"a, b"\n';
    const items = await all(readCsv(chunked(text)));
    expect(items).toMatchObject([
      { ok: true, index: 0, line: 2, value: { name: "Ann", city: "Kyiv", note: "plain" } },
      { ok: true, index: 1, line: 3, value: { name: 'Bob "B"', city: "Lviv", note: "two\nlines" } },
      { ok: true, index: 2, line: 6, value: { name: "Cara", city: "Odesa", note: "a, b" } },
    ]);
  });

  it("reports rows with the wrong number of cells and broken quoting, and keeps reading", async () => {
    const text = 'name,age\nAnn,3\nBob,4,extra\nab"c,5\nDan\nEve,6\n"unclosed,7\nFay,8\n';
    const items = await all(readCsv(file("b.csv", text)));
    const summary = items.map((i) => (i.ok ? `ok ${i.line} ${JSON.stringify(i.value)}` : `bad ${i.line}${i.endLine ? `-${i.endLine}` : ""} ${i.message}`));
    expect(summary[0]).toBe('ok 2 {"name":"Ann","age":"3"}');
    expect(summary[1]).toMatch(/^bad 3 CSV: the row has 3 cells, the header has 2/);
    // A quote inside an unquoted field is text, not an error.
    expect(summary[2]).toBe('ok 4 {"name":"ab\\"c","age":"5"}');
    expect(summary[3]).toMatch(/^bad 5 CSV: the row has 1 cells/);
    expect(summary[4]).toBe('ok 6 {"name":"Eve","age":"6"}');
    // An unclosed quote takes the rest of the file; the bad row shows what it swallowed.
    expect(summary[5]).toMatch(/^bad 7-\d+ CSV: .*quote/i);
    const last = items[5];
    expect(last && !last.ok && last.raw).toContain("Fay,8");
    expect(items.map((i) => i.index)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("converts cells to the types the input schema declares", async () => {
    const schema = {
      type: "object",
      properties: {
        name: { type: "string" },
        age: { type: "integer" },
        vip: { type: "boolean" },
        tags: { type: "array" },
        score: { type: ["number", "null"] },
      },
    };
    const types = columnTypesFrom(schema);
    const items = await all(readCsv(chunked('name,age,vip,tags,score,extra\n007,42,TRUE,"[""a""]",,9\nX,,no,[],1.5e2,\n'), { columnTypes: types }));
    expect(items[0]).toMatchObject({ ok: true, value: { name: "007", age: 42, vip: true, tags: ["a"], score: null, extra: "9" } });
    // An empty integer cell is left out (so `required` can report it); a cell that does not convert stays text.
    expect(items[1]).toMatchObject({ ok: true, value: { name: "X", vip: "no", tags: [], score: 150, extra: "" } });
    expect(items[1]?.ok && Object.hasOwn(items[1].value as object, "age")).toBe(false);
    expect(convertCell("4.5", ["integer"])).toEqual({ keep: true, value: "4.5" });
  });

  it("refuses a header with a repeated or empty column name", async () => {
    await expect(all(readCsv(chunked("a,b,a\n1,2,3\n")))).rejects.toBeInstanceOf(InputsError);
    await expect(all(readCsv(chunked("a,,b\n1,2,3\n")))).rejects.toThrow(/empty column name/);
  });

  it("counts records, bad rows included, and picks the format by extension", async () => {
    expect(await countRecords(file("d.csv", 'h\n1\n"2\n3"\n4\n'), "csv")).toBe(3);
    expect(detectFormat("x/data.CSV")).toBe("csv");
    expect(detectFormat("data.jsonl")).toBe("jsonl");
    expect(detectFormat("data.ndjson")).toBe("jsonl");
  });
});
