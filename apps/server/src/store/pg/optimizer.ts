import { whereClause } from "../db.js";
import {
  type CycleRecord,
  type CycleRow,
  type OptimizerStore,
  type PendingAction,
  type PendingFilter,
  type PendingRow,
  type PendingStatus,
  STOPPED_KEY,
  newPendingAction,
  pendingConditions,
  pendingLimit,
  toCycle,
  toPendingAction,
} from "../optimizer.js";
import { numbered, pgLimit, pgRow, pgRows, pgRun } from "./sql.js";
import type { Pg } from "./db.js";

/** The optimizer's cycles, pending actions and kill switch in PostgreSQL; the same rules as SqliteOptimizerStore (store/optimizer.ts). */
export class PgOptimizerStore implements OptimizerStore {
  constructor(
    private readonly pool: Pg,
    private readonly now: () => number = Date.now,
  ) {}

  async addCycle(at: number, record: Record<string, unknown>): Promise<CycleRecord> {
    const r = await pgRow<{ id: number }>(this.pool, "INSERT INTO optimizer_cycles (at, record) VALUES ($1, $2) RETURNING id", [at, JSON.stringify(record)]);
    return { id: (r as { id: number }).id, at, record };
  }

  async cycles(limit: number): Promise<CycleRecord[]> {
    return (await pgRows<CycleRow>(this.pool, "SELECT id, at, record FROM optimizer_cycles ORDER BY id DESC LIMIT $1", [pgLimit(limit)])).map(toCycle);
  }

  async addPending(a: Omit<PendingAction, "id" | "status" | "createdAt">): Promise<PendingAction> {
    const action = newPendingAction(a, this.now());
    await pgRun(
      this.pool,
      "INSERT INTO pending_actions (id, pipeline_id, kind, version, status, reason, evidence, created_at) VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7)",
      [action.id, a.pipelineId, a.kind, a.version, a.reason, JSON.stringify(a.evidence), action.createdAt],
    );
    return action;
  }

  async pending(filter: PendingFilter = {}): Promise<PendingAction[]> {
    const { sql: where, args } = whereClause(pendingConditions(filter));
    const sql = `SELECT * FROM pending_actions ${numbered(where)} ORDER BY created_at DESC, seq DESC LIMIT $${args.length + 1}`;
    return (await pgRows<PendingRow>(this.pool, sql, [...args, pgLimit(pendingLimit(filter))])).map(toPendingAction);
  }

  async getPending(id: string): Promise<PendingAction | undefined> {
    const r = await pgRow<PendingRow>(this.pool, "SELECT * FROM pending_actions WHERE id = $1", [id]);
    return r ? toPendingAction(r) : undefined;
  }

  async hasAction(pipelineId: string, version: number): Promise<boolean> {
    return (await pgRun(this.pool, "SELECT 1 FROM pending_actions WHERE pipeline_id = $1 AND version = $2 LIMIT 1", [pipelineId, version])) > 0;
  }

  async decide(id: string, status: Exclude<PendingStatus, "pending">, by: string): Promise<boolean> {
    // A second process deciding the same action waits for the first's row lock, then finds it no
    // longer pending: exactly one of them gets true.
    const n = await pgRun(this.pool, "UPDATE pending_actions SET status = $1, decided_at = $2, decided_by = $3 WHERE id = $4 AND status = 'pending'", [
      status,
      this.now(),
      by,
      id,
    ]);
    return n > 0;
  }

  async stopped(): Promise<boolean> {
    return (await pgRun(this.pool, "SELECT 1 FROM meta WHERE key = $1", [STOPPED_KEY])) > 0;
  }

  async setStopped(stopped: boolean): Promise<void> {
    if (stopped) await pgRun(this.pool, "INSERT INTO meta (key, value) VALUES ($1, '1') ON CONFLICT (key) DO NOTHING", [STOPPED_KEY]);
    else await pgRun(this.pool, "DELETE FROM meta WHERE key = $1", [STOPPED_KEY]);
  }
}
