import { type ErrorInfo, type Pipeline, type RunEvent, type RunStatus, type Usage, safeJsonParse } from "@braid/engine";
import type Database from "better-sqlite3";
import type { SqlStatement } from "./checkpoints.js";
import { type Db, whereClause, writeTransaction } from "./db.js";

export interface RunOptionsRecord {
  backendOverride?: string;
  /** Node outputs recorded by a parent run that this run reuses (re-run from a node, fork). */
  reuseFromRun?: string;
  /** Fork: reuse what the parent had finished by this event sequence number… */
  forkAtSeq?: number;
  /** …with the state as the user edited it. */
  forkState?: Record<string, unknown>;
  budget?: { maxTokens?: number; maxCostUsd?: number; maxDurationMs?: number };
  /** A single-node run of this node, on the upstream outputs of `reuseFromRun` (or on the input alone). */
  onlyNode?: string;
  /** Set on REST runs of a saved pipeline: how the version was chosen (live metrics count only these runs). */
  traffic?: "live" | "candidate" | "latest" | "pinned";
}

export interface RunRecord {
  id: string;
  pipelineId?: string;
  pipelineVersion?: number;
  pipeline: Pipeline;
  input: unknown;
  seed: number;
  status: RunStatus;
  options: RunOptionsRecord;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  usage: Usage;
  output?: unknown;
  error?: ErrorInfo;
  parentRunId?: string;
  fromNode?: string;
}

export type RunSummaryRecord = Omit<RunRecord, "pipeline"> & { pipelineName?: string };

export interface StoredEvent {
  seq: number;
  event: RunEvent;
}

/** Runs and their append-only event logs. Sequence numbers start at 1 and have no gaps. */
export interface RunStore {
  create(run: Omit<RunRecord, "usage" | "status"> & { status?: RunStatus }): Promise<void>;
  get(id: string): Promise<RunRecord | undefined>;
  list(filter?: { pipelineId?: string; status?: RunStatus; limit?: number }): Promise<RunSummaryRecord[]>;
  markStarted(id: string, at: number): Promise<void>;
  /** A run waiting for a review that was resumed is `queued` until it gets a slot. */
  setStatus(id: string, status: RunStatus): Promise<void>;
  /** Appends one event and applies it to the run row (status, usage, output); returns its seq. */
  append(runId: string, event: RunEvent): Promise<number>;
  /**
   * Appends events (returning their seqs, in order) and executes checkpoint writes (a journaling
   * saver's statements), all in one transaction: either all of them are stored or none.
   */
  appendBatch(items: ReadonlyArray<{ runId: string; event: RunEvent }>, checkpointWrites?: ReadonlyArray<SqlStatement>): Promise<number[]>;
  events(runId: string, afterSeq?: number, limit?: number): Promise<StoredEvent[]>;
  lastSeq(runId: string): Promise<number>;
  /** Drops what this process remembers of the run's last seq: another process may have appended since. */
  forgetSeq(runId: string): Promise<void>;
  /** Runs a restart must pick up again. */
  unfinished(): Promise<RunRecord[]>;
}

/** A `runs` row as both dialects read it (same column names in both schemas). */
export type RunRow = {
  id: string;
  pipeline_id: string | null;
  pipeline_version: number | null;
  pipeline_doc: string;
  pipeline_name?: string | null;
  input: string;
  seed: number;
  status: RunStatus;
  options: string;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  output: string | null;
  error: string | null;
  parent_run_id: string | null;
  from_node: string | null;
};

export function fromRow(r: RunRow, withPipeline: true): RunRecord;
export function fromRow(r: RunRow, withPipeline: false): RunSummaryRecord;
export function fromRow(r: RunRow, withPipeline: boolean): RunRecord | RunSummaryRecord {
  const rec: RunSummaryRecord & { pipeline?: Pipeline } = {
    id: r.id,
    input: safeJsonParse(r.input),
    seed: r.seed,
    status: r.status,
    options: safeJsonParse(r.options) as RunOptionsRecord,
    createdAt: r.created_at,
    usage: { inputTokens: r.input_tokens, outputTokens: r.output_tokens, costUsd: r.cost_usd },
  };
  if (withPipeline) rec.pipeline = safeJsonParse(r.pipeline_doc) as Pipeline;
  else if (r.pipeline_name) rec.pipelineName = r.pipeline_name;
  if (r.pipeline_id !== null) rec.pipelineId = r.pipeline_id;
  if (r.pipeline_version !== null) rec.pipelineVersion = r.pipeline_version;
  if (r.started_at !== null) rec.startedAt = r.started_at;
  if (r.finished_at !== null) rec.finishedAt = r.finished_at;
  if (r.output !== null) rec.output = safeJsonParse(r.output);
  if (r.error !== null) rec.error = safeJsonParse(r.error) as ErrorInfo;
  if (r.parent_run_id !== null) rec.parentRunId = r.parent_run_id;
  if (r.from_node !== null) rec.fromNode = r.from_node;
  return rec;
}

