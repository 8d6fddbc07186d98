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
  add(t: Pick<Trial, "pipelineId" | "type" | "liveVersion" | "spec">): Trial;
  get(id: string): Trial | undefined;
  /** Newest first. */
  list(filter?: { pipelineId?: string; status?: TrialStatus; limit?: number }): Trial[];
  /** Only a measuring trial finishes; false when it had already. */
  finish(id: string, status: Exclude<TrialStatus, "measuring">, result: Record<string, unknown>): boolean;
}

type Row = {
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

const fromRow = (r: Row): Trial => ({
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

export class SqliteTrialStore implements TrialStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  add(t: Pick<Trial, "pipelineId" | "type" | "liveVersion" | "spec">): Trial {
    const trial: Trial = { id: `trial_${randomUUID()}`, status: "measuring", createdAt: this.now(), ...t };
    this.db
      .prepare("INSERT INTO optimizer_trials (id, pipeline_id, type, status, live_version, spec, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
      .run(trial.id, t.pipelineId, t.type, trial.status, t.liveVersion, JSON.stringify(t.spec), trial.createdAt);
    return trial;
  }

  get(id: string): Trial | undefined {
    const r = this.db.prepare("SELECT * FROM optimizer_trials WHERE id = ?").get(id) as Row | undefined;
    return r ? fromRow(r) : undefined;
  }

  list(filter: { pipelineId?: string; status?: TrialStatus; limit?: number } = {}): Trial[] {
    const { sql: where, args } = whereClause([
      ["pipeline_id = ?", filter.pipelineId],
      ["status = ?", filter.status],
    ]);
    const sql = `SELECT * FROM optimizer_trials ${where} ORDER BY created_at DESC, rowid DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, filter.limit ?? 100) as Row[]).map(fromRow);
  }

  finish(id: string, status: Exclude<TrialStatus, "measuring">, result: Record<string, unknown>): boolean {
    const r = this.db
      .prepare("UPDATE optimizer_trials SET status = ?, result = ?, finished_at = ? WHERE id = ? AND status = 'measuring'")
      .run(status, JSON.stringify(result), this.now(), id);
    return r.changes > 0;
  }
}
