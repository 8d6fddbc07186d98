import type { ErrorInfo, EvaluatorConfig, ExperimentMetrics, RecordResult } from "@braid/engine";
import { safeJsonParse } from "@braid/engine";
import { type Db, writeTransaction } from "./db.js";

export type ExperimentStatus = "running" | "completed" | "cancelled" | "interrupted" | "failed";

/** What an experiment runs with; fixed at creation so a resume runs the same way. */
export interface ExperimentSpec {
  evaluators: EvaluatorConfig[];
  /** The pipeline's own gates (its `evaluation.gates`), checked when the experiment completes. */
  gates: string[];
  concurrency: number;
  /** Record i runs with seed `seed + i`. */
  seed: number;
  backend?: string;
}

export interface ExperimentRecord {
  id: string;
  name: string;
  pipelineId: string;
  pipelineVersion: number;
  datasetId: string;
  datasetVersion: number;
  datasetHash: string;
  spec: ExperimentSpec;
  status: ExperimentStatus;
  total: number;
  /** Records with a stored result. */
  done: number;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  metrics?: ExperimentMetrics;
  error?: ErrorInfo;
}

/** One record's row: the run it started (kept as soon as it is submitted) and, once evaluated, its result. */
export interface ExperimentRecordRow {
  index: number;
  runId?: string;
  result?: RecordResult;
}

export interface ExperimentStore {
  create(e: Omit<ExperimentRecord, "done" | "status"> & { status: ExperimentStatus }): void;
  get(id: string): ExperimentRecord | undefined;
  list(limit?: number): ExperimentRecord[];
  update(id: string, patch: Partial<Pick<ExperimentRecord, "status" | "startedAt" | "finishedAt" | "metrics" | "error">>): void;
  setRun(id: string, index: number, runId: string | undefined): void;
  setResult(id: string, index: number, result: RecordResult): void;
  rows(id: string): ExperimentRecordRow[];
  /** Experiments left `running` by a process that stopped become `interrupted`; returns their ids. */
  interruptRunning(): string[];
  delete(id: string): boolean;
}

type Row = {
  id: string;
  name: string;
  pipeline_id: string;
  pipeline_version: number;
  dataset_id: string;
  dataset_version: number;
  dataset_hash: string;
  spec: string;
  status: ExperimentStatus;
  total: number;
  done: number;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  metrics: string | null;
  error: string | null;
};

const SELECT = "SELECT e.*, (SELECT count(*) FROM experiment_records r WHERE r.experiment_id = e.id AND r.result IS NOT NULL) AS done FROM experiments e";

function fromRow(r: Row): ExperimentRecord {
  const e: ExperimentRecord = {
    id: r.id,
    name: r.name,
    pipelineId: r.pipeline_id,
    pipelineVersion: r.pipeline_version,
    datasetId: r.dataset_id,
    datasetVersion: r.dataset_version,
    datasetHash: r.dataset_hash,
    spec: safeJsonParse(r.spec) as ExperimentSpec,
    status: r.status,
    total: r.total,
    done: r.done,
    createdAt: r.created_at,
  };
  if (r.started_at !== null) e.startedAt = r.started_at;
  if (r.finished_at !== null) e.finishedAt = r.finished_at;
  if (r.metrics !== null) e.metrics = safeJsonParse(r.metrics) as ExperimentMetrics;
  if (r.error !== null) e.error = safeJsonParse(r.error) as ErrorInfo;
  return e;
}

const COLUMNS: Record<string, string> = { status: "status", startedAt: "started_at", finishedAt: "finished_at", metrics: "metrics", error: "error" };

export class SqliteExperimentStore implements ExperimentStore {
  constructor(private readonly db: Db) {}

  create(e: Omit<ExperimentRecord, "done" | "status"> & { status: ExperimentStatus }): void {
    writeTransaction(this.db, () => {
      this.db
        .prepare(
          `INSERT INTO experiments (id, name, pipeline_id, pipeline_version, dataset_id, dataset_version, dataset_hash, spec, status, total, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          e.id,
          e.name,
          e.pipelineId,
          e.pipelineVersion,
          e.datasetId,
          e.datasetVersion,
          e.datasetHash,
          JSON.stringify(e.spec),
          e.status,
          e.total,
          e.createdAt,
        );
      const insert = this.db.prepare("INSERT INTO experiment_records (experiment_id, idx) VALUES (?, ?)");
      for (let i = 0; i < e.total; i++) insert.run(e.id, i);
    });
  }

  get(id: string): ExperimentRecord | undefined {
    const r = this.db.prepare(`${SELECT} WHERE e.id = ?`).get(id) as Row | undefined;
    return r ? fromRow(r) : undefined;
  }

  list(limit = 100): ExperimentRecord[] {
    return (this.db.prepare(`${SELECT} ORDER BY e.created_at DESC LIMIT ?`).all(limit) as Row[]).map(fromRow);
  }

  update(id: string, patch: Partial<Pick<ExperimentRecord, "status" | "startedAt" | "finishedAt" | "metrics" | "error">>): void {
    const sets: string[] = [];
    const args: unknown[] = [];
    for (const [k, v] of Object.entries(patch)) {
      sets.push(`${COLUMNS[k]} = ?`);
      args.push(v === undefined ? null : typeof v === "object" ? JSON.stringify(v) : v);
    }
    if (sets.length > 0) this.db.prepare(`UPDATE experiments SET ${sets.join(", ")} WHERE id = ?`).run(...args, id);
  }

  setRun(id: string, index: number, runId: string | undefined): void {
    this.db.prepare("UPDATE experiment_records SET run_id = ?, result = NULL WHERE experiment_id = ? AND idx = ?").run(runId ?? null, id, index);
  }

  setResult(id: string, index: number, result: RecordResult): void {
    this.db.prepare("UPDATE experiment_records SET result = ? WHERE experiment_id = ? AND idx = ?").run(JSON.stringify(result), id, index);
  }

  rows(id: string): ExperimentRecordRow[] {
    const rows = this.db.prepare("SELECT idx, run_id, result FROM experiment_records WHERE experiment_id = ? ORDER BY idx").all(id) as Array<{
      idx: number;
      run_id: string | null;
      result: string | null;
    }>;
    return rows.map((r) => ({
      index: r.idx,
      ...(r.run_id !== null ? { runId: r.run_id } : {}),
      ...(r.result !== null ? { result: safeJsonParse(r.result) as RecordResult } : {}),
    }));
  }

  interruptRunning(): string[] {
    const ids = (this.db.prepare("SELECT id FROM experiments WHERE status = 'running'").all() as Array<{ id: string }>).map((r) => r.id);
    this.db.prepare("UPDATE experiments SET status = 'interrupted' WHERE status = 'running'").run();
    return ids;
  }

  delete(id: string): boolean {
    return this.db.prepare("DELETE FROM experiments WHERE id = ?").run(id).changes > 0;
  }
}
