import { type Pipeline, safeJsonParse } from "@braid/engine";
import {
  BasePipelineStore,
  type ListOptions,
  type PipelineRow,
  type PipelineStore,
  type PipelineSummary,
  type PipelineVersion,
  freeName,
  slug,
  toSummary,
  toVersion,
} from "../pipelines.js";
import { type Pg, row, rows, transaction } from "./db.js";
import { fromPgText, fromPgTextOrNull, toPgText } from "./sql.js";

// The key of the advisory lock that makes new pipelines take their names and ids one at a time.
const NEW_PIPELINE_LOCK = 5_116_002;
const INT4_MAX = 2 ** 31 - 1;

const decode = (r: PipelineRow): PipelineRow => ({ ...r, id: fromPgText(r.id), name: fromPgText(r.name) });

const cutAtNul = (s: string): string => {
  const i = s.indexOf("\u0000");
  return i < 0 ? s : s.slice(0, i);
};
const asciiLower = (s: string): string => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());

/**
 * SQLite's `lower(text) LIKE '%query%'`, which the SQLite store's search is: its lower() and LIKE
 * fold ASCII letters only (no ICU), and LIKE reads both strings only up to a NUL, so a query with
 * a NUL loses its closing `%` and matches at the end only. PostgreSQL's lower() folds all of
 * Unicode, so the search runs here to find exactly what the SQLite store finds.
 */
function sqliteContains(text: string, query: string): boolean {
  const lowered = query.toLowerCase();
  const hay = asciiLower(cutAtNul(text));
  const needle = asciiLower(cutAtNul(lowered));
  return lowered.includes("\u0000") ? hay.endsWith(needle) : hay.includes(needle);
}

export class PgPipelineStore extends BasePipelineStore implements PipelineStore {
  constructor(
    private readonly pool: Pg,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  async list(opts: ListOptions = {}): Promise<PipelineSummary[]> {
    const sql = opts.deleted
      ? "SELECT * FROM pipelines WHERE deleted_at IS NOT NULL ORDER BY deleted_at DESC"
      : "SELECT * FROM pipelines WHERE deleted_at IS NULL ORDER BY updated_at DESC";
    const all = (await rows<PipelineRow>(this.pool, sql)).map(decode);
    const query = opts.query?.trim();
    return (query ? all.filter((r) => sqliteContains(r.name, query) || sqliteContains(r.id, query)) : all).map(toSummary);
  }

  async get(id: string, version?: number) {
    // SQLite finds no version 1.5 or 2^40; PostgreSQL would fail on them as INTEGER parameters.
    if (version !== undefined && !(Number.isInteger(version) && Math.abs(version) <= INT4_MAX)) return undefined;
    const r = await row<PipelineRow & { doc: string | null }>(
      this.pool,
      `SELECT p.*, v.doc FROM pipelines p
       LEFT JOIN pipeline_versions v ON v.pipeline_id = p.id AND v.version = COALESCE($2::integer, p.current_version)
       WHERE p.id = $1 AND p.deleted_at IS NULL`,
      [toPgText(id), version ?? null],
    );
    if (!r || r.doc === null) return undefined;
    const { doc, ...summary } = r;
    return { summary: toSummary(decode(summary)), pipeline: safeJsonParse(doc) as Pipeline, version: version ?? r.current_version };
  }

  async save(input: Pipeline, opts: { id?: string; message?: string } = {}): Promise<PipelineSummary> {
    const now = this.now();
    const message = opts.message === undefined ? null : toPgText(opts.message);
    if (opts.id) {
      // One statement: the upsert takes the row lock, so a concurrent save of the same pipeline waits
      // and then numbers its version after this one; no duplicate, none lost.
      const r = await row<PipelineRow>(
        this.pool,
        `WITH p AS (
           INSERT INTO pipelines (id, name, current_version, created_at, updated_at) VALUES ($1, $2, 1, $3, $3)
           ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, current_version = pipelines.current_version + 1, updated_at = EXCLUDED.updated_at, deleted_at = NULL
           RETURNING *
         ), v AS (
           INSERT INTO pipeline_versions (pipeline_id, version, doc, message, created_at) SELECT id, current_version, $4, $5, $3 FROM p
         )
         SELECT * FROM p`,
        [toPgText(opts.id), toPgText(input.name), now, JSON.stringify(input), message],
      );
      return toSummary(decode(r as PipelineRow));
    }
    return transaction(this.pool, async (c) => {
      // Without the lock, two servers creating "Smart routing" at once would both find the name free.
      await c.query("SELECT pg_advisory_xact_lock($1)", [NEW_PIPELINE_LOCK]);
      const live = await rows<{ name: string }>(c, "SELECT name FROM pipelines WHERE deleted_at IS NULL");
      const doc = {
        ...input,
        name: freeName(
          input.name,
          live.map((r) => fromPgText(r.name)),
        ),
      };
      const base = slug(doc.name);
      // An id saved explicitly (no lock) may appear meanwhile: ON CONFLICT moves on to the next one.
      for (let i = 2, id = base; ; id = `${base}-${i++}`) {
        const r = await row<PipelineRow>(
          c,
          "INSERT INTO pipelines (id, name, current_version, created_at, updated_at) VALUES ($1, $2, 1, $3, $3) ON CONFLICT (id) DO NOTHING RETURNING *",
          [id, toPgText(doc.name), now],
        );
        if (!r) continue;
        await c.query("INSERT INTO pipeline_versions (pipeline_id, version, doc, message, created_at) VALUES ($1, 1, $2, $3, $4)", [
          id,
          JSON.stringify(doc),
          message,
          now,
        ]);
        return toSummary(decode(r));
      }
    });
  }

  async delete(id: string): Promise<boolean> {
    const r = await this.pool.query("UPDATE pipelines SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL", [this.now(), toPgText(id)]);
    return (r.rowCount ?? 0) > 0;
  }

  async undelete(id: string): Promise<boolean> {
    const r = await this.pool.query("UPDATE pipelines SET deleted_at = NULL WHERE id = $1 AND deleted_at IS NOT NULL", [toPgText(id)]);
    return (r.rowCount ?? 0) > 0;
  }

  async versions(id: string): Promise<PipelineVersion[]> {
    const found = await rows<{ version: number; doc: string; message: string | null; created_at: number }>(
      this.pool,
      "SELECT version, doc, message, created_at FROM pipeline_versions WHERE pipeline_id = $1 ORDER BY version DESC",
      [toPgText(id)],
    );
    return found.map((r) => toVersion({ ...r, message: fromPgTextOrNull(r.message) }));
  }
}
