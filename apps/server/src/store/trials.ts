import { randomUUID } from "node:crypto";
import { safeJsonParse } from "@braid/engine";
import { type Db, whereClause } from "./db.js";

export type TrialStatus = "measuring" | "suggested" | "nothing-found" | "failed";
export type TrialType = "prune" | "routing";

/**
 * A suggestion the optimizer is still measuring: the versions and experiments it started, read
 * back once they finish (optimizer/trials.ts). `spec` and `result` are the trial type's own shapes.
 */
export interface Trial {
  id: string;
  pipelineId: string;
  type: TrialType;
  status: TrialStatus;
  liveVersion: number;
  spec: Record<string, unknown>;
  result?: Record<string, unknown>;
  createdAt: number;
  finishedAt?: number;
}

export interface TrialStore {
  add(t: Pick<Trial, "pipelineId" | "type" | "liveVersion" | "spec">): Promise<Trial>;
  get(id: string): Promise<Trial | undefined>;
  /** Newest first. */
  list(filter?: { pipelineId?: string; status?: TrialStatus; limit?: number }): Promise<Trial[]>;
  /** Only a measuring trial finishes; false when it had already. */
  finish(id: string, status: Exclude<TrialStatus, "measuring">, result: Record<string, unknown>): Promise<boolean>;
}

// Shared with the PostgreSQL store (pg/trials.ts): both schemas have the same columns.
export type TrialRow = {
  id: string;
  pipeline_id: string;
  type: TrialType;
  status: TrialStatus;
  live_version: number;
  spec: string;
  result: string | null;
  created_at: number;
  finished_at: number | null;
};

export const toTrial = (r: TrialRow): Trial => ({
  id: r.id,
  pipelineId: r.pipeline_id,
  type: r.type,
  status: r.status,
  liveVersion: r.live_version,
  spec: safeJsonParse(r.spec) as Record<string, unknown>,
  ...(r.result !== null ? { result: safeJsonParse(r.result) as Record<string, unknown> } : {}),
  createdAt: r.created_at,
  ...(r.finished_at !== null ? { finishedAt: r.finished_at } : {}),
});

export type TrialFilter = { pipelineId?: string; status?: TrialStatus; limit?: number };

/** A new trial as `add` stores and returns it. */
export const newTrial = (t: Pick<Trial, "pipelineId" | "type" | "liveVersion" | "spec">, now: number): Trial => ({
  id: `trial_${randomUUID()}`,
  status: "measuring",
  createdAt: now,
  ...t,
});

/** `list`'s conditions, for whereClause, and its row limit. */
export const trialConditions = (filter: TrialFilter): Array<[string, string | number | undefined]> => [
  ["pipeline_id = ?", filter.pipelineId],
  ["status = ?", filter.status],
];
export const trialLimit = (filter: TrialFilter): number => filter.limit ?? 100;

export class SqliteTrialStore implements TrialStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  async add(t: Pick<Trial, "pipelineId" | "type" | "liveVersion" | "spec">): Promise<Trial> {
    const trial = newTrial(t, this.now());
    this.db
      .prepare("INSERT INTO optimizer_trials (id, pipeline_id, type, status, live_version, spec, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
      .run(trial.id, t.pipelineId, t.type, trial.status, t.liveVersion, JSON.stringify(t.spec), trial.createdAt);
    return trial;
  }

  async get(id: string): Promise<Trial | undefined> {
    const r = this.db.prepare("SELECT * FROM optimizer_trials WHERE id = ?").get(id) as TrialRow | undefined;
    return r ? toTrial(r) : undefined;
  }

  async list(filter: TrialFilter = {}): Promise<Trial[]> {
    const { sql: where, args } = whereClause(trialConditions(filter));
    const sql = `SELECT * FROM optimizer_trials ${where} ORDER BY created_at DESC, rowid DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, trialLimit(filter)) as TrialRow[]).map(toTrial);
  }

  async finish(id: string, status: Exclude<TrialStatus, "measuring">, result: Record<string, unknown>): Promise<boolean> {
    const r = this.db
      .prepare("UPDATE optimizer_trials SET status = ?, result = ?, finished_at = ? WHERE id = ? AND status = 'measuring'")
      .run(status, JSON.stringify(result), this.now(), id);
    return r.changes > 0;
  }
}
