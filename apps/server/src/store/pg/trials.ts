import { whereClause } from "../db.js";
import { type Trial, type TrialFilter, type TrialRow, type TrialStatus, type TrialStore, newTrial, toTrial, trialConditions, trialLimit } from "../trials.js";
import { numbered, pgLimit, pgRow, pgRows, pgRun } from "./sql.js";
import type { Pg } from "./db.js";

/** The optimizer's suggestion trials in PostgreSQL; the same rules as SqliteTrialStore (store/trials.ts). */
export class PgTrialStore implements TrialStore {
  constructor(
    private readonly pool: Pg,
    private readonly now: () => number = Date.now,
  ) {}

  async add(t: Pick<Trial, "pipelineId" | "type" | "liveVersion" | "spec">): Promise<Trial> {
    const trial = newTrial(t, this.now());
    await pgRun(this.pool, "INSERT INTO optimizer_trials (id, pipeline_id, type, status, live_version, spec, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)", [
      trial.id,
      t.pipelineId,
      t.type,
      trial.status,
      t.liveVersion,
      JSON.stringify(t.spec),
      trial.createdAt,
    ]);
    return trial;
  }

  async get(id: string): Promise<Trial | undefined> {
    const r = await pgRow<TrialRow>(this.pool, "SELECT * FROM optimizer_trials WHERE id = $1", [id]);
    return r ? toTrial(r) : undefined;
  }

  async list(filter: TrialFilter = {}): Promise<Trial[]> {
    const { sql: where, args } = whereClause(trialConditions(filter));
    const sql = `SELECT * FROM optimizer_trials ${numbered(where)} ORDER BY created_at DESC, seq DESC LIMIT $${args.length + 1}`;
    return (await pgRows<TrialRow>(this.pool, sql, [...args, pgLimit(trialLimit(filter))])).map(toTrial);
  }

  async finish(id: string, status: Exclude<TrialStatus, "measuring">, result: Record<string, unknown>): Promise<boolean> {
    // The condition is checked under the row lock: of two processes finishing one trial, one wins.
    const n = await pgRun(this.pool, "UPDATE optimizer_trials SET status = $1, result = $2, finished_at = $3 WHERE id = $4 AND status = 'measuring'", [
      status,
      JSON.stringify(result),
      this.now(),
      id,
    ]);
    return n > 0;
  }
}
