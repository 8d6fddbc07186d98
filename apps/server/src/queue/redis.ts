import { Redis, type RedisOptions } from "ioredis";
import type { WorkerOptions } from "bullmq";
import { maskUrl } from "../mask-url.js";
import type { QueueConfig } from "./config.js";

/** Redis is unreachable: new runs are refused with a coded 503 until it is back (nothing already queued is lost). */
export class QueueUnavailableError extends Error {
  constructor(url: string) {
    super(`the run queue (Redis at ${maskUrl(url)}) is unreachable; retry shortly`);
    this.name = "QueueUnavailableError";
  }
}

/**
 * One Redis connection. `failFast` connections (the producer) reject commands while disconnected
 * instead of queueing them, so a request gets its 503 at once rather than hanging; the others
 * (workers, subscriber) wait and reconnect forever, as BullMQ requires.
 */
export function redisConnection(url: string, name: string, opts: { failFast?: boolean } = {}): Redis {
  const options: RedisOptions = {
    connectionName: name,
    maxRetriesPerRequest: opts.failFast ? 1 : null,
    enableOfflineQueue: !opts.failFast,
    // Back off to at most 1 s between attempts: Redis restarting is a matter of seconds.
    retryStrategy: (times) => Math.min(50 * times, 1000),
    // The producer connects under connectOrExplain, which turns a failure into a message naming the URL.
    lazyConnect: opts.failFast === true,
  };
  const redis = new Redis(url, options);
  // Connection errors surface as the `status` and as refused commands; without a listener ioredis would print each retry.
  redis.on("error", () => {});
  return redis;
}

/** Connects and pings within `timeoutMs`, or throws a message naming the URL (password masked). */
export async function connectOrExplain(redis: Redis, url: string, timeoutMs = 5000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      (async () => {
        if (redis.status === "wait") await redis.connect();
        await redis.ping();
      })(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (err) {
    redis.disconnect();
    throw new Error(`cannot reach Redis at ${maskUrl(url)} (BRAID_REDIS_URL): ${(err as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A BullMQ worker's options, the same for runs and batch shards: a killed worker's lock expires
 * after `lockMs`, the stalled check runs twice per lock, and a job may stall any number of times
 * (each stall is a worker that died, never the job's fault).
 */
export function workerOptions(cfg: QueueConfig, connection: Redis, concurrency: number): WorkerOptions {
  return {
    connection,
    prefix: cfg.prefix,
    concurrency,
    lockDuration: cfg.lockMs,
    stalledInterval: Math.max(250, Math.floor(cfg.lockMs / 2)),
    maxStalledCount: 1000,
  };
}
