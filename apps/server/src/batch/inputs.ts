/**
 * Batch input readers: JSONL (one JSON value per line) and CSV (a header row, then one record per
 * row). Both stream, so memory stays flat in the file's size, and both report every record with
 * the line it starts on. A record that cannot be read is yielded as a bad row (never thrown), so
 * the caller reports it and goes on.
 */
import { hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { MAX_JSON_DEPTH, isPlainObject, jsonDepth, safeJsonParse } from "@braid/engine";
import { parse as parseCsv } from "csv-parse";

export type InputFormat = "jsonl" | "csv";

/** One record of the inputs: its 0-based position among all records, and where it starts in the file. */
export interface InputRecord {
  ok: true;
  index: number;
  line: number;
  /** A short hash of the record's content; with `line` it identifies the record across restarts. */
  hash: string;
  value: unknown;
}

/** A record that could not be read (or, later, failed the input schema). */
export interface BadRow {
  ok: false;
  index: number;
  line: number;
  /** Last line of the record when it spans several (a quoted CSV field with newlines). */
  endLine?: number;
  code: string;
  message: string;
  /** The record's text, cut to RAW_LIMIT characters. */
  raw: string;
}

export type InputItem = InputRecord | BadRow;

/** The inputs as a whole cannot be read (a broken CSV header, a missing file): the batch cannot start. */
export class InputsError extends Error {}

const RAW_LIMIT = 2000;
const clip = (s: string) => (s.length > RAW_LIMIT ? `${s.slice(0, RAW_LIMIT)}…` : s);

export const contentHash = (text: string): string => hash("sha256", text).slice(0, 16);

/** `.csv` is CSV; everything else (.jsonl, .ndjson, .json) is read as JSONL. */
export function detectFormat(file: string): InputFormat {
  return /\.csv$/i.test(file) ? "csv" : "jsonl";
}

const openStream = (source: string | Readable): Readable => (typeof source === "string" ? createReadStream(source) : source);

/** JSONL: each non-blank line is one record; blank lines are not records. */
export async function* readJsonl(source: string | Readable): AsyncGenerator<InputItem> {
  const lines = createInterface({ input: openStream(source), crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  let index = 0;
  for await (const rawLine of lines) {
    line++;
    const text = line === 1 ? rawLine.replace(/^\uFEFF/, "").trim() : rawLine.trim();
    if (text === "") continue;
    const i = index++;
    let value: unknown;
    try {
      value = safeJsonParse(text);
    } catch (err) {
      yield { ok: false, index: i, line, code: "E_PARSE", message: `not valid JSON: ${(err as Error).message}`, raw: clip(text) };
      continue;
    }
    // A record nested thousands deep would overflow the stack of every check after this one.
    if (jsonDepth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH)
      yield { ok: false, index: i, line, code: "E_TOO_DEEP", message: `the record nests deeper than ${MAX_JSON_DEPTH} levels`, raw: clip(text) };
    else yield { ok: true, index: i, line, hash: contentHash(text), value };
  }
}

/** JSON Schema types a CSV cell may be converted to, taken from the input schema's properties. */
export type ColumnTypes = Record<string, string[]>;

/** The declared types of each top-level property of an input schema (for CSV cell conversion). */
export function columnTypesFrom(schema: unknown): ColumnTypes {
  const out: ColumnTypes = {};
  if (!isPlainObject(schema) || !isPlainObject(schema.properties)) return out;
  for (const [key, prop] of Object.entries(schema.properties)) {
    if (!isPlainObject(prop)) continue;
    const t = prop.type;
    if (typeof t === "string") out[key] = [t];
    else if (Array.isArray(t)) out[key] = t.filter((x): x is string => typeof x === "string");
  }
  return out;
}

/**
 * CSV cells are text. When the pipeline's input schema declares a column's type, the cell is
 * converted to it (number, integer, boolean, null, or JSON for object/array); an empty cell of a
 * non-string column is left out, so `required` reports it. Undeclared columns stay strings.
 */
export function convertCell(cell: string, types: string[] | undefined): { keep: boolean; value: unknown } {
  if (!types || types.length === 0 || types.includes("string")) return { keep: true, value: cell };
  const text = cell.trim();
  if (text === "") return types.includes("null") ? { keep: true, value: null } : { keep: false, value: undefined };
  for (const t of types) {
    if ((t === "number" || t === "integer") && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
      const n = Number(text);
      if (t === "number" || Number.isInteger(n)) return { keep: true, value: n };
    }
    if (t === "boolean" && /^(true|false)$/i.test(text)) return { keep: true, value: text.toLowerCase() === "true" };
    if (t === "null" && /^null$/i.test(text)) return { keep: true, value: null };
    if ((t === "object" || t === "array") && /^[[{]/.test(text)) {
      try {
        const v = safeJsonParse(text);
        if (t === "array" ? Array.isArray(v) : isPlainObject(v)) return { keep: true, value: v };
      } catch {
        // falls through: the schema check reports the cell
      }
    }
  }
  // Not convertible: keep the text, and let the schema check name the field.
  return { keep: true, value: cell };
}

const leadingNewlines = (s: string): number => {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 10) n++;
    else if (c !== 13) break;
  }
  return n;
};

type CsvRecord = { record: string[]; info: { lines: number }; raw: string };

/**
 * CSV with a header row (RFC 4180 quoting; a quote inside an unquoted field is kept as text).
 * A row with more or fewer cells than the header, or broken quoting, is a bad row. An unclosed
 * quote swallows the rest of the file into one bad row, whose `raw` shows what it took.
 */
export async function* readCsv(source: string | Readable, opts: { columnTypes?: ColumnTypes } = {}): AsyncGenerator<InputItem> {
  const skipped: Array<{ endLine: number; code: string; message: string; raw: string }> = [];
  const parser = openStream(source).pipe(
    parseCsv({
      bom: true,
      info: true,
      raw: true,
      relax_quotes: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (err: (Error & { code?: string; lines?: number }) | undefined, raw?: string) => {
        if (err) skipped.push({ endLine: err.lines ?? 0, code: err.code ?? "CSV_ERROR", message: err.message, raw: raw ?? "" });
      },
    }),
  );
  let header: string[] | undefined;
  let prevEnd = 0;
  let index = 0;
  const bad = (s: { endLine: number; code: string; message: string; raw: string }): BadRow => {
    const line = prevEnd + 1 + leadingNewlines(s.raw);
    prevEnd = Math.max(prevEnd, s.endLine);
    const row: BadRow = {
      ok: false,
      index: index++,
      line,
      code: "E_PARSE",
      message: `CSV: ${s.message.replace(/^[^:]*:\s*/, "")}`,
      raw: clip(s.raw.replace(/^[\r\n]+|[\r\n]+$/g, "")),
    };
    if (s.endLine > line) row.endLine = s.endLine;
    return row;
  };
  const flush = function* (before: number) {
    skipped.sort((a, b) => a.endLine - b.endLine);
    while (skipped.length > 0 && (skipped[0] as { endLine: number }).endLine < before) yield bad(skipped.shift() as (typeof skipped)[number]);
  };

  for await (const item of parser as AsyncIterable<CsvRecord>) {
    const endLine = item.info.lines;
    yield* flush(endLine);
    const line = prevEnd + 1 + leadingNewlines(item.raw);
    prevEnd = endLine;
    if (!header) {
      header = item.record.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, "") : h).trim());
      const dup = header.find((h, i) => header?.indexOf(h) !== i);
      if (dup !== undefined) throw new InputsError(`the CSV header (line ${line}) names column "${dup}" twice`);
      if (header.some((h) => h === "")) throw new InputsError(`the CSV header (line ${line}) has an empty column name`);
      continue;
    }
    const raw = clip(item.raw.replace(/^[\r\n]+|[\r\n]+$/g, ""));
    const i = index++;
    if (item.record.length !== header.length) {
      const row: BadRow = {
        ok: false,
        index: i,
        line,
        code: "E_PARSE",
        message: `CSV: the row has ${item.record.length} cells, the header has ${header.length}`,
        raw,
      };
      if (endLine > line) row.endLine = endLine;
      yield row;
      continue;
    }
    const value: Record<string, unknown> = {};
    header.forEach((h, c) => {
      const cell = convertCell(item.record[c] as string, opts.columnTypes?.[h]);
      if (cell.keep) value[h] = cell.value;
    });
    yield { ok: true, index: i, line, hash: contentHash(JSON.stringify(item.record)), value };
  }
  yield* flush(Number.POSITIVE_INFINITY);
}

export function readInputs(source: string | Readable, format: InputFormat, opts: { columnTypes?: ColumnTypes } = {}): AsyncGenerator<InputItem> {
  return format === "csv" ? readCsv(source, opts) : readJsonl(source);
}

/** Counts the records of an input file (for progress and ETA) without parsing values. */
export async function countRecords(file: string, format: InputFormat): Promise<number> {
  let n = 0;
  if (format === "jsonl") {
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
    for await (const l of lines) if (l.trim() !== "" && l.trim() !== "\uFEFF") n++;
    return n;
  }
  for await (const _ of readCsv(file)) n++;
  return n;
}
