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
  create(e: Omit<ExperimentRecord, "done" | "status"> & { status: ExperimentStatus }): Promise<void>;
  get(id: string): Promise<ExperimentRecord | undefined>;
  list(limit?: number): Promise<ExperimentRecord[]>;
  update(id: string, patch: Partial<Pick<ExperimentRecord, "status" | "startedAt" | "finishedAt" | "metrics" | "error">>): Promise<void>;
  setRun(id: string, index: number, runId: string | undefined): Promise<void>;
  setResult(id: string, index: number, result: RecordResult): Promise<void>;
  rows(id: string): Promise<ExperimentRecordRow[]>;
  /** Experiments left `running` by a process that stopped become `interrupted`; returns their ids. */
  interruptRunning(): Promise<string[]>;
  delete(id: string): Promise<boolean>;
}

// Shared with the PostgreSQL store (pg/experiments.ts): both schemas have the same columns.
export type ExperimentRow = {
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

export const EXPERIMENT_SELECT =
  "SELECT e.*, (SELECT count(*) FROM experiment_records r WHERE r.experiment_id = e.id AND r.result IS NOT NULL) AS done FROM experiments e";

export function toExperiment(r: ExperimentRow): ExperimentRecord {
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

export type ExperimentPatch = Partial<Pick<ExperimentRecord, "status" | "startedAt" | "finishedAt" | "metrics" | "error">>;

/** The columns an `update` sets, with their stored values (objects as JSON). */
export const patchColumns = (patch: ExperimentPatch): Array<[column: string | undefined, value: unknown]> =>
  Object.entries(patch).map(([k, v]) => [COLUMNS[k], v === undefined ? null : typeof v === "object" ? JSON.stringify(v) : v]);

/** The stored columns of a new experiment, in `INSERT_EXPERIMENT_COLUMNS` order. */
export const experimentValues = (e: Omit<ExperimentRecord, "done" | "status"> & { status: ExperimentStatus }) => [
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
];

export const INSERT_EXPERIMENT_COLUMNS = "id, name, pipeline_id, pipeline_version, dataset_id, dataset_version, dataset_hash, spec, status, total, created_at";

export type StoredRecordRow = { idx: number; run_id: string | null; result: string | null };

export const toRecordRow = (r: StoredRecordRow): ExperimentRecordRow => ({
  index: r.idx,
  ...(r.run_id !== null ? { runId: r.run_id } : {}),
  ...(r.result !== null ? { result: safeJsonParse(r.result) as RecordResult } : {}),
});

export class SqliteExperimentStore implements ExperimentStore {
  constructor(private readonly db: Db) {}

  async create(e: Omit<ExperimentRecord, "done" | "status"> & { status: ExperimentStatus }): Promise<void> {
    writeTransaction(this.db, () => {
      this.db.prepare(`INSERT INTO experiments (${INSERT_EXPERIMENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(...experimentValues(e));
      const insert = this.db.prepare("INSERT INTO experiment_records (experiment_id, idx) VALUES (?, ?)");
      for (let i = 0; i < e.total; i++) insert.run(e.id, i);
    });
  }

  async get(id: string): Promise<ExperimentRecord | undefined> {
    const r = this.db.prepare(`${EXPERIMENT_SELECT} WHERE e.id = ?`).get(id) as ExperimentRow | undefined;
    return r ? toExperiment(r) : undefined;
  }

  async list(limit = 100): Promise<ExperimentRecord[]> {
    return (this.db.prepare(`${EXPERIMENT_SELECT} ORDER BY e.created_at DESC LIMIT ?`).all(limit) as ExperimentRow[]).map(toExperiment);
  }

  async update(id: string, patch: ExperimentPatch): Promise<void> {
    const cols = patchColumns(patch);
    const sets = cols.map(([c]) => `${c} = ?`);
    if (sets.length > 0) this.db.prepare(`UPDATE experiments SET ${sets.join(", ")} WHERE id = ?`).run(...cols.map(([, v]) => v), id);
  }

  async setRun(id: string, index: number, runId: string | undefined): Promise<void> {
    this.db.prepare("UPDATE experiment_records SET run_id = ?, result = NULL WHERE experiment_id = ? AND idx = ?").run(runId ?? null, id, index);
  }

  async setResult(id: string, index: number, result: RecordResult): Promise<void> {
    this.db.prepare("UPDATE experiment_records SET result = ? WHERE experiment_id = ? AND idx = ?").run(JSON.stringify(result), id, index);
  }

  async rows(id: string): Promise<ExperimentRecordRow[]> {
    const rows = this.db.prepare("SELECT idx, run_id, result FROM experiment_records WHERE experiment_id = ? ORDER BY idx").all(id) as StoredRecordRow[];
    return rows.map(toRecordRow);
  }

  async interruptRunning(): Promise<string[]> {
    const ids = (this.db.prepare("SELECT id FROM experiments WHERE status = 'running'").all() as Array<{ id: string }>).map((r) => r.id);
    this.db.prepare("UPDATE experiments SET status = 'interrupted' WHERE status = 'running'").run();
    return ids;
  }

  async delete(id: string): Promise<boolean> {
    return this.db.prepare("DELETE FROM experiments WHERE id = ?").run(id).changes > 0;
  }
}
