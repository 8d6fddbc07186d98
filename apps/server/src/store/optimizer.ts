import { randomUUID } from "node:crypto";
import { safeJsonParse } from "@braid/engine";
import { type Db, whereClause } from "./db.js";

export type PendingStatus = "pending" | "approved" | "rejected" | "stale";

/** An automatic action the policy holds for a person: promoting a candidate, or trying a suggested version as the candidate. */
export interface PendingAction {
  id: string;
  pipelineId: string;
  kind: "promote" | "suggestion";
  version: number;
  status: PendingStatus;
  reason: string;
  evidence: Record<string, unknown>;
  createdAt: number;
  decidedAt?: number;
  decidedBy?: string;
}

/** One optimizer cycle: what it measured and decided, per pipeline. The shape is the optimizer's (see optimizer/cycle.ts). */
export interface CycleRecord {
  id: number;
  at: number;
  record: Record<string, unknown>;
}

export interface OptimizerStore {
  addCycle(at: number, record: Record<string, unknown>): Promise<CycleRecord>;
  /** Newest first. */
  cycles(limit: number): Promise<CycleRecord[]>;
  addPending(a: Omit<PendingAction, "id" | "status" | "createdAt">): Promise<PendingAction>;
  pending(filter?: { pipelineId?: string; status?: PendingStatus; limit?: number }): Promise<PendingAction[]>;
  getPending(id: string): Promise<PendingAction | undefined>;
  /** Any action (whatever its status) for this pipeline version, so a version is queued at most once. */
  hasAction(pipelineId: string, version: number): Promise<boolean>;
  /** Only a pending action can be decided; false when it was not pending. */
  decide(id: string, status: Exclude<PendingStatus, "pending">, by: string): Promise<boolean>;
  /** The kill switch, kept in the database so a restart stays stopped. */
  stopped(): Promise<boolean>;
  setStopped(stopped: boolean): Promise<void>;
}

// Shared with the PostgreSQL store (pg/optimizer.ts): both schemas have the same columns.
export type PendingRow = {
  id: string;
  pipeline_id: string;
  kind: "promote" | "suggestion";
  version: number;
  status: PendingStatus;
  reason: string;
  evidence: string;
  created_at: number;
  decided_at: number | null;
  decided_by: string | null;
};

export const toPendingAction = (r: PendingRow): PendingAction => ({
  id: r.id,
  pipelineId: r.pipeline_id,
  kind: r.kind,
  version: r.version,
  status: r.status,
  reason: r.reason,
  evidence: safeJsonParse(r.evidence) as Record<string, unknown>,
  createdAt: r.created_at,
  ...(r.decided_at !== null ? { decidedAt: r.decided_at } : {}),
  ...(r.decided_by !== null ? { decidedBy: r.decided_by } : {}),
});

export type CycleRow = { id: number; at: number; record: string };
export const toCycle = (r: CycleRow): CycleRecord => ({ id: r.id, at: r.at, record: safeJsonParse(r.record) as Record<string, unknown> });

export type PendingFilter = { pipelineId?: string; status?: PendingStatus; limit?: number };

/** A new pending action as `addPending` stores and returns it. */
export const newPendingAction = (a: Omit<PendingAction, "id" | "status" | "createdAt">, now: number): PendingAction => ({
  ...a,
  id: `act_${randomUUID().slice(0, 12)}`,
  status: "pending",
  createdAt: now,
});

/** `pending`'s conditions, for whereClause, and its row limit. */
export const pendingConditions = (filter: PendingFilter): Array<[string, string | number | undefined]> => [
  ["pipeline_id = ?", filter.pipelineId],
  ["status = ?", filter.status],
];
export const pendingLimit = (filter: PendingFilter): number => Math.min(filter.limit ?? 100, 1000);

/** The meta key whose presence is the kill switch. */
export const STOPPED_KEY = "optimizer_stopped";

export class SqliteOptimizerStore implements OptimizerStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  async addCycle(at: number, record: Record<string, unknown>): Promise<CycleRecord> {
    const r = this.db.prepare("INSERT INTO optimizer_cycles (at, record) VALUES (?, ?)").run(at, JSON.stringify(record));
    return { id: Number(r.lastInsertRowid), at, record };
  }

  async cycles(limit: number): Promise<CycleRecord[]> {
    return (this.db.prepare("SELECT id, at, record FROM optimizer_cycles ORDER BY id DESC LIMIT ?").all(limit) as CycleRow[]).map(toCycle);
  }

  async addPending(a: Omit<PendingAction, "id" | "status" | "createdAt">): Promise<PendingAction> {
    const action = newPendingAction(a, this.now());
    this.db
      .prepare("INSERT INTO pending_actions (id, pipeline_id, kind, version, status, reason, evidence, created_at) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)")
      .run(action.id, a.pipelineId, a.kind, a.version, a.reason, JSON.stringify(a.evidence), action.createdAt);
    return action;
  }

  async pending(filter: PendingFilter = {}): Promise<PendingAction[]> {
    const { sql: where, args } = whereClause(pendingConditions(filter));
    const sql = `SELECT * FROM pending_actions ${where} ORDER BY created_at DESC, rowid DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, pendingLimit(filter)) as PendingRow[]).map(toPendingAction);
  }

  async getPending(id: string): Promise<PendingAction | undefined> {
    const r = this.db.prepare("SELECT * FROM pending_actions WHERE id = ?").get(id) as PendingRow | undefined;
    return r ? toPendingAction(r) : undefined;
  }

  async hasAction(pipelineId: string, version: number): Promise<boolean> {
    return this.db.prepare("SELECT 1 FROM pending_actions WHERE pipeline_id = ? AND version = ?").get(pipelineId, version) !== undefined;
  }

  async decide(id: string, status: Exclude<PendingStatus, "pending">, by: string): Promise<boolean> {
    return (
      this.db
        .prepare("UPDATE pending_actions SET status = ?, decided_at = ?, decided_by = ? WHERE id = ? AND status = 'pending'")
        .run(status, this.now(), by, id).changes > 0
    );
  }

  async stopped(): Promise<boolean> {
    return this.db.prepare("SELECT 1 FROM meta WHERE key = ?").get(STOPPED_KEY) !== undefined;
  }

  async setStopped(stopped: boolean): Promise<void> {
    if (stopped) this.db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES (?, '1')").run(STOPPED_KEY);
    else this.db.prepare("DELETE FROM meta WHERE key = ?").run(STOPPED_KEY);
  }
}