/** How many summaries `list` returns: 100 unless asked, never more than 1000. */
export const runListLimit = (limit: number | undefined): number => Math.min(limit ?? 100, 1000);

/** What an event changes in its run's row, beside being logged. */
export type RunRowEffect =
  | { kind: "finish"; status: RunStatus; at: number; usage: Usage; output: string | null; error: string | null }
  | { kind: "status"; status: RunStatus }
  | { kind: "usage"; usage: Usage };

export function runRowEffect(event: RunEvent): RunRowEffect | undefined {
  if (event.type === "run_finished" || event.type === "run_failed" || event.type === "run_cancelled") {
    const status = event.type === "run_finished" ? "completed" : event.type === "run_failed" ? "failed" : "cancelled";
    const output = event.type === "run_finished" ? JSON.stringify(event.output ?? null) : null;
    const error =
      event.type === "run_failed"
        ? JSON.stringify(event.error)
        : event.type === "run_cancelled"
          ? JSON.stringify({ code: "E_CANCELLED", message: event.reason })
          : null;
    return { kind: "finish", status, at: event.at, usage: event.usage, output, error };
  }
  if (event.type === "run_waiting" || event.type === "run_resumed") return { kind: "status", status: event.type === "run_waiting" ? "waiting" : "running" };
  if (event.type === "node_finished" && (event.usage.inputTokens || event.usage.outputTokens || event.usage.costUsd))
    return { kind: "usage", usage: event.usage };
  return undefined;
}

const SUMMARY_COLUMNS =
  "id, pipeline_id, pipeline_version, '' AS pipeline_doc, json_extract(pipeline_doc, '$.name') AS pipeline_name, input, seed, status, options, created_at, started_at, finished_at, input_tokens, output_tokens, cost_usd, output, error, parent_run_id, from_node";

/** A new run's row, in the column order of `RUN_INSERT_COLUMNS` (both dialects). */
export const RUN_INSERT_COLUMNS = "id, pipeline_id, pipeline_version, pipeline_doc, input, seed, status, options, created_at, parent_run_id, from_node";
export function runValues(run: Omit<RunRecord, "usage" | "status"> & { status?: RunStatus }): unknown[] {
  return [
    run.id,
    run.pipelineId ?? null,
    run.pipelineVersion ?? null,
    JSON.stringify(run.pipeline),
    JSON.stringify(run.input ?? null),
    run.seed,
    run.status ?? "queued",
    JSON.stringify(run.options),
    run.createdAt,
    run.parentRunId ?? null,
    run.fromNode ?? null,
  ];
}

export class SqliteRunStore implements RunStore {
  private readonly seqs = new Map<string, number>();
  private readonly stmts;
  private readonly checkpointStmts = new Map<string, Database.Statement>();

  constructor(private readonly db: Db) {
    this.stmts = {
      insertEvent: db.prepare("INSERT INTO run_events (run_id, seq, type, node_id, at, data) VALUES (?, ?, ?, ?, ?, ?)"),
      finish: db.prepare("UPDATE runs SET status = ?, finished_at = ?, input_tokens = ?, output_tokens = ?, cost_usd = ?, output = ?, error = ? WHERE id = ?"),
      usage: db.prepare("UPDATE runs SET input_tokens = input_tokens + ?, output_tokens = output_tokens + ?, cost_usd = cost_usd + ? WHERE id = ?"),
      lastSeq: db.prepare("SELECT MAX(seq) AS seq FROM run_events WHERE run_id = ?"),
      create: db.prepare(`INSERT INTO runs (${RUN_INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      get: db.prepare("SELECT * FROM runs WHERE id = ?"),
      events: db.prepare("SELECT seq, data FROM run_events WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?"),
      markStarted: db.prepare("UPDATE runs SET status = 'running', started_at = COALESCE(started_at, ?) WHERE id = ?"),
      setStatus: db.prepare("UPDATE runs SET status = ? WHERE id = ?"),
    };
  }

  async create(run: Omit<RunRecord, "usage" | "status"> & { status?: RunStatus }): Promise<void> {
    this.stmts.create.run(...runValues(run));
    this.seqs.set(run.id, 0);
  }

  async get(id: string): Promise<RunRecord | undefined> {
    const r = this.stmts.get.get(id) as RunRow | undefined;
    return r ? fromRow(r, true) : undefined;
  }

  async list(filter: { pipelineId?: string; status?: RunStatus; limit?: number } = {}): Promise<RunSummaryRecord[]> {
    const { sql: where, args } = whereClause([
      ["pipeline_id = ?", filter.pipelineId],
      ["status = ?", filter.status],
    ]);
    const sql = `SELECT ${SUMMARY_COLUMNS} FROM runs ${where} ORDER BY created_at DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, runListLimit(filter.limit)) as RunRow[]).map((r) => fromRow(r, false));
  }

