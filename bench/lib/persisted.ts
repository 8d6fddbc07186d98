/**
 * Braid with tracing and persistence on, exactly as the server runs it: the server's RunManager
 * (lint on submit, every event written to the SQLite event store before it is published to the
 * event hub, LangGraph checkpoints in braid.db committed with the events, checkpoint pruning at the
 * end of each run).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BackendPool, Pipeline, Registry } from "@braid/engine";
import { EventHub } from "../../apps/server/src/runs/hub.js";
import { RunManager } from "../../apps/server/src/runs/manager.js";
import { type JournalingSaver, openCheckpointer } from "../../apps/server/src/store/checkpoints.js";
import { openDb } from "../../apps/server/src/store/db.js";
import { SqliteRunStore } from "../../apps/server/src/store/runs.js";

export interface Stores {
  dir: string;
  /** LangGraph's checkpointer in the folder's braid.db; used as it is, it writes on its own, as SqliteSaver does. */
  checkpointer: JournalingSaver;
  close(): Promise<void>;
}

export interface PersistedBraid extends Stores {
  runs: SqliteRunStore;
  manager: RunManager;
  hub: EventHub;
  /** One run to its end; resolves with the number of events stored. Throws unless it completed. */
  run(pipeline: Pipeline, seed: number): Promise<number>;
}

function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `braid-bench-${prefix}-`));
}

/** A SqliteSaver in a temp folder (the raw LangGraph baseline uses the same saver and serializer). */
export function openCheckpointStore(prefix: string): Stores {
  const dir = tempDir(prefix);
  const db = openDb(dir);
  const checkpointer = openCheckpointer(db, dir);
  return {
    dir,
    checkpointer,
    async close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function openPersistedBraid(prefix: string, registry: Registry, pool: BackendPool): PersistedBraid {
  const dir = tempDir(prefix);
  const db = openDb(dir);
  const checkpointer = openCheckpointer(db, dir);
  const runs = new SqliteRunStore(db);
  const hub = new EventHub();
  const manager = new RunManager({ store: runs, hub, registry, pool, checkpointer, maxConcurrent: 64, queueLimit: 1000 });
  return {
    dir,
    checkpointer,
    runs,
    hub,
    manager,
    async run(pipeline, seed) {
      const rec = await manager.submit({ pipeline, seed });
      let n = 0;
      let last: { type: string } | undefined;
      for await (const e of hub.follow(runs, rec.id, 0)) {
        n++;
        last = e.event;
      }
      if (last?.type !== "run_finished") throw new Error(`benchmark run ended with ${last?.type}: ${JSON.stringify(last)}`);
      return n;
    },
    async close() {
      await manager.shutdown(5000);
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
