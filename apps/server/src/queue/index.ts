import type { EventHub } from "../runs/hub.js";
import type { QueueConfig } from "./config.js";
import { connectOrExplain, redisConnection } from "./redis.js";
import { RedisRelay } from "./relay.js";
import { BullBatchQueue } from "./batch-queue.js";
import { BullRunQueue } from "./run-queue.js";

export interface QueueMode {
  config: QueueConfig;
  queue: BullRunQueue;
  /** Batch shards, on a queue of their own. */
  batches: BullBatchQueue;
  relay: RedisRelay;
  close(): Promise<void>;
}

/** Connects to Redis (a clear error naming the masked URL when it cannot), and relays `hub`'s events to and from other processes. */
export async function openQueueMode(config: QueueConfig, hub: EventHub, queueLimit: number): Promise<QueueMode> {
  const producer = redisConnection(config.redisUrl, "braid-producer", { failFast: true });
  await connectOrExplain(producer, config.redisUrl);
  const sub = redisConnection(config.redisUrl, "braid-relay");
  const workers: ReturnType<typeof redisConnection>[] = [];
  const relay = new RedisRelay(producer, sub, config.prefix);
  await relay.attach(hub);
  const workerConnection = () => {
    const c = redisConnection(config.redisUrl, "braid-worker");
    workers.push(c);
    return c;
  };
  const batches = new BullBatchQueue(config, { producer, worker: workerConnection });
  const queue = new BullRunQueue(
    config,
    {
      producer,
      worker: workerConnection,
    },
    relay,
    queueLimit,
  );
  return {
    config,
    queue,
    batches,
    relay,
    async close() {
      await Promise.all([queue.close(), batches.close()]);
      for (const c of [sub, producer, ...workers]) c.disconnect();
    },
  };
}
