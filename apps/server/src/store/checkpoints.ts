import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import {
  type BaseCheckpointSaver,
  type Checkpoint,
  type CheckpointMetadata,
  type PendingWrite,
  type SerializerProtocol,
  WRITES_IDX_MAP,
  copyCheckpoint,
} from "@langchain/langgraph-checkpoint";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import type Database from "better-sqlite3";
import { openSqlite, writeTransaction } from "./db.js";

/**
 * Checkpoints hold user input and model output, so they are stored as plain JSON and read back as
 * plain JSON. LangGraph's default serializer revives `{"lc":1,"type":"constructor"}` objects and
 * assigns keys one by one (so `__proto__` would set a prototype); this one does neither.
 * LangGraph does rely on `undefined` (an empty channel), which JSON cannot hold, so the paths of
 * undefined values travel beside the data instead of as in-band markers user data could forge.
 */
export class PlainJsonSerializer implements SerializerProtocol {
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder();

  async dumpsTyped(data: unknown): Promise<[string, Uint8Array]> {
    const undefinedAt: Array<Array<string | number>> = [];
    const value = encode(data, [], undefinedAt);
    return ["json", this.encoder.encode(JSON.stringify(undefinedAt.length ? { value, undefinedAt } : { value }))];
  }

  async loadsTyped(type: string, data: Uint8Array | string): Promise<unknown> {
    if (type !== "json") throw new Error(`unsupported checkpoint encoding "${type}"`);
    const doc = JSON.parse(typeof data === "string" ? data : this.decoder.decode(data)) as { value: unknown; undefinedAt?: Array<Array<string | number>> };
    if (doc.undefinedAt === undefined) return doc.value;
    if (doc.undefinedAt.some((p) => p.length === 0)) return undefined;
    for (const path of doc.undefinedAt) {
      let target: unknown = doc.value;
      for (const key of path.slice(0, -1))
        target = target && typeof target === "object" && Object.hasOwn(target, key) ? (target as Record<string | number, unknown>)[key] : undefined;
      if (target && typeof target === "object")
        Object.defineProperty(target, path[path.length - 1] as string | number, { value: undefined, enumerable: true, writable: true, configurable: true });
    }
    return doc.value;
  }
}

function encode(v: unknown, path: Array<string | number>, undefinedAt: Array<Array<string | number>>): unknown {
  if (v === undefined) {
    undefinedAt.push(path);
    return null;
  }
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map((x, i) => encode(x, [...path, i], undefinedAt));
  if (typeof (v as { toJSON?: unknown }).toJSON === "function") return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v))
    Object.defineProperty(out, k, { value: encode(x, [...path, k], undefinedAt), enumerable: true, writable: true, configurable: true });
  return out;
}

/** One SQL statement of a checkpoint write, for the run store to execute in its own transaction. */
export interface SqlStatement {
  sql: string;
  params: unknown[];
}

/**
 * Where a journaling saver sends its writes: the run manager's event queue, which commits them in
 * the same transaction as the events appended with them, in the order they were made.
 */
export type CheckpointJournal = (statements: SqlStatement[]) => void;

/**
 * A LangGraph checkpointer whose writes can go through the event log's transactions instead of
 * its own. Without a journal it writes on its own, as LangGraph's saver does (tests, benchmarks).
 */
export interface JournalingSaver extends BaseCheckpointSaver {
  /** A saver on the same tables whose put and putWrites go to `journal`; reads are the same. */
  journaled(journal: CheckpointJournal): BaseCheckpointSaver;
}

export type RunnableConfig = Parameters<BaseCheckpointSaver["put"]>[0];

/** The thread and checkpoint a put or putWrites addresses, checked as LangGraph's savers check them. */
export function checkpointTarget(config: RunnableConfig, needsCheckpointId = false) {
  const { thread_id, checkpoint_ns = "", checkpoint_id } = (config.configurable ?? {}) as Record<string, string | undefined>;
  if (!thread_id) throw new Error('Missing "thread_id" field in passed "config.configurable".');
  if (needsCheckpointId && !checkpoint_id) throw new Error('Missing "checkpoint_id" field in passed "config.configurable".');
  return { thread_id, checkpoint_ns, checkpoint_id };
}

