import pg from "pg";
import { PG_MIGRATIONS } from "./migrations.js";
import { PgConnectError } from "../errors.js";

export type Pg = pg.Pool;
export type PgClient = pg.Pool | pg.PoolClient;

// Timestamps are milliseconds in BIGINT columns; node-pg reads int8 as a string unless told otherwise.
// Every BIGINT Braid stores (ms since 1970, counts) fits a double exactly.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/**
 * Connects, checks the server answers and brings the schema up to date. A URL that cannot be
 * reached fails here, at start, naming it, rather than as 500s on the first request.
 */
export async function openPg(url: string, opts: { max?: number } = {}): Promise<Pg> {
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10, connectionTimeoutMillis: 5000 });
  // An idle client that loses its server emits 'error' on the pool; without a listener it would crash the process.
  pool.on("error", () => {});
  try {
    await migratePg(pool);
  } catch (err) {
    await pool.end().catch(() => {});
    throw new PgConnectError(url, err);
  }
  return pool;
}

/** Runs `fn` in one transaction on one client; rolls back when it throws. */
export async function transaction<T>(pool: Pg, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  // A client whose ROLLBACK failed (connection lost) is closed, not handed out again by the pool.
  let broken: Error | undefined;
  try {
    await c.query("BEGIN");
    const out = await fn(c);
    await c.query("COMMIT");
    return out;
  } catch (err) {
    await c.query("ROLLBACK").catch((e: Error) => {
      broken = e;
    });
    throw err;
  } finally {
    c.release(broken);
  }
}

/** The rows of one query. */
export async function rows<T>(c: PgClient, sql: string, args: unknown[] = []): Promise<T[]> {
  return (await c.query(sql, args)).rows as T[];
}

/** The first row of one query, or undefined. */
export async function row<T>(c: PgClient, sql: string, args: unknown[] = []): Promise<T | undefined> {
  return (await c.query(sql, args)).rows[0] as T | undefined;
}

// Any fixed key: every Braid process migrating one database takes the same lock, so two processes
// starting together on a new database apply each migration once.
const MIGRATION_LOCK = 5_116_001;

export async function migratePg(pool: Pg, migrations: string[] = PG_MIGRATIONS): Promise<{ from: number; to: number }> {
  return transaction(pool, async (c) => {
    await c.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await c.query("CREATE TABLE IF NOT EXISTS braid_schema (version INTEGER NOT NULL)");
    const cur = await row<{ version: number }>(c, "SELECT version FROM braid_schema");
    const from = cur?.version ?? 0;
    if (from > migrations.length) throw new Error(`the database was written by a newer Braid (schema ${from}; this one knows ${migrations.length})`);
    for (let v = from; v < migrations.length; v++) await c.query(migrations[v] as string);
    if (cur) await c.query("UPDATE braid_schema SET version = $1", [migrations.length]);
    else await c.query("INSERT INTO braid_schema (version) VALUES ($1)", [migrations.length]);
    return { from, to: migrations.length };
  });
}
