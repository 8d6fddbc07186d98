/**
 * Server-side batches. Each batch lives in its own folder under the data folder:
 *
 *   data/batches/<id>/batch.json     status, options, progress and, at the end, the summary
 *                     pipeline.json  the pipeline version the batch runs (so a resume runs the same one)
 *                     inputs.jsonl | inputs.csv
 *                     results.jsonl  one line per finished record, written as each finishes
 *                     errors.jsonl   bad rows with their line numbers
 *
 * Records run through runBatch (engine directly, no per-run event log in SQLite; see runner.ts).
 * A batch stopped by a server shutdown is `interrupted`; POST /api/batches/:id/resume continues it
 * and skips the records already in results.jsonl.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type BackendPool, type ErrorInfo, type Pipeline, type Registry, compile, refusePausingNodes, toErrorInfo } from "@braid/engine";
import { type InputFormat, InputsError, countRecords } from "./inputs.js";
import { type BatchProgress, runBatch } from "./runner.js";
import { type SharedBatchQueue, ShardedBatches } from "./sharded.js";
import { type ShardPlan, planShards, shardFiles } from "./shards.js";
import type { BatchSummary } from "./stats.js";

export type BatchStatus = "running" | "completed" | "cancelled" | "interrupted" | "failed";

export interface BatchRecord {
  id: string;
  pipelineId: string;
  pipelineVersion: number;
  pipelineName: string;
  format: InputFormat;
  concurrency: number;
  seed: number;
  /** Every LLM node of every record runs on this backend (X-Braid-Backend); kept so a resume does too. */
  backend?: string;
  status: BatchStatus;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  total: number;
  progress?: BatchProgress;
  summary?: BatchSummary;
  error?: ErrorInfo;
  /** Set when the batch runs as queue jobs (queue mode), one per shard of `size` records. */
  shards?: ShardPlan;
}

export type BatchEvent = { type: "progress"; batch: BatchRecord } | { type: "finished"; batch: BatchRecord };

export class BatchNotFoundError extends Error {}
export class BatchConflictError extends Error {}

