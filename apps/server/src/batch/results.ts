/**
 * results.jsonl: one line per finished record, appended as each finishes (so the order is
 * completion order, not input order). A record is identified by `line:hash`, which is how a
 * restarted batch knows what is already done.
 */
import { closeSync, createReadStream, existsSync, ftruncateSync, openSync, readSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { createInterface } from "node:readline";
import type { BatchResult, BatchStats } from "./stats.js";

export const recordKey = (line: number, hash: string): string => `${line}:${hash}`;

/** Where a batch writes: results, and bad rows beside them (`x.jsonl` → `x.errors.jsonl`). */
export function errorsPathFor(resultsPath: string): string {
  return /\.jsonl$/i.test(resultsPath) ? resultsPath.replace(/\.jsonl$/i, ".errors.jsonl") : `${resultsPath}.errors.jsonl`;
}

/**
 * Cuts an interrupted last line (a crash mid-write) so that appending starts on a fresh line;
 * the record it belonged to is simply run again.
 */
function repairTail(file: string): void {
  const size = statSync(file).size;
  if (size === 0) return;
  const fd = openSync(file, "r+");
  try {
    const chunk = Buffer.alloc(Math.min(size, 64 * 1024));
    let end = size;
    // Find the last newline, reading backwards in chunks.
    while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      const n = readSync(fd, chunk, 0, end - start, start);
      const i = chunk.subarray(0, n).lastIndexOf(10);
      if (i >= 0) {
        const keep = start + i + 1;
        if (keep < size) ftruncateSync(fd, keep);
        return;
      }
      end = start;
    }
    ftruncateSync(fd, 0);
  } finally {
    closeSync(fd);
  }
}

export interface LoadedResults {
  done: Set<string>;
  /** Lines that are not results (hand-edited or corrupt); they are kept but ignored. */
  unreadable: number;
}

/**
 * Reads an existing results file: which records are done, and their totals folded into `stats`.
 * With `retryFailed`, failed records are not counted as done, and the file is rewritten without them.
 */
export async function loadResults(file: string, stats: BatchStats, opts: { retryFailed?: boolean } = {}): Promise<LoadedResults> {
  const done = new Set<string>();
  let unreadable = 0;
  if (!existsSync(file)) return { done, unreadable };
  repairTail(file);
  // With retryFailed, the kept lines stream into a new file that replaces the old one.
  const tmp = `${file}.tmp`;
  const keepFd = opts.retryFailed ? openSync(tmp, "w") : undefined;
  const keep = keepFd === undefined ? undefined : { push: (t: string) => writeSync(keepFd, `${t}\n`) };
  let dropped = 0;
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const text of lines) {
    if (text.trim() === "") continue;
    let r: BatchResult;
    try {
      r = JSON.parse(text) as BatchResult;
    } catch {
      unreadable++;
      keep?.push(text);
      continue;
    }
    if (typeof r?.line !== "number" || typeof r.hash !== "string" || (r.status !== "ok" && r.status !== "failed")) {
      unreadable++;
      keep?.push(text);
      continue;
    }
    if (opts.retryFailed && r.status === "failed") {
      dropped++;
      continue;
    }
    const key = recordKey(r.line, r.hash);
    if (done.has(key)) continue;
    done.add(key);
    keep?.push(text);
    stats.addResult({ ...r, nodes: r.nodes ?? {}, usage: r.usage ?? { inputTokens: 0, outputTokens: 0, costUsd: 0 }, durationMs: r.durationMs ?? 0 }, true);
  }
  if (keepFd !== undefined) {
    closeSync(keepFd);
    if (dropped > 0) renameSync(tmp, file);
    else unlinkSync(tmp);
  }
  return { done, unreadable };
}

/**
 * Appends JSON lines with a synchronous write per line: when the call returns the line is in the
 * OS's hands, so a crash loses at most the records that were still running.
 */
export class JsonlAppender {
  private fd: number | undefined;

  constructor(
    readonly file: string,
    mode: "a" | "w" = "a",
  ) {
    this.fd = openSync(file, mode);
  }

  append(value: unknown): void {
    if (this.fd === undefined) throw new Error(`${this.file} is closed`);
    writeSync(this.fd, `${JSON.stringify(value)}\n`);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * Writes results in the order their records were started (input order), whatever order they
 * finish in. A record that finishes early waits in memory for the ones started before it; the
 * caller bounds that by not starting a record more than `window` places ahead of the oldest
 * unfinished one (`hasRoom`).
 */
export class OrderedResults<T> {
  private readonly started: number[] = [];
  private readonly finished = new Map<number, T | null>();

  constructor(
    private readonly write: (value: T) => void,
    readonly window: number,
  ) {}

  start(index: number): void {
    this.started.push(index);
  }

  /** A record's result, or null when it gave none (an interrupted record); writes what is now in order. */
  finish(index: number, value: T | null): void {
    this.finished.set(index, value);
    while (this.started.length > 0 && this.finished.has(this.started[0] as number)) {
      const head = this.started.shift() as number;
      const v = this.finished.get(head);
      this.finished.delete(head);
      if (v !== null && v !== undefined) this.write(v);
    }
  }

  /** Whether another record may start without the wait-for-order buffer outgrowing the window. */
  hasRoom(): boolean {
    return this.started.length < this.window;
  }
}
