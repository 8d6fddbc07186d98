import { join } from "node:path";
import type { SerializerProtocol } from "@langchain/langgraph-checkpoint";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import Database from "better-sqlite3";

/**
 * Checkpoints hold user input and model output, so they are stored as plain JSON and read back as
 * plain JSON. LangGraph's default serializer revives `{"lc":1,"type":"constructor"}` objects and
 * assigns keys one by one (so `__proto__` would set a prototype); this one does neither.
 */
export class PlainJsonSerializer implements SerializerProtocol {
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder();

  async dumpsTyped(data: unknown): Promise<[string, Uint8Array]> {
    return ["json", this.encoder.encode(JSON.stringify(data, (_k, v) => (v === undefined ? null : v)))];
  }

  async loadsTyped(type: string, data: Uint8Array | string): Promise<unknown> {
    if (type !== "json") throw new Error(`unsupported checkpoint encoding "${type}"`);
    return JSON.parse(typeof data === "string" ? data : this.decoder.decode(data));
  }
}

/** LangGraph checkpoints in their own file in the data folder. */
export function openCheckpointer(dataDir: string): { saver: SqliteSaver; db: Database.Database } {
  const db = new Database(join(dataDir, "checkpoints.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  return { saver: new SqliteSaver(db, new PlainJsonSerializer()), db };
}

/**
 * Retention: a finished run's checkpoints are only needed to resume it, and its node outputs live
 * in the event log, so they are deleted when the run ends. The file stays bounded by the runs in
 * flight, and SQLite reuses the freed pages.
 */
export async function pruneCheckpoints(saver: SqliteSaver, runId: string): Promise<void> {
  await saver.deleteThread(runId);
}