/** LangGraph replaces a task's writes to its special channels (errors, interrupts) and keeps the first of the others. */
export const replacesWrites = (writes: PendingWrite[]): boolean => writes.every(([channel]) => channel in WRITES_IDX_MAP);

// LangGraph's own statements (SqliteSaver.put and putWrites), so its reads find what is written here.
const PUT_CHECKPOINT =
  "INSERT OR REPLACE INTO checkpoints (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata) VALUES (?, ?, ?, ?, ?, ?, ?)";
const putWritesSql = (replace: boolean) =>
  `INSERT ${replace ? "OR REPLACE" : "OR IGNORE"} INTO writes (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;

/**
 * SqliteSaver on braid.db itself, so checkpoints and events share one file and one transaction.
 * put and putWrites serialize as SqliteSaver does, then hand the statements to the journal.
 */
class JournalSqliteSaver extends SqliteSaver implements JournalingSaver {
  constructor(
    db: Database.Database,
    serde: SerializerProtocol,
    private readonly journal?: CheckpointJournal,
  ) {
    super(db, serde);
  }

  journaled(journal: CheckpointJournal): BaseCheckpointSaver {
    return new JournalSqliteSaver(this.db, this.serde, journal);
  }

  override async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata): Promise<RunnableConfig> {
    if (!this.journal) return super.put(config, checkpoint, metadata);
    const { thread_id, checkpoint_ns, checkpoint_id } = checkpointTarget(config);
    const [[type, data], [, meta]] = await Promise.all([this.serde.dumpsTyped(copyCheckpoint(checkpoint)), this.serde.dumpsTyped(metadata)]);
    this.journal([{ sql: PUT_CHECKPOINT, params: [thread_id, checkpoint_ns, checkpoint.id, checkpoint_id, type, data, meta] }]);
    return { configurable: { thread_id, checkpoint_ns, checkpoint_id: checkpoint.id } };
  }

  override async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string): Promise<void> {
    if (!this.journal) return super.putWrites(config, writes, taskId);
    const { thread_id, checkpoint_ns, checkpoint_id } = checkpointTarget(config, true);
    const sql = putWritesSql(replacesWrites(writes));
    const statements = await Promise.all(
      writes.map(async ([channel, value], idx) => {
        const [type, data] = await this.serde.dumpsTyped(value);
        return { sql, params: [thread_id, checkpoint_ns, checkpoint_id, taskId, WRITES_IDX_MAP[channel] ?? idx, channel, type, data] };
      }),
    );
    this.journal(statements);
  }
}

/**
 * LangGraph's checkpoints in braid.db, beside the event log (migration 6 creates its tables).
 * Earlier versions kept them in checkpoints.db: what it holds (runs in flight when the old version
 * stopped) is copied over once, in one transaction, and the old file is removed.
 */
export function openCheckpointer(db: Database.Database, dataDir: string): JournalingSaver {
  const legacy = join(dataDir, "checkpoints.db");
  if (existsSync(legacy)) {
    // Opened on its own first: a damaged or truncated file is reported by name, as before.
    openSqlite(legacy).close();
    db.exec(`ATTACH DATABASE '${legacy.replaceAll("'", "''")}' AS legacy`);
    try {
      writeTransaction(db, () => {
        const has = (t: string) => db.prepare("SELECT 1 FROM legacy.sqlite_master WHERE type = 'table' AND name = ?").get(t) !== undefined;
        if (has("checkpoints")) db.exec("INSERT OR IGNORE INTO main.checkpoints SELECT * FROM legacy.checkpoints");
        if (has("writes")) db.exec("INSERT OR IGNORE INTO main.writes SELECT * FROM legacy.writes");
      });
    } finally {
      db.exec("DETACH DATABASE legacy");
    }
    for (const suffix of ["", "-wal", "-shm"]) rmSync(legacy + suffix, { force: true });
  }
  return new JournalSqliteSaver(db, new PlainJsonSerializer());
}

/**
 * Retention: a finished run's checkpoints are only needed to resume it, and its node outputs live
 * in the event log, so they are deleted when the run ends. The file stays bounded by the runs in
 * flight, and SQLite reuses the freed pages.
 */
export async function pruneCheckpoints(saver: BaseCheckpointSaver, runId: string): Promise<void> {
  await saver.deleteThread(runId);
}
