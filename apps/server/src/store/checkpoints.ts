import { join } from "node:path";
import type { BaseCheckpointSaver, SerializerProtocol } from "@langchain/langgraph-checkpoint";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import type Database from "better-sqlite3";
import { openSqlite } from "./db.js";

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

/** LangGraph checkpoints in their own file in the data folder. */
export function openCheckpointer(dataDir: string): { saver: SqliteSaver; db: Database.Database } {
  const db = openSqlite(join(dataDir, "checkpoints.db"));
  return { saver: new SqliteSaver(db, new PlainJsonSerializer()), db };
}

/**
 * Retention: a finished run's checkpoints are only needed to resume it, and its node outputs live
 * in the event log, so they are deleted when the run ends. The file stays bounded by the runs in
 * flight, and SQLite reuses the freed pages.
 */
export async function pruneCheckpoints(saver: BaseCheckpointSaver, runId: string): Promise<void> {
  await saver.deleteThread(runId);
}