const ID_RE = /^batch_[a-z0-9]+_[a-f0-9]{8}$/;
export const isBatchId = (id: string): boolean => ID_RE.test(id);
const newBatchId = () => `batch_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;

/** Progress is saved to batch.json and pushed to listeners at most this often. */
const PUBLISH_EVERY_MS = 250;
const SAVE_EVERY_MS = 2000;

interface Active {
  record: BatchRecord;
  controller: AbortController;
  /** Why it is being stopped: a user's cancel or the server's shutdown. */
  stopAs?: "cancelled" | "interrupted";
  done: Promise<void>;
}

export interface BatchManagerDeps {
  dataDir: string;
  registry: Registry;
  pool: BackendPool;
  maxActive?: number;
  /** Queue mode: batches run as shard jobs on worker processes (sharded.ts). */
  shared?: SharedBatchQueue;
}

export class BatchManager {
  readonly root: string;
  private readonly active = new Map<string, Active>();
  private readonly listeners = new Map<string, Set<(e: BatchEvent) => void>>();

  private readonly sharded: ShardedBatches | undefined;

  constructor(private readonly deps: BatchManagerDeps) {
    this.root = join(deps.dataDir, "batches");
    if (deps.shared) {
      this.sharded = new ShardedBatches({
        dataDir: deps.dataDir,
        queue: deps.shared,
        read: (id) => this.readSaved(id),
        save: (rec) => this.save(rec),
        publish: (type, batch) => this.publish({ type, batch }),
      });
      // Batches running on the workers when this server (re)started: watch them to their end.
      for (const r of this.list(1000)) if (r.status === "running" && r.shards) this.sharded.watch(r);
    }
  }

  dir(id: string): string {
    if (!isBatchId(id)) throw new BatchNotFoundError(`batch "${id}" not found`);
    return join(this.root, id);
  }

  paths(id: string) {
    const d = this.dir(id);
    const rec = this.get(id);
    return {
      dir: d,
      batch: join(d, "batch.json"),
      pipeline: join(d, "pipeline.json"),
      inputs: join(d, `inputs.${rec?.format ?? "jsonl"}`),
      results: join(d, "results.jsonl"),
      errors: join(d, "errors.jsonl"),
    };
  }

  /** The file(s) holding a batch's results or bad rows: a queue-mode batch's shards, in order, until they are merged at its end. */
  outputFiles(rec: BatchRecord, kind: "results" | "errors"): string[] {
    const own = this.paths(rec.id)[kind];
    if (!rec.shards || rec.status !== "running") return [own];
    return Array.from({ length: rec.shards.count }, (_, k) => shardFiles(this.dir(rec.id), k)[kind]);
  }

  get activeCount(): number {
    return this.active.size;
  }

  /** A new batch folder for an upload; the caller writes the inputs file, then calls start(). */
  prepare(opts: {
    pipelineId: string;
    pipelineVersion: number;
    pipeline: Pipeline;
    format: InputFormat;
    concurrency: number;
    seed: number;
    backend?: string;
  }): {
    record: BatchRecord;
    inputsFile: string;
  } {
    // Refuse an invalid pipeline before anything is written.
    compile(opts.pipeline, this.deps.registry, { backends: this.deps.pool.availability() });
    refusePausingNodes(opts.pipeline, this.deps.registry);
    // Queue mode without Redis: refused (503) before the upload is read.
    this.deps.shared?.checkAccepting();
    if (this.active.size >= (this.deps.maxActive ?? 4))
      throw new BatchConflictError(`${this.active.size} batches are running; the limit is ${this.deps.maxActive ?? 4}`);
    const id = newBatchId();
    const d = join(this.root, id);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, "pipeline.json"), JSON.stringify(opts.pipeline));
    const record: BatchRecord = {
      id,
      pipelineId: opts.pipelineId,
      pipelineVersion: opts.pipelineVersion,
      pipelineName: opts.pipeline.name,
      format: opts.format,
      concurrency: opts.concurrency,
      seed: opts.seed,
      ...(opts.backend !== undefined ? { backend: opts.backend } : {}),
      status: "running",
      createdAt: Date.now(),
      total: 0,
    };
    return { record, inputsFile: join(d, `inputs.${opts.format}`) };
  }

  /** Drops a prepared batch whose upload failed. */
  discard(id: string): void {
    rmSync(this.dir(id), { recursive: true, force: true });
  }

  /** Counts the uploaded inputs and starts running them in the background. */
  async start(record: BatchRecord): Promise<BatchRecord> {
    const p = this.paths(record.id);
    try {
      record.total = await countRecords(join(p.dir, `inputs.${record.format}`), record.format);
    } catch (err) {
      this.discard(record.id);
      throw err instanceof InputsError ? err : new InputsError((err as Error).message);
    }
    if (this.sharded) {
      record.shards = planShards(record.total);
      record.startedAt = Date.now();
      this.sharded.launch(record);
      return record;
    }
    this.save(record);
    this.launch(record, false);
    return record;
  }

  /** batch.json as saved, without reading it as interrupted. */
  private readSaved(id: string): BatchRecord | undefined {
    if (!isBatchId(id)) return undefined;
    const file = join(this.root, id, "batch.json");
    if (!existsSync(file)) return undefined;
    return JSON.parse(readFileSync(file, "utf8")) as BatchRecord;
  }

  get(id: string): BatchRecord | undefined {
    const active = this.active.get(id);
    if (active) return active.record;
    const watched = this.sharded?.current(id);
    if (watched) return watched;
    const rec = this.readSaved(id);
    if (rec?.status !== "running") return rec;
    // Running on the queue's workers (watched by another server, or not yet by this one): its progress from the shards.
    if (this.sharded && rec.shards) {
      const progress = this.sharded.progressOf(rec);
      return progress ? { ...rec, progress } : rec;
    }
    // Saved as running but not running here: the process that ran it stopped.
    rec.status = "interrupted";
    return rec;
  }

  list(limit = 100): BatchRecord[] {
    if (!existsSync(this.root)) return [];
    const ids = readdirSync(this.root).filter(isBatchId);
    const out: BatchRecord[] = [];
    for (const id of ids) {
      try {
        const r = this.get(id);
        if (r) out.push(r);
      } catch {
        // a half-written folder: skip it
      }
    }
    return out.sort((a, b) => b.createdAt - a.createdAt).slice(0, limit);
  }

  cancel(id: string): boolean {
    const a = this.active.get(id);
    if (!a) {
      const rec = this.sharded ? this.get(id) : undefined;
      if (!this.sharded || rec?.status !== "running" || !rec.shards) return false;
      this.sharded.cancel(rec);
      return true;
    }
    a.stopAs = "cancelled";
    a.controller.abort();
    return true;
  }

  /** Continues an interrupted or cancelled batch; finished records are skipped. */
  resume(id: string): BatchRecord {
    if (this.active.has(id)) throw new BatchConflictError(`batch "${id}" is already running`);
    const rec = this.get(id);
    if (!rec) throw new BatchNotFoundError(`batch "${id}" not found`);
    if (rec.status === "completed" || rec.status === "failed")
      throw new BatchConflictError(`batch "${id}" is ${rec.status}; only an interrupted or cancelled batch can be resumed`);
    if (this.active.size >= (this.deps.maxActive ?? 4))
      throw new BatchConflictError(`${this.active.size} batches are running; the limit is ${this.deps.maxActive ?? 4}`);
    rec.status = "running";
    delete rec.summary;
    delete rec.finishedAt;
    if (rec.shards) {
      if (!this.sharded) throw new BatchConflictError(`batch "${id}" ran as queue jobs; resume it on a server in queue mode (BRAID_REDIS_URL)`);
      this.sharded.launch(rec);
      return rec;
    }
    this.launch(rec, true);
    return rec;
  }

  /** Progress and the final state of a batch; returns the unsubscribe function. */
  subscribe(id: string, listener: (e: BatchEvent) => void): () => void {
    let set = this.listeners.get(id);
    if (!set) this.listeners.set(id, (set = new Set()));
    set.add(listener);
    const rec = this.sharded ? this.readSaved(id) : undefined;
    if (rec) this.sharded?.watch(rec);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(id);
    };
  }

  /** Resolves when the batch is no longer running here. */
  async wait(id: string): Promise<BatchRecord | undefined> {
    await this.active.get(id)?.done;
    if (this.sharded)
      await new Promise<void>((resolve) => {
        const stop = this.subscribe(id, (e) => {
          if (e.type !== "finished") return;
          stop();
          resolve();
        });
        // Subscribed first, so a finish between the two is not missed.
        if (this.readSaved(id)?.status !== "running") {
          stop();
          resolve();
        }
      });
    return this.get(id);
  }

  /** The server's shutdown hook: interrupts every running batch (they resume later) and waits for them to stop. */
  async shutdown(): Promise<void> {
    // Queue-mode batches keep running on the workers; a server that starts again watches them.
    this.sharded?.close();
    for (const a of this.active.values()) {
      a.stopAs ??= "interrupted";
      a.controller.abort();
    }
    await Promise.allSettled([...this.active.values()].map((a) => a.done));
  }

  private publish(e: BatchEvent): void {
    for (const l of this.listeners.get(e.batch.id) ?? []) {
      try {
        l(e);
      } catch {
        // a listener's failure is its own
      }
    }
  }

  private save(rec: BatchRecord): void {
    const file = join(this.root, rec.id, "batch.json");
    writeFileSync(`${file}.tmp`, JSON.stringify(rec));
    renameSync(`${file}.tmp`, file);
  }

  /** Progress saves are best effort: a batch never fails because its status file could not be written. */
  private trySave(rec: BatchRecord): void {
    try {
      this.save(rec);
    } catch (err) {
      console.error(`braid: batch ${rec.id}: cannot save its status: ${(err as Error).message}`);
    }
  }

  private launch(record: BatchRecord, resuming: boolean): void {
    const p = this.paths(record.id);
    const controller = new AbortController();
    const entry: Active = { record, controller, done: Promise.resolve() };
    record.startedAt ??= Date.now();
    this.save(record);
    this.active.set(record.id, entry);
    let lastPublish = 0;
    let lastSave = Date.now();
    entry.done = (async () => {
      try {
        const pipeline = JSON.parse(readFileSync(p.pipeline, "utf8")) as Pipeline;
        const summary = await runBatch({
          pipeline,
          registry: this.deps.registry,
          pool: this.deps.pool,
          inputs: p.inputs,
          format: record.format,
          resultsFile: p.results,
          errorsFile: p.errors,
          concurrency: record.concurrency,
          seed: record.seed,
          ...(record.backend !== undefined ? { backendOverride: record.backend } : {}),
          total: record.total,
          fresh: !resuming,
          signal: controller.signal,
          onProgress: (progress) => {
            record.progress = progress;
            const t = Date.now();
            if (t - lastPublish >= PUBLISH_EVERY_MS) {
              lastPublish = t;
              this.publish({ type: "progress", batch: record });
            }
            if (t - lastSave >= SAVE_EVERY_MS) {
              lastSave = t;
              this.trySave(record);
            }
          },
        });
        record.summary = summary;
        record.status = summary.status === "completed" ? "completed" : (entry.stopAs ?? "interrupted");
      } catch (err) {
        record.status = "failed";
        record.error = toErrorInfo(err);
      }
      record.finishedAt = Date.now();
      this.active.delete(record.id);
      this.trySave(record);
      this.publish({ type: "finished", batch: record });
    })();
  }
}
