import type { BaseCheckpointSaver, ChannelVersions, Checkpoint, CheckpointMetadata, PendingWrite, SerializerProtocol } from "@langchain/langgraph-checkpoint";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import type pg from "pg";
import { type CheckpointJournal, type JournalingSaver, PlainJsonSerializer, type RunnableConfig, checkpointTarget, replacesWrites } from "../checkpoints.js";
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
 *
 * With a journal, put and putWrites build PostgresSaver's own statements and hand them to the run
 * store, which executes them in the transaction of the events appended with them.
 */
class BraidPostgresSaver extends PostgresSaver implements JournalingSaver {
  constructor(
    private readonly braidPool: pg.Pool,
    serde: SerializerProtocol,
    private readonly journal?: CheckpointJournal,
  ) {
    super(braidPool, serde);
  }

  journaled(journal: CheckpointJournal): BaseCheckpointSaver {
    return new BraidPostgresSaver(this.braidPool, this.serde, journal);
  }

  /** PostgresSaver's statements (private there, so TypeScript does not see them). */
  private get statements(): Record<
    "UPSERT_CHECKPOINT_BLOBS_SQL" | "UPSERT_CHECKPOINTS_SQL" | "UPSERT_CHECKPOINT_WRITES_SQL" | "INSERT_CHECKPOINT_WRITES_SQL",
    string
  > {
    return (this as unknown as { SQL_STATEMENTS: BraidPostgresSaver["statements"] }).SQL_STATEMENTS;
  }

  override async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: ChannelVersions): Promise<RunnableConfig> {
    if (!this.journal) return super.put(config, checkpoint, metadata, newVersions);
    const { thread_id, checkpoint_ns, checkpoint_id } = checkpointTarget(config);
    const [blobs, meta] = await Promise.all([this._dumpBlobs(thread_id, checkpoint_ns, checkpoint.channel_values, newVersions), this._dumpMetadata(metadata)]);
    const sql = this.statements;
    this.journal([
      ...blobs.map((params) => ({ sql: sql.UPSERT_CHECKPOINT_BLOBS_SQL, params })),
      { sql: sql.UPSERT_CHECKPOINTS_SQL, params: [thread_id, checkpoint_ns, checkpoint.id, checkpoint_id, this._dumpCheckpoint(checkpoint), meta] },
    ]);
    return { configurable: { thread_id, checkpoint_ns, checkpoint_id: checkpoint.id } };
  }

  override async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string): Promise<void> {
    if (!this.journal) return super.putWrites(config, writes, taskId);
    const { thread_id, checkpoint_ns, checkpoint_id } = checkpointTarget(config, true);
    const sql = replacesWrites(writes) ? this.statements.UPSERT_CHECKPOINT_WRITES_SQL : this.statements.INSERT_CHECKPOINT_WRITES_SQL;
    const dumped = await this._dumpWrites(thread_id, checkpoint_ns, checkpoint_id as string, taskId, writes);
    this.journal(dumped.map((params) => ({ sql, params })));
  }

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
export async function openPgCheckpointer(pool: Pg): Promise<JournalingSaver> {
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
