/**
 * Batch shards on BullMQ: a queue of their own ("batch-shards"), so single runs never wait behind a
 * batch. A job carries only the batch id and shard number; the shard's inputs, results and
 * progress live in the batch folder (batch/shards.ts), which is what a restarted Redis cannot lose.
 */
import type { BackendPool, Registry } from "@braid/engine";
import { Queue, WaitingError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { SharedBatchQueue } from "../batch/sharded.js";
import { runShard } from "../batch/sharded.js";
import type { QueueConfig } from "./config.js";
import { QueueUnavailableError, workerOptions } from "./redis.js";

interface ShardJob {
  batchId: string;
  shard: number;
}

/** BullMQ job ids may not contain ":"; batch ids are `batch_<time>_<hex>`. */
const jobIdOf = (batchId: string, shard: number) => `${batchId}-s${shard}`;

export class BullBatchQueue implements SharedBatchQueue {
  private readonly queue: Queue<ShardJob>;
  private worker: Worker<ShardJob> | undefined;
  /** Aborted when this process stops: its shards go back to the queue for another worker. */
  private readonly stopping = new AbortController();

  constructor(
    private readonly cfg: QueueConfig,
    private readonly conns: { producer: Redis; worker: () => Redis },
  ) {
    this.queue = new Queue<ShardJob>("batch-shards", { connection: conns.producer, prefix: cfg.prefix });
    this.queue.on("error", () => {});
  }

  checkAccepting(): void {
    if (this.conns.producer.status !== "ready") throw new QueueUnavailableError(this.cfg.redisUrl);
  }

  async enqueue(batchId: string, shards: readonly number[]): Promise<void> {
    if (shards.length === 0) return;
    // Same job id, same job: adding a shard that is queued or running already is a no-op.
    await this.queue.addBulk(
      shards.map((shard) => ({
        name: "shard",
        data: { batchId, shard },
        opts: { jobId: jobIdOf(batchId, shard), removeOnComplete: true, removeOnFail: true, attempts: 1000 },
      })),
    );
  }

  async removeWaiting(batchId: string, shards: readonly number[]): Promise<void> {
    for (const shard of shards) {
      const job = await this.queue.getJob(jobIdOf(batchId, shard));
      if (job && !(await job.isActive())) await job.remove().catch(() => {});
    }
  }

  /** Runs up to `concurrency` shards at once in this process, each with its batch's own record concurrency. */
  startWorker(concurrency: number, deps: { dataDir: string; registry: Registry; pool: BackendPool }): void {
    this.worker = new Worker<ShardJob>(
      "batch-shards",
      async (job, token) => {
        const end = await runShard(deps, job.data.batchId, job.data.shard, this.stopping.signal);
        if (end === "stopped") {
          await job.moveToWait(token);
          throw new WaitingError();
        }
      },
      workerOptions(this.cfg, this.conns.worker(), concurrency),
    );
    this.worker.on("error", () => {});
  }

  async close(): Promise<void> {
    this.stopping.abort();
    await this.worker?.close();
    await this.queue.close();
  }
}
