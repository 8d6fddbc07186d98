import type { RecordResult } from "@braid/engine";
import {
  EXPERIMENT_SELECT,
  type ExperimentPatch,
  type ExperimentRecord,
  type ExperimentRecordRow,
  type ExperimentRow,
  type ExperimentStatus,
  type ExperimentStore,
  experimentValues,
  INSERT_EXPERIMENT_COLUMNS,
  patchColumns,
  type StoredRecordRow,
  toExperiment,
  toRecordRow,
} from "../experiments.js";
import { pgLimit, pgRow, pgRows, pgRun } from "./sql.js";
import { type Pg, transaction } from "./db.js";

/** Experiments and their per-record rows in PostgreSQL; the same rules as SqliteExperimentStore (store/experiments.ts). */
export class PgExperimentStore implements ExperimentStore {
  constructor(private readonly pool: Pg) {}

  async create(e: Omit<ExperimentRecord, "done" | "status"> & { status: ExperimentStatus }): Promise<void> {
    await transaction(this.pool, async (c) => {
      await pgRun(c, `INSERT INTO experiments (${INSERT_EXPERIMENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, experimentValues(e));
      // One statement for every record row: an experiment over 10,000 records is one round trip.
      await pgRun(c, "INSERT INTO experiment_records (experiment_id, idx) SELECT $1, g FROM generate_series(0, $2::integer - 1) g", [e.id, e.total]);
    });
  }

  async get(id: string): Promise<ExperimentRecord | undefined> {
    const r = await pgRow<ExperimentRow>(this.pool, `${EXPERIMENT_SELECT} WHERE e.id = $1`, [id]);
    return r ? toExperiment(r) : undefined;
  }

  async list(limit = 100): Promise<ExperimentRecord[]> {
    return (await pgRows<ExperimentRow>(this.pool, `${EXPERIMENT_SELECT} ORDER BY e.created_at DESC LIMIT $1`, [pgLimit(limit)])).map(toExperiment);
  }

  async update(id: string, patch: ExperimentPatch): Promise<void> {
    const cols = patchColumns(patch);
    if (cols.length === 0) return;
    const sets = cols.map(([c], i) => `${c} = $${i + 1}`);
    await pgRun(this.pool, `UPDATE experiments SET ${sets.join(", ")} WHERE id = $${cols.length + 1}`, [...cols.map(([, v]) => v), id]);
  }

  async setRun(id: string, index: number, runId: string | undefined): Promise<void> {
    await pgRun(this.pool, "UPDATE experiment_records SET run_id = $1, result = NULL WHERE experiment_id = $2 AND idx = $3", [runId ?? null, id, index]);
  }

  async setResult(id: string, index: number, result: RecordResult): Promise<void> {
    await pgRun(this.pool, "UPDATE experiment_records SET result = $1 WHERE experiment_id = $2 AND idx = $3", [JSON.stringify(result), id, index]);
  }

  async rows(id: string): Promise<ExperimentRecordRow[]> {
    return (await pgRows<StoredRecordRow>(this.pool, "SELECT idx, run_id, result FROM experiment_records WHERE experiment_id = $1 ORDER BY idx", [id])).map(
      toRecordRow,
    );
  }

  async interruptRunning(): Promise<string[]> {
    // One statement: an experiment that starts meanwhile is neither marked nor reported.
    const rows = await pgRows<{ id: string }>(this.pool, "UPDATE experiments SET status = 'interrupted' WHERE status = 'running' RETURNING id");
    return rows.map((r) => r.id);
  }

  async delete(id: string): Promise<boolean> {
    return (await pgRun(this.pool, "DELETE FROM experiments WHERE id = $1", [id])) > 0;
  }
}
