import { type Pipeline, safeJsonParse } from "@braid/engine";
import { type Db, writeTransaction } from "./db.js";

export interface PipelineSummary {
  id: string;
  name: string;
  version: number;
  createdAt: number;
  updatedAt: number;
  /** Set on pipelines in the bin (deleted, restorable). */
  deletedAt?: number;
}

export interface ListOptions {
  /** Case-insensitive substring of the name or id. */
  query?: string;
  /** The bin instead of the live pipelines. */
  deleted?: boolean;
}

export interface PipelineVersion {
  version: number;
  name: string;
  message?: string;
  createdAt: number;
}

/** Saved pipelines with a version per save; deletes are soft so runs keep their history. */
export interface PipelineStore {
  list(opts?: ListOptions): Promise<PipelineSummary[]>;
  get(id: string, version?: number): Promise<{ summary: PipelineSummary; pipeline: Pipeline; version: number } | undefined>;
  save(doc: Pipeline, opts?: { id?: string; message?: string }): Promise<PipelineSummary>;
  delete(id: string): Promise<boolean>;
  /** Takes a pipeline out of the bin; false when it is not there. */
  undelete(id: string): Promise<boolean>;
  /** A new version with only the name changed. */
  rename(id: string, name: string): Promise<PipelineSummary | undefined>;
  /** A new pipeline (its own id, version 1) with the current version's content. */
  duplicate(id: string, name?: string): Promise<PipelineSummary | undefined>;
  versions(id: string): Promise<PipelineVersion[]>;
  restore(id: string, version: number): Promise<PipelineSummary | undefined>;
}

/** A new pipeline's id from its name. */
export const slug = (name: string): string =>
  name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40) || "pipeline";

