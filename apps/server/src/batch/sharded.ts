/**
 * Batches in queue mode: a batch is split into shards (shards.ts), each a queue job that any
 * worker process runs with runBatch over its index range. Single runs and shards travel on
 * separate queues, so a 10,000-record batch never stands in front of a REST run.
 *
 * Workers only run shards and write their files. The server watches the batch folder: it sums the
 * shards' progress, queues again every shard that is neither done nor held by a live process
 * (after a Redis restart, or a job lost with a killed worker), and once every shard is done (or a
 * cancel has stopped them all) merges them into the batch's results.jsonl and finishes it.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BackendPool, Pipeline, Registry } from "@braid/engine";
import type { BatchRecord } from "./manager.js";
import { runBatch } from "./runner.js";
import { type ShardPlan, claimFinalize, lockShard, markerOf, mergeShards, readShards, shardFiles, shardRange, unlockShard, writeJsonAtomic } from "./shards.js";

/** The queue seam (queue/batch-queue.ts): shard jobs, idempotent by batch and shard. */
export interface SharedBatchQueue {
  /** Throws (E_QUEUE_UNAVAILABLE) when no new batch can be queued now. */
  checkAccepting(): void;
  enqueue(batchId: string, shards: readonly number[]): Promise<void>;
  /** Takes the batch's shard jobs no worker holds yet off the queue. */
  removeWaiting(batchId: string, shards: readonly number[]): Promise<void>;
}

const TICK_MS = 300;
/** How often the server queues again the shards nobody holds: Redis may have restarted empty. */
const REQUEUE_MS = 3000;
const PROGRESS_EVERY_MS = 500;

const batchDir = (dataDir: string, id: string) => join(dataDir, "batches", id);

/**
 * Runs shard k of a batch in this process (a worker's job). "skipped": done already, cancelled,
 * or another live process holds it. "stopped": `signal` aborted it (its job goes back to the queue).
 */
export async function runShard(
  deps: { dataDir: string; registry: Registry; pool: BackendPool },
  batchId: string,
  k: number,
  signal: AbortSignal,
): Promise<"done" | "stopped" | "skipped"> {
  const dir = batchDir(deps.dataDir, batchId);
  const f = shardFiles(dir, k);
  const cancelled = markerOf(dir, "cancelled");
  if (!existsSync(join(dir, "batch.json")) || existsSync(f.done) || existsSync(cancelled)) return "skipped";
  if (!lockShard(dir, k)) return "skipped";
  const controller = new AbortController();
  const stop = () => controller.abort();
  signal.addEventListener("abort", stop, { once: true });
  // A cancel is a file the server writes; read often enough that it stops the shard within a second.
  const poll = setInterval(() => existsSync(cancelled) && controller.abort(), 250);
  poll.unref();
  try {
    const rec = JSON.parse(readFileSync(join(dir, "batch.json"), "utf8")) as BatchRecord;
    const plan = rec.shards as ShardPlan;
    const pipeline = JSON.parse(readFileSync(join(dir, "pipeline.json"), "utf8")) as Pipeline;
    let last = 0;
    const summary = await runBatch({
      pipeline,
      registry: deps.registry,
      pool: deps.pool,
      inputs: join(dir, `inputs.${rec.format}`),
      format: rec.format,
      range: shardRange(plan, k),
      resultsFile: f.results,
      errorsFile: f.errors,
      concurrency: rec.concurrency,
      seed: rec.seed,
      ...(rec.backend !== undefined ? { backendOverride: rec.backend } : {}),
      signal: controller.signal,
      onProgress: (p) => {
        const t = Date.now();
        if (t - last < PROGRESS_EVERY_MS) return;
        last = t;
        writeJsonAtomic(f.progress, p);
      },
    });
    if (summary.status !== "completed" || controller.signal.aborted) return signal.aborted ? "stopped" : "skipped";
    // The shard's counts over all its records (a rerun's summary counts the ones read back as resumed).
    writeJsonAtomic(f.done, { ...summary, ran: summary.ran + summary.resumed, pid: process.pid });
    return "done";
  } finally {
    clearInterval(poll);
    signal.removeEventListener("abort", stop);
    unlockShard(dir, k);
  }
}

export interface ShardedDeps {
  dataDir: string;
  queue: SharedBatchQueue;
  /** The batch as batch.json has it now. */
  read(id: string): BatchRecord | undefined;
  save(rec: BatchRecord): void;
  publish(type: "progress" | "finished", rec: BatchRecord): void;
}

