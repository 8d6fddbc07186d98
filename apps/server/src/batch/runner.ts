/**
 * Runs one pipeline over many inputs. The pipeline is compiled once; records run with at most
 * `concurrency` in flight; each finished record is appended to the results file at once, and
 * nothing is kept per record, so memory stays flat in N. A restart skips the records the results
 * file already has. Bad rows go to the errors file with their line numbers and never stop the batch.
 *
 * Batch runs call the engine directly (startRun), not the RunManager: a 10,000-record batch must
 * not write 10,000 event logs and checkpoint histories into SQLite. Per record, the batch keeps
 * what a batch user needs (output, error, usage, time per node) in results.jsonl; to debug one
 * record in full, re-run its input with its seed (both are in its result line).
 */
import type { Readable } from "node:stream";
import {
  type BackendPool,
  type Budget,
  BraidError,
  type CompiledPipeline,
  type Pipeline,
  type Registry,
  type RunEvent,
  compile,
  isTerminal,
  refusePausingNodes,
  resolveInput,
  startRun,
  toErrorInfo,
} from "@braid/engine";
import { EtaEstimator } from "./eta.js";
import { type BadRow, type InputFormat, type InputRecord, columnTypesFrom, countRecords, readInputs } from "./inputs.js";
import { JsonlAppender, OrderedResults, errorsPathFor, loadResults, recordKey } from "./results.js";
import { type BatchCounts, type BatchResult, BatchStats, type BatchSummary } from "./stats.js";

export interface BatchOptions {
  pipeline: Pipeline;
  registry: Registry;
  pool: BackendPool;
  /** A file path, or a stream (then `format` is required and no total is known up front). */
  inputs: string | Readable;
  format: InputFormat;
  /** results.jsonl; bad rows go to `errorsFile` (default: results path with `.errors.jsonl`). */
  resultsFile: string;
  errorsFile?: string;
  concurrency?: number;
  /** The pause between the starts of the first `concurrency` records (a slow start; default 1 ms). */
  rampMs?: number;
  /** Record i runs with seed `seed + i`, so results are reproducible and a resumed batch matches. */
  seed?: number;
  /** Run every LLM node on this backend or group (X-Braid-Backend, `--backend`). */
  backendOverride?: string;
  budget?: Budget;
  /** Ignore an existing results file and start over. */
  fresh?: boolean;
  /** Run again the records whose earlier result was a failure (they are removed from the results file). */
  retryFailed?: boolean;
  /** Known number of records; counted from the file when omitted and `inputs` is a path. */
  total?: number;
  /** Only the records with index in [from, to): one shard of a batch split into queue jobs (sharded.ts). */
  range?: { from: number; to: number };
  signal?: AbortSignal;
  compiled?: CompiledPipeline;
  onProgress?: (p: BatchProgress) => void;
  /** Each event of record `index`'s run (an experiment reads its critiques from them). */
  onEvent?: (index: number, e: RunEvent) => void;
  /** Each finished record, before its slot is freed (an experiment evaluates it here). */
  onResult?: (result: BatchResult) => void | Promise<void>;
  now?: () => number;
}

export interface BatchProgress extends BatchCounts {
  /** Records in the inputs (undefined while unknown). */
  total?: number;
  /** Records running now. */
  running: number;
  /** Records that ran in this invocation. */
  ran: number;
  elapsedMs: number;
  /** Records per second in this invocation. */
  rate: number;
  /** Milliseconds left at the rate of recent completions (undefined until a few records are done; see EtaEstimator). */
  etaMs?: number;
  costUsd: number;
}

type Terminal = Extract<RunEvent, { type: "run_finished" | "run_failed" | "run_cancelled" }>;

export const DEFAULT_CONCURRENCY = 8;
export const MAX_CONCURRENCY = 4096;
/** Between the starts of a batch's first `concurrency` records: 256 in flight ramp up over about a quarter of a second. */
const DEFAULT_RAMP_MS = 1;

