import type { PipelineLimits } from "./limits.js";
import { maskUrl } from "../mask-url.js";

/** Queue mode's settings (BRAID_REDIS_URL and friends); absent means one process, no Redis. */
export interface QueueConfig {
  /** redis://[user:password@]host:port[/db] */
  redisUrl: string;
  /** Runs the server's own worker executes at once; 0 (BRAID_WORKERS=0) leaves execution to `braid worker` processes. */
  workers: number;
  /** A worker that stops renewing a run's lock for this long (killed, frozen) loses it, and another worker resumes the run. */
  lockMs: number;
  /** Every queued run ends by this many milliseconds after it starts (its budget's maxDurationMs, when smaller, wins). */
  runTimeoutMs: number;
  /** Key prefix, so several Braid installations can share one Redis. */
  prefix: string;
  /** Runs of one pipeline executing at once across all workers (BRAID_PIPELINE_CONCURRENCY); each worker applies its own setting. */
  pipelineLimits: PipelineLimits;
}

function intEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  return n;
}

export function queueConfigFromEnv(env: NodeJS.ProcessEnv, defaultWorkers: number, pipelineLimits: PipelineLimits): QueueConfig | undefined {
  const redisUrl = env.BRAID_REDIS_URL;
  if (!redisUrl) return undefined;
  let url: URL;
  try {
    url = new URL(redisUrl);
  } catch {
    throw new Error(`BRAID_REDIS_URL is not a URL: "${maskUrl(redisUrl)}"`);
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:")
    throw new Error(`BRAID_REDIS_URL must start with redis:// or rediss://, got "${maskUrl(redisUrl)}"`);
  const prefix = env.BRAID_QUEUE_PREFIX || "braid";
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(prefix)) throw new Error(`BRAID_QUEUE_PREFIX must be 1–40 letters, digits, "_" or "-", got "${prefix}"`);
  return {
    redisUrl,
    workers: intEnv(env, "BRAID_WORKERS", defaultWorkers, 0),
    lockMs: intEnv(env, "BRAID_QUEUE_LOCK_MS", 30_000, 500),
    runTimeoutMs: intEnv(env, "BRAID_RUN_TIMEOUT_MS", 15 * 60_000, 1),
    prefix,
    pipelineLimits,
  };
}