  async markStarted(id: string, at: number): Promise<void> {
    this.stmts.markStarted.run(at, id);
  }

  async setStatus(id: string, status: RunStatus): Promise<void> {
    this.stmts.setStatus.run(status, id);
  }

  async lastSeq(runId: string): Promise<number> {
    return this.seqOf(runId);
  }

  private seqOf(runId: string): number {
    const cached = this.seqs.get(runId);
    if (cached !== undefined) return cached;
    const seq = (this.stmts.lastSeq.get(runId) as { seq: number | null }).seq ?? 0;
    this.seqs.set(runId, seq);
    return seq;
  }

  async forgetSeq(runId: string): Promise<void> {
    this.seqs.delete(runId);
  }

  async append(runId: string, event: RunEvent): Promise<number> {
    return (await this.appendBatch([{ runId, event }]))[0] as number;
  }

  /** Many events in one transaction: one commit instead of one per event. */
  async appendBatch(items: ReadonlyArray<{ runId: string; event: RunEvent }>, checkpointWrites: ReadonlyArray<SqlStatement> = []): Promise<number[]> {
    const seqs: number[] = [];
    try {
      writeTransaction(this.db, () => {
        for (const { runId, event } of items) seqs.push(this.insert(runId, event));
        for (const w of checkpointWrites) this.prepared(w.sql).run(...w.params);
      });
    } catch (err) {
      // Rolled back: the seqs remembered for these runs during the batch were never written.
      for (const { runId } of items) this.seqs.delete(runId);
      throw err;
    }
    return seqs;
  }

  /** Checkpoint writes use a handful of statements; each is prepared once. */
  private prepared(sql: string): Database.Statement {
    let stmt = this.checkpointStmts.get(sql);
    if (!stmt) this.checkpointStmts.set(sql, (stmt = this.db.prepare(sql)));
    return stmt;
  }

  private insert(runId: string, event: RunEvent): number {
    const seq = this.seqOf(runId) + 1;
    const nodeId = "nodeId" in event ? event.nodeId : null;
    this.stmts.insertEvent.run(runId, seq, event.type, nodeId, event.at, JSON.stringify(event));
    this.seqs.set(runId, seq);
    const effect = runRowEffect(event);
    if (effect?.kind === "finish") {
      const u = effect.usage;
      this.stmts.finish.run(effect.status, effect.at, u.inputTokens, u.outputTokens, u.costUsd, effect.output, effect.error, runId);
      this.seqs.delete(runId);
    } else if (effect?.kind === "status") {
      this.stmts.setStatus.run(effect.status, runId);
    } else if (effect?.kind === "usage") {
      this.stmts.usage.run(effect.usage.inputTokens, effect.usage.outputTokens, effect.usage.costUsd, runId);
    }
    return seq;
  }

  async events(runId: string, afterSeq = 0, limit = 100_000): Promise<StoredEvent[]> {
    const rows = this.stmts.events.all(runId, afterSeq, limit) as Array<{
      seq: number;
      data: string;
    }>;
    return rows.map((r) => ({ seq: r.seq, event: safeJsonParse(r.data) as RunEvent }));
  }

  async unfinished(): Promise<RunRecord[]> {
    return (this.db.prepare("SELECT * FROM runs WHERE status IN ('queued', 'running') ORDER BY created_at").all() as RunRow[]).map((r) => fromRow(r, true));
  }
}
