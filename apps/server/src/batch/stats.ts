/**
 * Batch totals that stay the same size however many records go through: latencies are counted
 * per whole millisecond (exact percentiles, one map entry per distinct value), failure reasons
 * are capped, and no result is kept.
 */
import { type ErrorInfo, type Usage, addUsage, emptyUsage, percentile } from "@braid/engine";
import type { BadRow } from "./inputs.js";

/** One line of results.jsonl: a record that ran to an end (completed or failed). */
export interface BatchResult {
  line: number;
  index: number;
  hash: string;
  seed: number;
  runId: string;
  status: "ok" | "failed";
  input: unknown;
  output?: unknown;
  error?: ErrorInfo;
  durationMs: number;
  usage: Usage;
  /** Milliseconds per node for this record (all of a node's visits added up). */
  nodes: Record<string, number>;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  max: number;
}

export interface FailureSummary {
  code: string;
  message: string;
  count: number;
  /** The first few line numbers with this failure. */
  lines: number[];
}

export interface BatchCounts {
  /** Records read so far, bad rows included (skipped ones too). */
  seen: number;
  ok: number;
  failed: number;
  badRows: number;
  /** Records found complete in the results file at the start (a resumed batch). */
  resumed: number;
}

export interface BatchSummary extends BatchCounts {
  status: "completed" | "interrupted";
  /** Records that ran in this invocation. */
  ran: number;
  elapsedMs: number;
  /** Records per second in this invocation. */
  rate: number;
  usage: Usage;
  durationMs: LatencySummary;
  nodes: Record<string, LatencySummary>;
  failures: FailureSummary[];
  badRowLines: number[];
}

const MAX_REASONS = 50;
const MAX_LINES = 10;

/** Exact percentiles over whole milliseconds. */
export class MsHistogram {
  private readonly counts = new Map<number, number>();
  private n = 0;

  add(ms: number): void {
    const k = Math.max(0, Math.round(ms));
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
    this.n++;
  }

  get count(): number {
    return this.n;
  }

  summary(): LatencySummary {
    if (this.n === 0) return { count: 0, p50: 0, p95: 0, max: 0 };
    return { count: this.n, p50: percentile(this.counts, 0.5), p95: percentile(this.counts, 0.95), max: percentile(this.counts, 1) };
  }
}

export class BatchStats {
  readonly counts: BatchCounts = { seen: 0, ok: 0, failed: 0, badRows: 0, resumed: 0 };
  /** `estimated` once any record's tokens were estimated (a provider reported no usage). */
  readonly usage: Usage = emptyUsage();
  private readonly durations = new MsHistogram();
  private readonly nodes = new Map<string, MsHistogram>();
  private readonly failures = new Map<string, FailureSummary>();
  private readonly badLines: number[] = [];
  ran = 0;

  /** Folds in one finished record; `resumed` when it was read back from an earlier invocation. */
  addResult(r: BatchResult, resumed = false): void {
    if (resumed) this.counts.resumed++;
    else this.ran++;
    if (r.status === "ok") this.counts.ok++;
    else {
      this.counts.failed++;
      this.addFailure(r.error ?? { code: "E_INTERNAL", message: "failed without an error" }, r.line);
    }
    addUsage(this.usage, r.usage);
    this.durations.add(r.durationMs);
    for (const [id, ms] of Object.entries(r.nodes)) {
      let h = this.nodes.get(id);
      if (!h) this.nodes.set(id, (h = new MsHistogram()));
      h.add(ms);
    }
  }

  addBadRow(b: BadRow): void {
    this.counts.badRows++;
    if (this.badLines.length < MAX_LINES) this.badLines.push(b.line);
  }

  private addFailure(e: ErrorInfo, line: number): void {
    let key = `${e.code}\u0000${e.message}`;
    if (!this.failures.has(key) && this.failures.size >= MAX_REASONS) key = `${e.code}\u0000(other messages)`;
    let f = this.failures.get(key);
    if (!f) {
      f = { code: e.code, message: key.endsWith("(other messages)") ? "(other messages)" : e.message, count: 0, lines: [] };
      this.failures.set(key, f);
    }
    f.count++;
    if (f.lines.length < MAX_LINES) f.lines.push(line);
  }

  summary(status: BatchSummary["status"], elapsedMs: number): BatchSummary {
    return {
      status,
      ...this.counts,
      ran: this.ran,
      elapsedMs,
      rate: elapsedMs > 0 ? (this.ran * 1000) / elapsedMs : 0,
      usage: { ...this.usage },
      durationMs: this.durations.summary(),
      nodes: Object.fromEntries([...this.nodes.entries()].map(([id, h]) => [id, h.summary()])),
      failures: [...this.failures.values()].sort((a, b) => b.count - a.count),
      badRowLines: [...this.badLines],
    };
  }
}
