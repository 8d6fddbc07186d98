/**
 * Queue mode's shared queue: each execution of a run is a BullMQ job holding only the run id (and a
 * reviewer's decision); inputs, outputs and events live in the store. A worker that dies loses the
 * job's lock; BullMQ's stalled check puts the job back and another worker resumes the run from its
 * log and checkpoint. A worker shutting down hands its runs back the same way. A run of a pipeline
 * at its limit (BRAID_PIPELINE_CONCURRENCY) goes back to the queue as a delayed job, so the worker
 * takes other pipelines' runs meanwhile.
 */
import { DelayedError, type Job, Queue, WaitingError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { type ExecutionEnd, QueueFullError, type RunHow, type RunManager, type SharedRunQueue } from "../runs/manager.js";
import type { QueueConfig } from "./config.js";
import { type Lease, PipelineLeases, limitOf } from "./limits.js";
import { QueueUnavailableError, workerOptions } from "./redis.js";
import type { RedisRelay } from "./relay.js";

interface RunJob {
  runId: string;
  how: RunHow;
}

/** One job per execution of a run: the first is the run id, each resume after a pause adds `-rN`. */
const jobIdOf = (runId: string, attempt: number): string => (attempt === 0 ? runId : `${runId}-r${attempt}`);

/** A cancel that arrived before the job reached a worker is remembered this long. */
const CANCEL_MEMORY_S = 3600;

/** How long a run over its pipeline's limit waits before a worker tries again: jittered, so waiting runs do not wake in step. */
const overLimitDelayMs = (): number => 150 + Math.floor(Math.random() * 150);

export class BullRunQueue implements SharedRunQueue {
  readonly runTimeoutMs: number;
  private readonly queue: Queue<RunJob>;
  private worker: Worker<RunJob> | undefined;
  private manager: RunManager | undefined;
  /** Executions recorded while Redis was unreachable: added when it is back, so none is lost. */
  private readonly unsent = new Map<string, { runId: string; how: RunHow }>();
  /** Cancels that arrived for runs not held here: one of this process's workers may be about to start them. */
  private readonly recentCancels = new Map<string, string>();
  private waiting = 0;
  private memoryShort = false;
  private readonly refresh: NodeJS.Timeout;
  private readonly leases: PipelineLeases;

  constructor(
    private readonly cfg: QueueConfig,
    private readonly conns: { producer: Redis; worker: () => Redis },
    private readonly relay: RedisRelay,
    private readonly queueLimit: number,
  ) {
    this.runTimeoutMs = cfg.runTimeoutMs;
    this.queue = new Queue<RunJob>("runs", { connection: conns.producer, prefix: cfg.prefix });
    this.queue.on("error", () => {});
    this.leases = new PipelineLeases(conns.producer, cfg.prefix, cfg.lockMs);
    conns.producer.on("ready", () => this.resend());
    this.refresh = setInterval(() => void this.measure(), 1000);
    this.refresh.unref();
  }

  /** The manager whose runs this queue carries (created after the queue, which it takes). */
  bind(manager: RunManager): void {
    this.manager = manager;
    this.relay.onCancel((runId, reason) => {
      if (manager.cancelActive(runId, reason)) return;
      // Bounded: the Redis key is the durable record; this only closes the race with a job starting now.
      if (this.recentCancels.size >= 1000) this.recentCancels.delete(this.recentCancels.keys().next().value as string);
      this.recentCancels.set(runId, reason);
    });
  }

  checkAccepting(): void {
    if (this.conns.producer.status !== "ready") throw new QueueUnavailableError(this.cfg.redisUrl);
    if (this.memoryShort) throw new QueueFullError(5);
    if (this.waiting >= this.queueLimit) throw new QueueFullError(1);
  }

  schedule(runId: string, how: RunHow, attempt: number): void {
    const jobId = jobIdOf(runId, attempt);
    this.unsent.set(jobId, { runId, how });
    this.waiting++;
    this.send(jobId);
  }

  private send(jobId: string): void {
    const job = this.unsent.get(jobId);
    if (!job) return;
    // Same job id, same job: a second add while the first exists is a no-op, so resending is safe.
    this.queue
      .add("run", job, { jobId, removeOnComplete: true, removeOnFail: true, attempts: 1000 })
      .then(() => this.unsent.delete(jobId))
      .catch(() => {});
  }

  private resend(): void {
    for (const jobId of this.unsent.keys()) this.send(jobId);
  }

  cancel(runId: string, reason: string, attempt: number): void {
    const key = `${this.cfg.prefix}:cancelled:${runId}`;
    void (async () => {
      await this.conns.producer.set(key, reason, "EX", CANCEL_MEMORY_S);
      await this.relay.sendCancel(runId, reason);
      // A job no worker holds yet is taken off the queue and the run ended here; a held one is the holder's to stop.
      const job = await this.queue.getJob(jobIdOf(runId, attempt));
      if (!job || (await job.isActive())) return;
      try {
        await job.remove();
        await this.manager?.endQueued(runId, reason);
      } catch {
        // Taken by a worker meanwhile: the cancel message or the key reaches it.
      }
    })().catch(() => {});
  }

  private async cancelRequested(runId: string): Promise<string | undefined> {
    const remembered = this.recentCancels.get(runId);
    this.recentCancels.delete(runId);
    if (remembered !== undefined) return remembered;
    return (await this.conns.producer.get(`${this.cfg.prefix}:cancelled:${runId}`)) ?? undefined;
  }

  /** Executes up to `concurrency` runs at once in this process. */
  startWorker(concurrency: number): void {
    const manager = this.manager;
    if (!manager) throw new Error("bind the manager before starting a worker");
    this.worker = new Worker<RunJob>(
      "runs",
      async (job, token) => {
        const { runId, how } = job.data;
        const cancelled = await this.cancelRequested(runId);
        if (cancelled !== undefined) {
          await manager.endQueued(runId, cancelled);
          return;
        }
        const pipelineId = await manager.pipelineOf(runId);
        const limit = limitOf(this.cfg.pipelineLimits, pipelineId);
        let lease: Lease | undefined;
        if (limit !== undefined && pipelineId !== undefined) {
          lease = await this.leases.claim(pipelineId, runId, limit);
          if (!lease) return this.later(job, token);
          // Claiming took a round trip: a cancel sent meanwhile must still win.
          const late = await this.cancelRequested(runId);
          if (late !== undefined) {
            await lease.release();
            await manager.endQueued(runId, late);
            return;
          }
        }
        let end: ExecutionEnd;
        try {
          end = await manager.executeScheduled(runId, how);
        } finally {
          await lease?.release();
        }
        if (end === "suspended") {
          // Shutting down mid-run: back to the queue for another worker, which resumes from the checkpoint.
          await job.moveToWait(token);
          throw new WaitingError();
        }
      },
      workerOptions(this.cfg, this.conns.worker(), concurrency),
    );
    this.worker.on("error", () => {});
  }

  /** Puts a job back for a little while: its pipeline is at its limit. Throwing tells BullMQ the job moved, not failed. */
  private async later(job: Job<RunJob>, token: string | undefined): Promise<never> {
    await job.moveToDelayed(Date.now() + overLimitDelayMs(), token);
    throw new DelayedError();
  }

  /** Queue length and Redis memory, read once a second: past 90 % of maxmemory new runs get 429. */
  private async measure(): Promise<void> {
    if (this.conns.producer.status !== "ready") return;
    try {
      // Runs held back by their pipeline's limit are delayed jobs, and wait as much as the others.
      this.waiting = await this.queue.getJobCountByTypes("waiting", "delayed");
      const info = await this.conns.producer.info("memory");
      const used = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
      const max = Number(/maxmemory:(\d+)/.exec(info)?.[1] ?? 0);
      this.memoryShort = max > 0 && used > 0.9 * max;
    } catch {
      // Redis went away between the check and the command: the next tick reads again.
    }
  }

  async close(): Promise<void> {
    clearInterval(this.refresh);
    await this.worker?.close();
    await this.queue.close();
  }
}