/** Runs the batch to its end (or until `signal` aborts it) and returns the summary. */
export async function runBatch(opts: BatchOptions): Promise<BatchSummary> {
  const now = opts.now ?? Date.now;
  const concurrency = Math.max(1, Math.min(MAX_CONCURRENCY, Math.floor(opts.concurrency ?? DEFAULT_CONCURRENCY)));
  const rampMs = opts.rampMs ?? DEFAULT_RAMP_MS;
  const seed = opts.seed ?? 1;
  const { pipeline, registry, pool } = opts;
  // Compile once for the whole batch; no checkpointer: a record is the unit of resumption.
  const compiled = opts.compiled ?? compile(pipeline, registry, { backends: pool.availability() });
  refusePausingNodes(pipeline, registry);
  const stats = new BatchStats();
  const resultsFile = opts.resultsFile;
  const errorsFile = opts.errorsFile ?? errorsPathFor(resultsFile);

  const { done } = opts.fresh ? { done: new Set<string>() } : await loadResults(resultsFile, stats, { retryFailed: opts.retryFailed ?? false });
  const total = opts.range
    ? opts.range.to - opts.range.from
    : (opts.total ?? (typeof opts.inputs === "string" ? await countRecords(opts.inputs, opts.format) : undefined));
  const results = new JsonlAppender(resultsFile, opts.fresh ? "w" : "a");
  // Input order in the results file; records may run ahead of a slow one by a bounded window.
  const ordered = new OrderedResults<BatchResult>((r) => results.append(r), Math.max(256, concurrency * 8));
  // Bad rows are found again on every pass over the inputs, so the errors file is rewritten each time.
  const errors = new JsonlAppender(errorsFile, "w");

  const started = now();
  const eta = new EtaEstimator();
  let running = 0;
  let launched = 0;
  const active = new Set<ReturnType<typeof startRun>>();
  const aborted = () => opts.signal?.aborted === true;
  const onAbort = () => {
    for (const r of active) r.cancel("batch interrupted");
  };
  opts.signal?.addEventListener("abort", onAbort, { once: true });

  const progress = (): BatchProgress => {
    const elapsedMs = now() - started;
    const rate = elapsedMs > 0 ? (stats.ran * 1000) / elapsedMs : 0;
    const p: BatchProgress = { ...stats.counts, running, ran: stats.ran, elapsedMs, rate, costUsd: stats.usage.costUsd };
    if (total !== undefined) {
      p.total = total;
      const left = Math.max(0, total - stats.counts.seen + running);
      const etaMs = eta.etaMs(left, now());
      if (etaMs !== undefined) p.etaMs = etaMs;
    }
    return p;
  };
  const report = () => opts.onProgress?.(progress());

  const badRow = (b: BadRow) => {
    errors.append({ line: b.line, ...(b.endLine !== undefined ? { endLine: b.endLine } : {}), index: b.index, code: b.code, message: b.message, raw: b.raw });
    stats.addBadRow(b);
  };

  const runOne = async (rec: InputRecord): Promise<void> => {
    // Zero-latency backends complete a whole run in microtasks; yielding here keeps timers and
    // I/O (a server's other requests, progress redraws, Ctrl-C) alive during a batch.
    await new Promise<void>((r) => setImmediate(r));
    if (aborted()) {
      ordered.finish(rec.index, null);
      return;
    }
    const recSeed = seed + rec.index;
    const t0 = now();
    const nodes: Record<string, number> = {};
    let last: Terminal | undefined;
    let runId = "";
    try {
      // No token events: a batch keeps none of them, and backends need not stream.
      const run = startRun(pipeline, {
        registry,
        pool,
        compiled,
        input: rec.value,
        seed: recSeed,
        tokens: false,
        ...(opts.budget ? { budget: opts.budget } : {}),
        ...(opts.backendOverride ? { backendOverride: opts.backendOverride } : {}),
      });
      runId = run.runId;
      active.add(run);
      try {
        for await (const e of run.events) {
          opts.onEvent?.(rec.index, e);
          if (e.type === "node_finished" || e.type === "node_failed") nodes[e.nodeId] = (nodes[e.nodeId] ?? 0) + e.durationMs;
          else if (isTerminal(e)) last = e;
        }
      } finally {
        active.delete(run);
      }
    } catch (err) {
      last = { type: "run_failed", runId, at: now(), error: toErrorInfo(err), durationMs: now() - t0, usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 } };
    }
    // An interrupted record is not a result: a restart runs it again.
    if (!last || last.type === "run_cancelled") {
      ordered.finish(rec.index, null);
      return;
    }
    const result: BatchResult = {
      line: rec.line,
      index: rec.index,
      hash: rec.hash,
      seed: recSeed,
      runId,
      status: last.type === "run_finished" ? "ok" : "failed",
      input: rec.value,
      ...(last.type === "run_finished" ? { output: last.output } : { error: last.error }),
      durationMs: last.durationMs,
      usage: last.usage,
      nodes,
    };
    ordered.finish(rec.index, result);
    stats.addResult(result);
    eta.done(now());
    await opts.onResult?.(result);
  };

  // A slot limiter: the reader waits for a free slot, so at most `concurrency` records are in memory.
  let wake: (() => void) | undefined;
  const slotFreed = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const inflight = new Set<Promise<void>>();

  try {
    const columnTypes = opts.format === "csv" ? columnTypesFrom(pipeline.input?.schema) : undefined;
    for await (const item of readInputs(opts.inputs, opts.format, columnTypes ? { columnTypes } : {})) {
      if (aborted()) break;
      if (opts.range && item.index < opts.range.from) continue;
      if (opts.range && item.index >= opts.range.to) break;
      stats.counts.seen++;
      if (!item.ok) {
        badRow(item);
        report();
        continue;
      }
      if (done.has(recordKey(item.line, item.hash))) {
        // Counted when the results file was read; seen again now.
        continue;
      }
      try {
        item.value = resolveInput(pipeline, item.value);
      } catch (err) {
        const info = err instanceof BraidError ? toErrorInfo(err) : { code: "E_INPUT_SCHEMA", message: String((err as Error)?.message ?? err) };
        badRow({ ok: false, index: item.index, line: item.line, code: info.code, message: info.message, raw: clipJson(item.value) });
        report();
        continue;
      }
      while ((running >= concurrency || !ordered.hasRoom()) && !aborted()) await new Promise<void>((r) => (wake = r));
      if (aborted()) break;
      // A slow start: the first records start a millisecond apart. Started together, their calls
      // would stay in step (every node yields a turn), so each node's work for all of them would
      // queue on the one thread at once, and every call would answer late by the whole burst.
      if (launched > 0 && launched < concurrency && rampMs > 0) await new Promise((r) => setTimeout(r, rampMs));
      launched++;
      running++;
      ordered.start(item.index);
      const p: Promise<void> = runOne(item).finally(() => {
        running--;
        inflight.delete(p);
        report();
        slotFreed();
      });
      inflight.add(p);
    }
    await Promise.all(inflight);
    report();
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
    if (inflight.size > 0) {
      onAbort();
      await Promise.allSettled(inflight);
    }
    results.close();
    errors.close();
  }
  return stats.summary(aborted() ? "interrupted" : "completed", now() - started);
}

function clipJson(v: unknown): string {
  const s = JSON.stringify(v) ?? "";
  return s.length > 2000 ? `${s.slice(0, 2000)}…` : s;
}