/** A `pipelines` row as both dialects read it. */
export type PipelineRow = { id: string; name: string; current_version: number; created_at: number; updated_at: number; deleted_at?: number | null };
export const toSummary = (r: PipelineRow): PipelineSummary => ({
  id: r.id,
  name: r.name,
  version: r.current_version,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  ...(r.deleted_at ? { deletedAt: r.deleted_at } : {}),
});
/** LIKE with the user's text taken literally. */
const likePattern = (q: string): string => `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** A new pipeline never takes the name of a live one: the second "Smart routing" becomes "Smart routing (2)". */
export function freeName(name: string, liveNames: Iterable<string>): string {
  const taken = new Set([...liveNames].map((n) => n.toLowerCase()));
  if (!taken.has(name.toLowerCase())) return name;
  const stem = name.replace(/ \(\d+\)$/, "");
  for (let i = 2; ; i++) if (!taken.has(`${stem} (${i})`.toLowerCase())) return `${stem} (${i})`;
}

export const toVersion = (r: { version: number; doc: string; message: string | null; created_at: number }): PipelineVersion => {
  const v: PipelineVersion = { version: r.version, name: (safeJsonParse(r.doc) as Pipeline).name, createdAt: r.created_at };
  if (r.message) v.message = r.message;
  return v;
};

/** What every dialect builds the same way on top of its own `get` and `save`. */
export abstract class BasePipelineStore implements PipelineStore {
  abstract list(opts?: ListOptions): Promise<PipelineSummary[]>;
  abstract get(id: string, version?: number): Promise<{ summary: PipelineSummary; pipeline: Pipeline; version: number } | undefined>;
  abstract save(doc: Pipeline, opts?: { id?: string; message?: string }): Promise<PipelineSummary>;
  abstract delete(id: string): Promise<boolean>;
  abstract undelete(id: string): Promise<boolean>;
  abstract versions(id: string): Promise<PipelineVersion[]>;

  async rename(id: string, name: string): Promise<PipelineSummary | undefined> {
    const cur = await this.get(id);
    if (!cur) return undefined;
    if (cur.pipeline.name === name) return cur.summary;
    return this.save({ ...cur.pipeline, name }, { id, message: `renamed from ${JSON.stringify(cur.pipeline.name)}` });
  }

  async duplicate(id: string, name?: string): Promise<PipelineSummary | undefined> {
    const cur = await this.get(id);
    if (!cur) return undefined;
    return this.save({ ...cur.pipeline, name: name ?? `${cur.pipeline.name} (copy)` }, { message: `copied from ${id} version ${cur.version}` });
  }

  /** Restoring makes the old content the newest version, so history is never rewritten. */
  async restore(id: string, version: number): Promise<PipelineSummary | undefined> {
    const old = await this.get(id, version);
    if (!old) return undefined;
    return this.save(old.pipeline, { id, message: `restored version ${version}` });
  }
}

export class SqlitePipelineStore extends BasePipelineStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  async list(opts: ListOptions = {}): Promise<PipelineSummary[]> {
    const where = [opts.deleted ? "deleted_at IS NOT NULL" : "deleted_at IS NULL"];
    const args: string[] = [];
    if (opts.query?.trim()) {
      where.push("(lower(name) LIKE ? ESCAPE '\\' OR lower(id) LIKE ? ESCAPE '\\')");
      const pattern = likePattern(opts.query.trim());
      args.push(pattern, pattern);
    }
    const sql = `SELECT * FROM pipelines WHERE ${where.join(" AND ")} ORDER BY ${opts.deleted ? "deleted_at" : "updated_at"} DESC`;
    return (this.db.prepare(sql).all(...args) as PipelineRow[]).map(toSummary);
  }

  private row(id: string): PipelineRow | undefined {
    return this.db.prepare("SELECT * FROM pipelines WHERE id = ? AND deleted_at IS NULL").get(id) as PipelineRow | undefined;
  }

  async get(id: string, version?: number) {
    const row = this.row(id);
    if (!row) return undefined;
    const v = version ?? row.current_version;
    const doc = this.db.prepare("SELECT doc FROM pipeline_versions WHERE pipeline_id = ? AND version = ?").get(id, v) as { doc: string } | undefined;
    if (!doc) return undefined;
    return { summary: toSummary(row), pipeline: safeJsonParse(doc.doc) as Pipeline, version: v };
  }

  async save(input: Pipeline, opts: { id?: string; message?: string } = {}): Promise<PipelineSummary> {
    const now = this.now();
    return writeTransaction(this.db, () => {
      let doc = input;
      let id = opts.id;
      let existing = id
        ? (this.db.prepare("SELECT * FROM pipelines WHERE id = ?").get(id) as (PipelineRow & { deleted_at: number | null }) | undefined)
        : undefined;
      if (!id) {
        // A new pipeline never takes the name of a live one: the second "Smart routing" becomes "Smart routing (2)".
        doc = { ...doc, name: this.freeName(doc.name) };
        const base = slug(doc.name);
        id = base;
        for (let i = 2; this.db.prepare("SELECT 1 FROM pipelines WHERE id = ?").get(id); i++) id = `${base}-${i}`;
        existing = undefined;
      }
      const version = existing ? existing.current_version + 1 : 1;
      if (existing) {
        this.db.prepare("UPDATE pipelines SET name = ?, current_version = ?, updated_at = ?, deleted_at = NULL WHERE id = ?").run(doc.name, version, now, id);
      } else {
        this.db
          .prepare("INSERT INTO pipelines (id, name, current_version, created_at, updated_at) VALUES (?, ?, ?, ?, ?)")
          .run(id, doc.name, version, now, now);
      }
      this.db
        .prepare("INSERT INTO pipeline_versions (pipeline_id, version, doc, message, created_at) VALUES (?, ?, ?, ?, ?)")
        .run(id, version, JSON.stringify(doc), opts.message ?? null, now);
      return toSummary(this.row(id) as PipelineRow);
    });
  }

  private freeName(name: string): string {
    return freeName(
      name,
      (this.db.prepare("SELECT name FROM pipelines WHERE deleted_at IS NULL").all() as Array<{ name: string }>).map((r) => r.name),
    );
  }

  async delete(id: string): Promise<boolean> {
    return this.db.prepare("UPDATE pipelines SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL").run(this.now(), id).changes > 0;
  }

  async undelete(id: string): Promise<boolean> {
    return this.db.prepare("UPDATE pipelines SET deleted_at = NULL WHERE id = ? AND deleted_at IS NOT NULL").run(id).changes > 0;
  }

  async versions(id: string): Promise<PipelineVersion[]> {
    const rows = this.db
      .prepare("SELECT version, doc, message, created_at FROM pipeline_versions WHERE pipeline_id = ? ORDER BY version DESC")
      .all(id) as Array<{ version: number; doc: string; message: string | null; created_at: number }>;
    return rows.map(toVersion);
  }
}
