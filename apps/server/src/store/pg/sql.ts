import { type PgClient, row, rows } from "./db.js";

/**
 * PostgreSQL TEXT cannot hold U+0000, and node-pg turns a lone surrogate into U+FFFD, yet SQLite
 * takes both in names, messages and ids (the engine's parser lets a pipeline name hold a NUL). Such
 * a string is stored as U+FFFF (a noncharacter, reserved for internal use) and its JSON form, which
 * escapes both; a string that already starts with U+FFFF is stored that way too, so decoding is
 * never ambiguous. Every other string is stored as it is, so SQL sees plain text.
 */
const MARK = "\uffff";
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
export const toPgText = (s: string): string => (s.includes("\u0000") || s.startsWith(MARK) || LONE_SURROGATE.test(s) ? MARK + JSON.stringify(s) : s);
export const fromPgText = (s: string): string => (s.startsWith(MARK) ? (JSON.parse(s.slice(1)) as string) : s);
export const fromPgTextOrNull = (s: string | null): string | null => (s === null ? null : fromPgText(s));

/*
 * Every text argument and every text column goes through the codec above (a NUL or lone
 * surrogate, which PostgreSQL TEXT cannot hold, is stored marked, as JSON), so a pipeline or run
 * id means the same in every table. JSON documents pass unchanged: JSON.stringify
 * escapes both, and no document starts with the mark. SQLite binds NaN as NULL (a NOT NULL column
 * then refuses it), where PostgreSQL would store it.
 */
const toArg = (v: unknown): unknown =>
  typeof v === "string" ? toPgText(v) : typeof v === "number" && Number.isNaN(v) ? null : Array.isArray(v) ? v.map(toArg) : v;

function fromRow<T>(r: Record<string, unknown>): T {
  for (const k of Object.keys(r)) if (typeof r[k] === "string") r[k] = fromPgText(r[k] as string);
  return r as T;
}

/** The rows of one query, its text arguments and results passed through the codec. */
export async function pgRows<T>(c: PgClient, sql: string, args: unknown[] = []): Promise<T[]> {
  return (await rows<Record<string, unknown>>(c, sql, args.map(toArg))).map((r) => fromRow<T>(r));
}

export async function pgRow<T>(c: PgClient, sql: string, args: unknown[] = []): Promise<T | undefined> {
  const r = await row<Record<string, unknown>>(c, sql, args.map(toArg));
  return r ? fromRow<T>(r) : undefined;
}

/** Runs a write; how many rows it touched (SQLite's `changes`). */
export async function pgRun(c: PgClient, sql: string, args: unknown[] = []): Promise<number> {
  return (await c.query(sql, args.map(toArg))).rowCount ?? 0;
}

/** whereClause's `?` placeholders as `$n`, numbered from `first`. */
export const numbered = (sql: string, first = 1): string => {
  let n = first - 1;
  return sql.replace(/\?/g, () => `$${++n}`);
};

/** A LIMIT with SQLite's meaning: a negative one is no limit (PostgreSQL would refuse it), a fraction is refused. */
export function pgLimit(n: number): number | null {
  if (!Number.isInteger(n)) throw new TypeError(`datatype mismatch: LIMIT ${n}`);
  return n < 0 ? null : n;
}
