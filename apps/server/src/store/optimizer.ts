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
  addCycle(at: number, record: Record<string, unknown>): CycleRecord;
  /** Newest first. */
  cycles(limit: number): CycleRecord[];
  addPending(a: Omit<PendingAction, "id" | "status" | "createdAt">): PendingAction;
  pending(filter?: { pipelineId?: string; status?: PendingStatus; limit?: number }): PendingAction[];
  getPending(id: string): PendingAction | undefined;
  /** Any action (whatever its status) for this pipeline version, so a version is queued at most once. */
  hasAction(pipelineId: string, version: number): boolean;
  /** Only a pending action can be decided; false when it was not pending. */
  decide(id: string, status: Exclude<PendingStatus, "pending">, by: string): boolean;
  /** The kill switch, kept in the database so a restart stays stopped. */
  stopped(): boolean;
  setStopped(stopped: boolean): void;
}

type PendingRow = {
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

const fromRow = (r: PendingRow): PendingAction => ({
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

export class SqliteOptimizerStore implements OptimizerStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  addCycle(at: number, record: Record<string, unknown>): CycleRecord {
    const r = this.db.prepare("INSERT INTO optimizer_cycles (at, record) VALUES (?, ?)").run(at, JSON.stringify(record));
    return { id: Number(r.lastInsertRowid), at, record };
  }

  cycles(limit: number): CycleRecord[] {
    const rows = this.db.prepare("SELECT id, at, record FROM optimizer_cycles ORDER BY id DESC LIMIT ?").all(limit) as Array<{
      id: number;
      at: number;
      record: string;
    }>;
    return rows.map((r) => ({ id: r.id, at: r.at, record: safeJsonParse(r.record) as Record<string, unknown> }));
  }

  addPending(a: Omit<PendingAction, "id" | "status" | "createdAt">): PendingAction {
    const action: PendingAction = { ...a, id: `act_${randomUUID().slice(0, 12)}`, status: "pending", createdAt: this.now() };
    this.db
      .prepare("INSERT INTO pending_actions (id, pipeline_id, kind, version, status, reason, evidence, created_at) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)")
      .run(action.id, a.pipelineId, a.kind, a.version, a.reason, JSON.stringify(a.evidence), action.createdAt);
    return action;
  }

  pending(filter: { pipelineId?: string; status?: PendingStatus; limit?: number } = {}): PendingAction[] {
    const { sql: where, args } = whereClause([
      ["pipeline_id = ?", filter.pipelineId],
      ["status = ?", filter.status],
    ]);
    const sql = `SELECT * FROM pending_actions ${where} ORDER BY created_at DESC, rowid DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, Math.min(filter.limit ?? 100, 1000)) as PendingRow[]).map(fromRow);
  }

  getPending(id: string): PendingAction | undefined {
    const r = this.db.prepare("SELECT * FROM pending_actions WHERE id = ?").get(id) as PendingRow | undefined;
    return r ? fromRow(r) : undefined;
  }

  hasAction(pipelineId: string, version: number): boolean {
    return this.db.prepare("SELECT 1 FROM pending_actions WHERE pipeline_id = ? AND version = ?").get(pipelineId, version) !== undefined;
  }

  decide(id: string, status: Exclude<PendingStatus, "pending">, by: string): boolean {
    return (
      this.db
        .prepare("UPDATE pending_actions SET status = ?, decided_at = ?, decided_by = ? WHERE id = ? AND status = 'pending'")
        .run(status, this.now(), by, id).changes > 0
    );
  }

  stopped(): boolean {
    return this.db.prepare("SELECT 1 FROM meta WHERE key = 'optimizer_stopped'").get() !== undefined;
  }

  setStopped(stopped: boolean): void {
    if (stopped) this.db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('optimizer_stopped', '1')").run();
    else this.db.prepare("DELETE FROM meta WHERE key = 'optimizer_stopped'").run();
  }
}
