import { BraidError } from "../errors.js";
import { MAX_JSON_DEPTH, isPlainObject, jsonDepth, stableStringify } from "../json.js";

/**
 * Evaluation datasets: JSONL (one record per line) or CSV (a header row, then one record per row).
 * A record is `{ input, expected?, tags? }`; any other object is taken as a bare input. Parsing is
 * all-or-nothing: one bad row fails the whole dataset with every problem and its line number, so a
 * dataset version never holds half of a file.
 */
export interface DatasetRecord {
  input: unknown;
  expected?: unknown;
  tags?: string[];
}

export interface Dataset {
  records: DatasetRecord[];
  /** The 1-based line each record starts on, parallel to `records`. */
  lines: number[];
  /** Content hash of the records (canonical JSON, FNV-1a 64): equal records, equal hash, whatever the file looked like. */
  hash: string;
}

export type DatasetFormat = "jsonl" | "csv";

export interface DatasetProblem {
  line: number;
  message: string;
}

export interface ParseDatasetOptions {
  /** CSV only: turns an input cell's text into a value, or undefined to leave the column out (the server converts to the input schema's types). Default: the text. */
  cell?: (column: string, text: string) => unknown;
}

/** The most problems a message lists (all of them stay in `details.problems`). */
const MESSAGE_PROBLEMS = 10;
const RECORD_KEYS = new Set(["input", "expected", "tags"]);

export class DatasetError extends BraidError {
  readonly problems: DatasetProblem[];
  constructor(problems: DatasetProblem[], source?: string) {
    const shown = problems.slice(0, MESSAGE_PROBLEMS).map((p) => `line ${p.line}: ${p.message}`);
    const more = problems.length > MESSAGE_PROBLEMS ? `; and ${problems.length - MESSAGE_PROBLEMS} more` : "";
    super(
      "E_DATASET",
      `${source ? `${source}: ` : ""}${problems.length} bad row${problems.length === 1 ? "" : "s"}, nothing imported: ${shown.join("; ")}${more}`,
      {
        details: { problems },
      },
    );
    this.problems = problems;
  }
}

/** `.csv` is CSV; everything else is JSONL. */
export const datasetFormatOf = (fileName: string): DatasetFormat => (/\.csv$/i.test(fileName) ? "csv" : "jsonl");

/** Parses a whole dataset or throws a DatasetError listing every bad row. */
export function parseDataset(text: string, format: DatasetFormat, opts: ParseDatasetOptions = {}, source?: string): Dataset {
  const problems: DatasetProblem[] = [];
  const records: DatasetRecord[] = [];
  const lines: number[] = [];
  const add = (line: number, r: DatasetRecord | string) => {
    if (typeof r === "string") problems.push({ line, message: r });
    else {
      records.push(r);
      lines.push(line);
    }
  };
  if (format === "jsonl") {
    text.split(/\r?\n/).forEach((raw, i) => {
      if (raw.trim() === "") return;
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch (err) {
        add(i + 1, `not valid JSON (${(err as Error).message})`);
        return;
      }
      add(i + 1, toRecord(value));
    });
  } else {
    const rows = parseCsv(text, problems);
    const header = rows.shift();
    if (header) {
      const names = header.cells.map((c) => c.trim());
      names.forEach((n, i) => {
        if (n === "") problems.push({ line: header.line, message: `column ${i + 1} has no name` });
        else if (names.indexOf(n) !== i) problems.push({ line: header.line, message: `column "${n}" appears twice` });
      });
      for (const row of rows) {
        if (row.cells.length === 1 && row.cells[0] === "") continue;
        if (row.cells.length !== names.length) {
          add(row.line, `has ${row.cells.length} cells; the header has ${names.length}`);
          continue;
        }
        add(row.line, csvRecord(names, row.cells, opts.cell));
      }
    }
  }
  if (problems.length > 0)
    throw new DatasetError(
      problems.sort((a, b) => a.line - b.line),
      source,
    );
  return { records, lines, hash: datasetHash(records) };
}

/** A record from one JSON value, or the reason it is not one. */
function toRecord(value: unknown): DatasetRecord | string {
  if (!isPlainObject(value)) return "a record must be a JSON object";
  if (jsonDepth(value, MAX_JSON_DEPTH + 1) > MAX_JSON_DEPTH) return `nests deeper than ${MAX_JSON_DEPTH} levels`;
  // An object with an `input` key is a record; any other object is the input itself.
  if (!Object.hasOwn(value, "input")) return { input: value };
  const extra = Object.keys(value).filter((k) => !RECORD_KEYS.has(k));
  if (extra.length > 0) return `unknown key${extra.length > 1 ? "s" : ""} ${extra.map((k) => `"${k}"`).join(", ")} (a record has input, expected, tags)`;
  const rec: DatasetRecord = { input: value.input };
  if (value.expected !== undefined) rec.expected = value.expected;
  if (value.tags !== undefined) {
    if (!Array.isArray(value.tags) || !value.tags.every((t) => typeof t === "string")) return "tags must be an array of strings";
    rec.tags = value.tags;
  }
  return rec;
}

