import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { MIGRATIONS } from "./migrations.js";

export type Db = Database.Database;

/** Opens (creating if needed) the data folder's database and brings its schema up to date. */
export function openDb(dataDir: string, file = "braid.db"): Db {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, file));
  db.pragma("journal_mode = WAL");
  // NORMAL in WAL mode is durable across process crashes (SIGKILL); only an OS crash can lose the last commits.
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  migrate(db);
  return db;
}

export function migrate(db: Db, migrations: string[] = MIGRATIONS): { from: number; to: number } {
  const from = db.pragma("user_version", { simple: true }) as number;
  if (from > migrations.length) {
    throw new Error(`the data folder was written by a newer Braid (schema ${from}; this one knows ${migrations.length})`);
  }
  for (let v = from; v < migrations.length; v++) {
    db.transaction(() => {
      db.exec(migrations[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return { from, to: migrations.length };
}
