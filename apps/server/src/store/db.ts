import { existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { DatabaseError } from "./errors.js";
import { MIGRATIONS } from "./migrations.js";

export { DatabaseError };

export type Db = Database.Database;

/** `WHERE a = ? AND b = ?` from the conditions whose value is given (undefined and "" are left out), with their arguments. */
export function whereClause(conditions: Array<[sql: string, value: string | number | undefined]>): { sql: string; args: Array<string | number> } {
  const given = conditions.filter((c): c is [string, string | number] => c[1] !== undefined && c[1] !== "");
  return { sql: given.length ? `WHERE ${given.map((c) => c[0]).join(" AND ")}` : "", args: given.map((c) => c[1]) };
}

/**
 * Opens a SQLite file in WAL mode and checks it before anything is read, so damage is reported at
 * start, naming the file, rather than as 500s later. A missing file is a fresh start; an existing
 * zero-length one is not: SQLite writes the header as soon as a database is first opened here, so
 * an empty file means it was truncated, and opening it would silently start empty.
 */
export function openSqlite(file: string, configure: (db: Db) => void = () => {}): Db {
  if (existsSync(file) && statSync(file).size === 0 && !headerWritten(file))
    throw new DatabaseError(file, "the file is empty (0 bytes), so it was probably truncated");
  let db: Db | undefined;
  try {
    db = new Database(file);
    db.pragma("journal_mode = WAL");
    // NORMAL in WAL mode is durable across process crashes (SIGKILL); only an OS crash can lose the last commits.
    db.pragma("synchronous = NORMAL");
    db.pragma("busy_timeout = 5000");
    // quick_check reads every page but skips the index cross-checks of integrity_check: start-up stays fast.
    const problems = (db.pragma("quick_check(5)") as Array<{ quick_check: string }>).map((r) => r.quick_check).filter((m) => m !== "ok");
    if (problems.length > 0) throw new DatabaseError(file, `the integrity check failed (${problems.join("; ")})`);
  } catch (err) {
    db?.close();
    if (err instanceof DatabaseError) throw err;
    throw new DatabaseError(file, `cannot be opened as a database (${(err as Error).message})`);
  }
  try {
    configure(db);
  } catch (err) {
    db.close();
    throw new Error(`${file}: ${(err as Error).message}`, { cause: err });
  }
  return db;
}

/**
 * Runs `fn` in a write transaction that takes SQLite's write lock at BEGIN (IMMEDIATE). A deferred
 * one that reads before it writes cannot upgrade once another process (a queue worker) has
 * committed meanwhile: SQLite fails it at once with SQLITE_BUSY instead of waiting out busy_timeout.
 */
export function writeTransaction<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).immediate();
}

/**
 * A file another process has just created is empty until SQLite writes its header, a moment
 * later (a worker starting beside its server on a new data folder): a fresh empty file gets
 * that moment; one that stays empty, or is old, was truncated.
 */
function headerWritten(file: string): boolean {
  const fresh = Date.now() - statSync(file).mtimeMs < 5000;
  for (let waited = 0; fresh && waited < 2000; waited += 50) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    if (statSync(file).size > 0) return true;
  }
  return false;
}

/** Opens (creating if needed) the data folder's database and brings its schema up to date. */
export function openDb(dataDir: string, file = "braid.db"): Db {
  mkdirSync(dataDir, { recursive: true });
  return openSqlite(join(dataDir, file), (db) => {
    db.pragma("foreign_keys = ON");
    migrate(db);
  });
}

export function migrate(db: Db, migrations: string[] = MIGRATIONS): { from: number; to: number } {
  const from = db.pragma("user_version", { simple: true }) as number;
  if (from > migrations.length) {
    throw new Error(`the data folder was written by a newer Braid (schema ${from}; this one knows ${migrations.length})`);
  }
  for (let v = from; v < migrations.length; v++) {
    // Immediate, and the version read again inside: a worker and a server starting together on a
    // new data folder both reach here, and the second must skip what the first just applied.
    writeTransaction(db, () => {
      if ((db.pragma("user_version", { simple: true }) as number) > v) return;
      db.exec(migrations[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    });
  }
  return { from, to: migrations.length };
}
