/**
 * A batch split into shards for queue mode: shard k is the records with index in
 * [k·size, (k+1)·size). The batch folder is the source of truth, so a Redis restart loses nothing
 * but wake-ups (Redis only carries the shard jobs):
 *
 *   shards/<k>.results.jsonl   the shard's finished records (a rerun of the shard skips them)
 *   shards/<k>.errors.jsonl    its bad rows
 *   shards/<k>.progress.json   its counts, rewritten while it runs
 *   shards/<k>.done.json       written once the shard has run every record
 *   shards/<k>.lock            {pid} of the process running it (one at a time, even if a job is duplicated)
 *   cancelled                  a cancel asked for (workers stop their shards, the server finalizes)
 *   finalized                  taken by the one process that merges the shards into results.jsonl
 */
import { closeSync, createReadStream, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { BadRow } from "./inputs.js";
import type { BatchProgress } from "./runner.js";
import { type BatchResult, BatchStats, type BatchSummary } from "./stats.js";

export interface ShardPlan {
  size: number;
  count: number;
}

/**
 * About 16 shards, of 200 to 2,000 records: enough shards to spread over several workers, and
 * long enough that a shard's tail (its last records finishing while no new one starts) is a small
 * part of it. A killed worker loses only its records in flight, whatever the size.
 */
export function planShards(total: number): ShardPlan {
  const size = Math.min(2000, Math.max(200, Math.ceil(total / 16)));
  return { size, count: Math.max(1, Math.ceil(total / size)) };
}
export const shardRange = (plan: ShardPlan, k: number) => ({ from: k * plan.size, to: (k + 1) * plan.size });

export function shardFiles(dir: string, k: number) {
  const d = join(dir, "shards");
  return {
    dir: d,
    results: join(d, `${k}.results.jsonl`),
    errors: join(d, `${k}.errors.jsonl`),
    progress: join(d, `${k}.progress.json`),
    done: join(d, `${k}.done.json`),
    lock: join(d, `${k}.lock`),
  };
}

export const markerOf = (dir: string, name: "cancelled" | "finalized") => join(dir, name);

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileSync(`${file}.tmp`, JSON.stringify(value));
  renameSync(`${file}.tmp`, file);
}

const readJson = <T>(file: string): T | undefined => {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch {
    return undefined;
  }
};

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** Whether a live process holds shard k (a lock left by a killed process does not count). */
export function shardHeld(dir: string, k: number): boolean {
  const lock = readJson<{ pid: number }>(shardFiles(dir, k).lock);
  return lock !== undefined && alive(lock.pid);
}

/** Takes shard k for this process, or returns false when a live process has it. A dead holder's lock is taken over. */
export function lockShard(dir: string, k: number): boolean {
  const f = shardFiles(dir, k);
  mkdirSync(f.dir, { recursive: true });
  for (let tries = 0; tries < 2; tries++) {
    try {
      const fd = openSync(f.lock, "wx");
      writeSync(fd, JSON.stringify({ pid: process.pid }));
      closeSync(fd);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      if (shardHeld(dir, k)) return false;
      rmSync(f.lock, { force: true });
    }
  }
  return false;
}

export const unlockShard = (dir: string, k: number): void => rmSync(shardFiles(dir, k).lock, { force: true });

/** Exclusive: true for exactly one caller per batch run (the merge is done once). */
export function claimFinalize(dir: string): boolean {
  try {
    closeSync(openSync(markerOf(dir, "finalized"), "wx"));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
}

export interface ShardsState {
  done: number[];
  /** Shards not done and held by no live process: the ones a queue must (still) carry. */
  unclaimed: number[];
  held: number;
  progress: BatchProgress;
}

/** Every shard's state and the batch's progress summed over them (rate and ETA over the time since `startedAt`). */
export function readShards(dir: string, plan: ShardPlan, total: number, startedAt: number, now: number): ShardsState {
  const done: number[] = [];
  const unclaimed: number[] = [];
  let held = 0;
  const p: BatchProgress = { seen: 0, ok: 0, failed: 0, badRows: 0, resumed: 0, total, running: 0, ran: 0, elapsedMs: now - startedAt, rate: 0, costUsd: 0 };
  const present = existsSync(join(dir, "shards")) ? new Set(readdirSync(join(dir, "shards"))) : new Set<string>();
  for (let k = 0; k < plan.count; k++) {
    const isDone = present.has(`${k}.done.json`);
    const counts = readJson<BatchProgress>(shardFiles(dir, k)[isDone ? "done" : "progress"]);
    if (isDone) done.push(k);
    else if (present.has(`${k}.lock`) && shardHeld(dir, k)) held++;
    else unclaimed.push(k);
    if (!counts) continue;
    p.seen += counts.seen;
    p.ok += counts.ok;
    p.failed += counts.failed;
    p.badRows += counts.badRows;
    p.ran += counts.ran;
    p.costUsd += counts.costUsd;
    if (!isDone) p.running += counts.running;
  }
  p.rate = p.elapsedMs > 0 ? (p.ran * 1000) / p.elapsedMs : 0;
  const left = Math.max(0, total - p.seen + p.running);
  if (p.rate > 0 && p.ran >= 10) p.etaMs = Math.round((left / p.rate) * 1000);
  return { done, unclaimed, held, progress: p };
}

async function* lines(file: string): AsyncGenerator<string> {
  if (!existsSync(file)) return;
  for await (const text of createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY })) if (text.trim() !== "") yield text;
}

/** Concatenates the shards' results and bad rows, in shard order, into the batch's own files, and summarises them. */
export async function mergeShards(
  dir: string,
  plan: ShardPlan,
  out: { results: string; errors: string },
  status: BatchSummary["status"],
  elapsedMs: number,
): Promise<BatchSummary> {
  const stats = new BatchStats();
  const results = openSync(`${out.results}.tmp`, "w");
  const errors = openSync(`${out.errors}.tmp`, "w");
  try {
    for (let k = 0; k < plan.count; k++) {
      const f = shardFiles(dir, k);
      for await (const text of lines(f.results)) {
        let r: BatchResult;
        try {
          r = JSON.parse(text) as BatchResult;
        } catch {
          continue; // a torn last line of a killed shard: that record runs again on resume
        }
        stats.counts.seen++;
        stats.addResult({ ...r, nodes: r.nodes ?? {} });
        writeSync(results, `${text}\n`);
      }
      for await (const text of lines(f.errors)) {
        let b: BadRow;
        try {
          b = { ok: false, ...(JSON.parse(text) as Omit<BadRow, "ok">) };
        } catch {
          continue;
        }
        stats.counts.seen++;
        stats.addBadRow(b);
        writeSync(errors, `${text}\n`);
      }
    }
  } finally {
    closeSync(results);
    closeSync(errors);
  }
  renameSync(`${out.results}.tmp`, out.results);
  renameSync(`${out.errors}.tmp`, out.errors);
  return stats.summary(status, elapsedMs);
}