/** CSV columns `expected` (JSON when it parses, else text) and `tags` (comma-separated) are special; the others make the input. */
function csvRecord(names: string[], cells: string[], cell: ParseDatasetOptions["cell"]): DatasetRecord | string {
  const input: Record<string, unknown> = {};
  const rec: DatasetRecord = { input };
  names.forEach((name, i) => {
    const text = cells[i] as string;
    if (name === "expected") {
      if (text !== "") rec.expected = parseLoose(text);
    } else if (name === "tags") {
      const tags = text
        .split(",")
        .map((t) => t.trim())
        .filter(Boolean);
      if (tags.length > 0) rec.tags = tags;
    } else {
      const value = cell ? cell(name, text) : text;
      if (value !== undefined) Object.defineProperty(input, name, { value, enumerable: true, writable: true, configurable: true });
    }
  });
  return rec;
}

function parseLoose(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

interface CsvRow {
  line: number;
  cells: string[];
}

/**
 * RFC 4180: fields separated by commas, rows by CRLF or LF; a quoted field may hold commas,
 * newlines and doubled quotes. A quote inside an unquoted field, text after a closing quote or an
 * unterminated quote is a problem on the line where the row starts.
 */
export function parseCsv(text: string, problems: DatasetProblem[]): CsvRow[] {
  const rows: CsvRow[] = [];
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let line = 1;
  let i = 0;
  while (i < src.length) {
    const start = line;
    const cells: string[] = [];
    let bad: string | undefined;
    for (;;) {
      let cell = "";
      if (src[i] === '"') {
        i++;
        let closed = false;
        while (i < src.length) {
          const c = src[i];
          if (c === '"') {
            if (src[i + 1] === '"') {
              cell += '"';
              i += 2;
              continue;
            }
            i++;
            closed = true;
            break;
          }
          if (c === "\n") line++;
          cell += c;
          i++;
        }
        if (!closed) bad ??= "a quoted field is not closed";
        else if (i < src.length && src[i] !== "," && src[i] !== "\n" && src[i] !== "\r") {
          bad ??= "text after a closing quote";
          while (i < src.length && src[i] !== "," && src[i] !== "\n") i++;
        }
      } else {
        while (i < src.length && src[i] !== "," && src[i] !== "\n" && src[i] !== "\r") {
          if (src[i] === '"') bad ??= 'a quote (") inside an unquoted field; quote the whole field and double the quote';
          cell += src[i];
          i++;
        }
      }
      cells.push(cell);
      if (src[i] === ",") {
        i++;
        continue;
      }
      if (src[i] === "\r") i++;
      if (src[i] === "\n") {
        i++;
        line++;
      }
      break;
    }
    if (bad) problems.push({ line: start, message: bad });
    else rows.push({ line: start, cells });
  }
  return rows;
}

/** The content hash of a dataset version: FNV-1a 64 over the UTF-8 of the records' canonical JSON, as 16 hex digits. */
export function datasetHash(records: readonly DatasetRecord[]): string {
  return fnv1a64(stableStringify(records));
}

/** FNV-1a 64-bit, in four 16-bit limbs so it runs on plain numbers (no BigInt, no Node crypto: browser-safe). */
export function fnv1a64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  // Offset basis 0xcbf29ce484222325, lowest limb first.
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  for (const b of bytes) {
    h0 ^= b;
    // h * 0x100000001b3 = h * 0x1b3 + (h << 40), modulo 2^64.
    const t0 = h0 * 0x1b3;
    const t1 = h1 * 0x1b3 + (t0 >>> 16);
    const t2 = h2 * 0x1b3 + (h0 << 8) + (t1 >>> 16);
    const t3 = h3 * 0x1b3 + (h1 << 8) + (t2 >>> 16);
    h0 = t0 & 0xffff;
    h1 = t1 & 0xffff;
    h2 = t2 & 0xffff;
    h3 = t3 & 0xffff;
  }
  return [h3, h2, h1, h0].map((h) => h.toString(16).padStart(4, "0")).join("");
}