/** The server's side of queue-mode batches: start, cancel, resume, and the watch that finishes them. */
export class ShardedBatches {
  private readonly watched = new Map<string, { timer: ReturnType<typeof setInterval>; record: BatchRecord; busy: boolean; requeuedAt: number }>();

  constructor(private readonly deps: ShardedDeps) {}

  /** The watched record (fresh progress) if this process watches the batch. */
  current(id: string): BatchRecord | undefined {
    return this.watched.get(id)?.record;
  }

  /** Progress summed over the shards, for a batch another process watches. */
  progressOf(rec: BatchRecord): BatchRecord["progress"] {
    return rec.shards ? readShards(batchDir(this.deps.dataDir, rec.id), rec.shards, rec.total, rec.startedAt ?? rec.createdAt, Date.now()).progress : undefined;
  }

  /** Saves the batch as running and watches it; its shards are queued now when Redis is there, else by the watch once it is back. */
  launch(rec: BatchRecord): void {
    const dir = batchDir(this.deps.dataDir, rec.id);
    rmSync(markerOf(dir, "cancelled"), { force: true });
    rmSync(markerOf(dir, "finalized"), { force: true });
    this.deps.save(rec);
    const state = readShards(dir, rec.shards as ShardPlan, rec.total, rec.startedAt ?? Date.now(), Date.now());
    this.watch(rec);
    void this.deps.queue.enqueue(rec.id, state.unclaimed).catch(() => {});
  }

  cancel(rec: BatchRecord): void {
    const dir = batchDir(this.deps.dataDir, rec.id);
    writeFileSync(markerOf(dir, "cancelled"), String(Date.now()));
    const plan = rec.shards as ShardPlan;
    void this.deps.queue.removeWaiting(rec.id, [...Array(plan.count).keys()]).catch(() => {});
    this.watch(rec);
  }

  /** Starts watching a running batch (idempotent): on launch, on a server start, on a subscriber. */
  watch(rec: BatchRecord): void {
    if (this.watched.has(rec.id) || rec.status !== "running" || !rec.shards) return;
    const entry = { timer: setInterval(() => void this.tick(rec.id), TICK_MS), record: rec, busy: false, requeuedAt: Date.now() };
    entry.timer.unref();
    this.watched.set(rec.id, entry);
  }

  private stopWatching(id: string): void {
    const w = this.watched.get(id);
    if (w) clearInterval(w.timer);
    this.watched.delete(id);
  }

  private async tick(id: string): Promise<void> {
    const w = this.watched.get(id);
    if (!w || w.busy) return;
    w.busy = true;
    try {
      const saved = this.deps.read(id);
      if (saved?.status !== "running") {
        // Finished by another server (or gone): tell this one's subscribers and stop.
        if (saved) this.deps.publish("finished", saved);
        return this.stopWatching(id);
      }
      const dir = batchDir(this.deps.dataDir, id);
      const plan = saved.shards as ShardPlan;
      const now = Date.now();
      const state = readShards(dir, plan, saved.total, saved.startedAt ?? saved.createdAt, now);
      w.record = { ...saved, progress: state.progress };
      this.deps.publish("progress", w.record);
      const cancelled = existsSync(markerOf(dir, "cancelled"));
      if (cancelled && state.held === 0) return await this.finish(id, w.record, "cancelled");
      if (!cancelled && state.done.length === plan.count) return await this.finish(id, w.record, "completed");
      if (!cancelled && now - w.requeuedAt >= REQUEUE_MS) {
        w.requeuedAt = now;
        await this.deps.queue.enqueue(id, state.unclaimed).catch(() => {});
      }
    } catch (err) {
      console.error(`braid: batch ${id}: ${(err as Error).message}`);
    } finally {
      w.busy = false;
    }
  }

  private async finish(id: string, rec: BatchRecord, status: "completed" | "cancelled"): Promise<void> {
    const dir = batchDir(this.deps.dataDir, id);
    // Two servers may watch one batch: one merges, the other sees batch.json finished next tick.
    if (!claimFinalize(dir)) return;
    const elapsed = Date.now() - (rec.startedAt ?? rec.createdAt);
    const summary = await mergeShards(
      dir,
      rec.shards as ShardPlan,
      { results: join(dir, "results.jsonl"), errors: join(dir, "errors.jsonl") },
      status === "completed" ? "completed" : "interrupted",
      elapsed,
    );
    const done: BatchRecord = { ...rec, status, summary, finishedAt: Date.now() };
    delete done.progress;
    this.deps.save(done);
    this.stopWatching(id);
    this.deps.publish("finished", done);
  }

  close(): void {
    for (const id of [...this.watched.keys()]) this.stopWatching(id);
  }
}
