import type { CheckpointMetadata } from "@langchain/langgraph-checkpoint";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import type pg from "pg";
import { PlainJsonSerializer } from "../checkpoints.js";
import type { Pg } from "./db.js";

// The key of the advisory lock that lets one process at a time create LangGraph's tables.
const SETUP_LOCK = 5_116_003;

/** `\u0000` escapes not themselves escaped (an even run of backslashes before them). */
const NUL_ESCAPE = /(?<!\\)((?:\\\\)*)\\u0000/g;

/**
 * PostgresSaver keeps metadata in a JSONB column, parsing whatever the serializer wrote as if it
 * were the metadata itself. PlainJsonSerializer writes `{ value, undefinedAt }`, so metadata would
 * come back wrapped and LangGraph would read `step` and `source` as undefined when it resumes.
 * JSONB cannot hold U+0000 either: the base class strips raw NULs, which JSON never contains, so
 * the escaped ones are dropped here instead.
 */
class BraidPostgresSaver extends PostgresSaver {
  protected override async _dumpMetadata(metadata: CheckpointMetadata): Promise<unknown> {
    const [, bytes] = await this.serde.dumpsTyped(metadata);
    const text = new TextDecoder().decode(bytes).replace(NUL_ESCAPE, "$1");
    return (JSON.parse(text) as { value: unknown }).value;
  }
}

/**
 * LangGraph's checkpoints in the same database, in its own tables. Its setup() reads the applied
 * version and then creates tables and inserts version rows with no lock, so two processes starting
 * on a new database both try version 0 and one fails (duplicate key, or a CREATE TABLE IF NOT
 * EXISTS race on pg_type). A session advisory lock makes them take turns; setup runs on the locked
 * connection itself, so it needs no second one from a pool that may have only one.
 */
export async function openPgCheckpointer(pool: Pg): Promise<PostgresSaver> {
  const serde = new PlainJsonSerializer();
  const c = await pool.connect();
  let broken: Error | undefined;
  try {
    await c.query("SELECT pg_advisory_lock($1)", [SETUP_LOCK]);
    try {
      // setup() uses only query() and release() of the client it takes.
      const locked = { query: c.query.bind(c), release: () => {} };
      const onLockedClient = { connect: async () => locked };
      await new BraidPostgresSaver(onLockedClient as unknown as pg.Pool, serde).setup();
    } finally {
      await c.query("SELECT pg_advisory_unlock($1)", [SETUP_LOCK]).catch((err: Error) => {
        broken = err;
      });
    }
  } finally {
    // A connection whose unlock failed may still hold the lock: close it rather than pool it.
    c.release(broken);
  }
  return new BraidPostgresSaver(pool, serde);
}
