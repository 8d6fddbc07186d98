/**
 * A worker process (`braid worker`): the run store, checkpoints and backends of the data folder,
 * and a BullMQ worker executing queued runs. No HTTP, no optimizer: those are the servers'.
 */
import { defaultRegistry } from "@braid/nodes";
import { serverPool } from "../app.js";
import type { ServerConfig } from "../config.js";
import { EventHub } from "../runs/hub.js";
import { RunManager } from "../runs/manager.js";
import { openCheckpointer } from "../store/checkpoints.js";
import { openDb } from "../store/db.js";
import { SqliteRunStore } from "../store/runs.js";
import { openQueueMode } from "./index.js";

export interface WorkerProcess {
  close(graceMs: number): Promise<void>;
}

export async function startWorker(config: ServerConfig, concurrency: number): Promise<WorkerProcess> {
  if (!config.queue) throw new Error("braid worker needs BRAID_REDIS_URL (queue mode)");
  const db = openDb(config.dataDir);
  const checkpoints = openCheckpointer(config.dataDir);
  const hub = new EventHub(1000);
  const mode = await openQueueMode(config.queue, hub, config.queueLimit);
  const pool = serverPool(config);
  const manager = new RunManager({
    store: new SqliteRunStore(db),
    hub,
    registry: defaultRegistry,
    pool,
    checkpointer: checkpoints.saver,
    maxConcurrent: concurrency,
    queueLimit: config.queueLimit,
    shared: mode.queue,
  });
  mode.queue.bind(manager);
  mode.queue.startWorker(concurrency);
  mode.batches.startWorker(1, { dataDir: config.dataDir, registry: defaultRegistry, pool });
  return {
    async close(graceMs) {
      // Runs still going after the grace period are suspended; their jobs go back to the queue for another worker.
      await manager.shutdown(graceMs);
      await mode.close();
      db.close();
      checkpoints.db.close();
    },
  };
}
