import { type AuditEntry, type AuditFilter, type AuditRow, type AuditStore, auditConditions, auditLimit, auditValues, toAuditEntry } from "../audit.js";
import { whereClause } from "../db.js";
import type { Pg } from "./db.js";
import { pgLimit, pgRow, pgRows, numbered } from "./sql.js";

/** The append-only audit trail; the table's triggers refuse UPDATE, DELETE and TRUNCATE (pg/migrations.ts). */
export class PgAuditStore implements AuditStore {
  constructor(
    private readonly pool: Pg,
    private readonly now: () => number = Date.now,
  ) {}

  async append(entry: Omit<AuditEntry, "id" | "at">): Promise<AuditEntry> {
    const at = this.now();
    const r = await pgRow<{ id: number }>(
      this.pool,
      "INSERT INTO audit_log (at, actor, action, pipeline_id, reason, evidence) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
      [at, ...auditValues(entry)],
    );
    return { id: (r as { id: number }).id, at, ...entry };
  }

  async list(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    const { sql: where, args } = whereClause(auditConditions(filter));
    const sql = `SELECT * FROM audit_log ${numbered(where)} ORDER BY id DESC LIMIT $${args.length + 1}`;
    return (await pgRows<AuditRow>(this.pool, sql, [...args, pgLimit(auditLimit(filter))])).map(toAuditEntry);
  }
}
