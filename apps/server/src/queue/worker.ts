/**
 * A worker process (`braid worker`): the run store and checkpoints (data folder or PostgreSQL), the backends,
 * and a BullMQ worker executing queued runs. No HTTP, no optimizer: those are the servers'.
 */
import { defaultRegistry } from "@braid/nodes";
import { serverPool } from "../app.js";
import type { ServerConfig } from "../config.js";
import { EventHub } from "../runs/hub.js";
import { RunManager } from "../runs/manager.js";
import { openStores } from "../store/index.js";
import { openQueueMode } from "./index.js";

export interface WorkerProcess {
  close(graceMs: number): Promise<void>;
}

export async function startWorker(config: ServerConfig, concurrency: number): Promise<WorkerProcess> {
  if (!config.queue) throw new Error("braid worker needs BRAID_REDIS_URL (queue mode)");
  const stores = await openStores(config);
  const hub = new EventHub(1000);
  const mode = await openQueueMode(config.queue, hub, config.queueLimit);
  const pool = serverPool(config);
  const manager = new RunManager({
    store: stores.runs,
    hub,
    registry: defaultRegistry,
    pool,
    checkpointer: stores.checkpointer,
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
      await stores.close();
    },
  };
}
