import { type AuditAction, safeJsonParse } from "@braid/engine";
import { type Db, whereClause } from "./db.js";

export { AUDIT_ACTIONS, type AuditAction } from "@braid/engine";

export interface AuditEntry {
  id: number;
  at: number;
  /** Who did it: `local` (the token carries no name), or `optimizer` for automatic actions. */
  actor: string;
  action: AuditAction;
  pipelineId?: string;
  reason: string;
  /** What the action rests on: metrics, gate results, versions. */
  evidence: Record<string, unknown>;
}

export interface AuditFilter {
  pipelineId?: string;
  action?: AuditAction;
  /** Entries with a larger id only (paging forward). */
  afterId?: number;
  limit?: number;
}

/**
 * The append-only audit trail. There is no update or delete here, and the table's triggers refuse
 * both, so not even a bug elsewhere in the server can rewrite history.
 */
export interface AuditStore {
  append(entry: Omit<AuditEntry, "id" | "at">): Promise<AuditEntry>;
  /** Newest first. */
  list(filter?: AuditFilter): Promise<AuditEntry[]>;
}

export const MAX_AUDIT_LIMIT = 10_000;

// Shared with the PostgreSQL store (pg/audit.ts): both schemas have the same columns.
export type AuditRow = { id: number; at: number; actor: string; action: AuditAction; pipeline_id: string | null; reason: string; evidence: string };

export const toAuditEntry = (r: AuditRow): AuditEntry => ({
  id: r.id,
  at: r.at,
  actor: r.actor,
  action: r.action,
  ...(r.pipeline_id !== null ? { pipelineId: r.pipeline_id } : {}),
  reason: r.reason,
  evidence: safeJsonParse(r.evidence) as Record<string, unknown>,
});

/** `list`'s conditions, for whereClause, and its row limit. */
export const auditConditions = (filter: AuditFilter): Array<[string, string | number | undefined]> => [
  ["pipeline_id = ?", filter.pipelineId],
  ["action = ?", filter.action],
  ["id > ?", filter.afterId],
];
export const auditLimit = (filter: AuditFilter): number => Math.min(filter.limit ?? 100, MAX_AUDIT_LIMIT);

/** The stored columns of an entry after `at`: actor, action, pipeline_id, reason, evidence. */
export const auditValues = (entry: Omit<AuditEntry, "id" | "at">) =>
  [entry.actor, entry.action, entry.pipelineId ?? null, entry.reason, JSON.stringify(entry.evidence)] as const;

export class SqliteAuditStore implements AuditStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  async append(entry: Omit<AuditEntry, "id" | "at">): Promise<AuditEntry> {
    const at = this.now();
    const r = this.db
      .prepare("INSERT INTO audit_log (at, actor, action, pipeline_id, reason, evidence) VALUES (?, ?, ?, ?, ?, ?)")
      .run(at, ...auditValues(entry));
    return { id: Number(r.lastInsertRowid), at, ...entry };
  }

  async list(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    const { sql: where, args } = whereClause(auditConditions(filter));
    const sql = `SELECT * FROM audit_log ${where} ORDER BY id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, auditLimit(filter)) as AuditRow[]).map(toAuditEntry);
  }
}
