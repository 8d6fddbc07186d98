import { randomBytes } from "node:crypto";
import { type DatasetFormat, type DatasetRecord, datasetHash, safeJsonParse } from "@braid/engine";
import { type Db, writeTransaction } from "./db.js";

/**
 * Evaluation datasets with versions. A version is immutable: its records (as parsed, canonical
 * JSON), their content hash and the format they came in. Uploading to a dataset makes version
 * N+1, except when the records hash the same as the current version: then nothing is written and
 * the current version comes back with `created: false` (re-uploading a file is a no-op, so
 * experiments keep pairing on one version). A hash equal to an older version is a new version
 * (going back is a change too).
 */
export interface DatasetSummary {
  id: string;
  name: string;
  version: number;
  records: number;
  hash: string;
  createdAt: number;
  updatedAt: number;
}

export interface DatasetVersionInfo {
  version: number;
  hash: string;
  format: DatasetFormat;
  records: number;
  message?: string;
  createdAt: number;
}

export interface DatasetVersion extends DatasetVersionInfo {
  datasetId: string;
  name: string;
  data: DatasetRecord[];
}

export interface DatasetStore {
  list(): Promise<DatasetSummary[]>;
  summary(id: string): Promise<DatasetSummary | undefined>;
  /** One version (default: the current one) with its records. */
  get(id: string, version?: number): Promise<DatasetVersion | undefined>;
  versions(id: string): Promise<DatasetVersionInfo[]>;
  create(name: string, format: DatasetFormat, records: DatasetRecord[], message?: string): Promise<DatasetSummary>;
  /** A new version unless the records equal the current version's. */
  addVersion(id: string, format: DatasetFormat, records: DatasetRecord[], message?: string): Promise<{ summary: DatasetSummary; created: boolean } | undefined>;
  /** False when there is no such dataset. Throws DatasetInUseError when experiments ran over it. */
  delete(id: string): Promise<boolean>;
  /** How many experiments use the dataset. */
  usedBy(id: string): Promise<number>;
}

// Shared with the PostgreSQL store (pg/datasets.ts): both schemas have the same columns.
export type DatasetRow = { id: string; name: string; current_version: number; created_at: number; updated_at: number; hash: string; record_count: number };
export type DatasetVersionRow = { version: number; hash: string; format: DatasetFormat; record_count: number; message: string | null; created_at: number };

export const toDatasetSummary = (r: DatasetRow): DatasetSummary => ({
  id: r.id,
  name: r.name,
  version: r.current_version,
  records: r.record_count,
  hash: r.hash,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
export const toDatasetVersionInfo = (r: DatasetVersionRow): DatasetVersionInfo => ({
  version: r.version,
  hash: r.hash,
  format: r.format,
  records: r.record_count,
  ...(r.message ? { message: r.message } : {}),
  createdAt: r.created_at,
});

/** One stored version with its records, as `get` returns it. */
export const toDatasetVersion = (r: DatasetVersionRow & { records: string }, s: DatasetSummary): DatasetVersion => ({
  ...toDatasetVersionInfo(r),
  datasetId: s.id,
  name: s.name,
  data: safeJsonParse(r.records) as DatasetRecord[],
});

/** The stored columns of a new version, in `INSERT_VERSION_COLUMNS` order after dataset_id and version. */
export const versionValues = (format: DatasetFormat, records: DatasetRecord[], message: string | undefined, now: number) =>
  [datasetHash(records), format, records.length, JSON.stringify(records), message ?? null, now] as const;

export const INSERT_VERSION_COLUMNS = "dataset_id, version, hash, format, record_count, records, message, created_at";

export const newDatasetId = () => `ds_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;

export const DATASET_SUMMARY_SQL =
  "SELECT d.*, v.hash, v.record_count FROM datasets d JOIN dataset_versions v ON v.dataset_id = d.id AND v.version = d.current_version";

export class SqliteDatasetStore implements DatasetStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  async list(): Promise<DatasetSummary[]> {
    return (this.db.prepare(`${DATASET_SUMMARY_SQL} ORDER BY d.updated_at DESC`).all() as DatasetRow[]).map(toDatasetSummary);
  }

  async summary(id: string): Promise<DatasetSummary | undefined> {
    return this.summaryOf(id);
  }

  private summaryOf(id: string): DatasetSummary | undefined {
    const r = this.db.prepare(`${DATASET_SUMMARY_SQL} WHERE d.id = ?`).get(id) as DatasetRow | undefined;
    return r ? toDatasetSummary(r) : undefined;
  }

  async get(id: string, version?: number): Promise<DatasetVersion | undefined> {
    const s = this.summaryOf(id);
    if (!s) return undefined;
    const r = this.db.prepare("SELECT * FROM dataset_versions WHERE dataset_id = ? AND version = ?").get(id, version ?? s.version) as
      | (DatasetVersionRow & { records: string })
      | undefined;
    return r ? toDatasetVersion(r, s) : undefined;
  }

  async versions(id: string): Promise<DatasetVersionInfo[]> {
    const rows = this.db
      .prepare("SELECT version, hash, format, record_count, message, created_at FROM dataset_versions WHERE dataset_id = ? ORDER BY version DESC")
      .all(id) as DatasetVersionRow[];
    return rows.map(toDatasetVersionInfo);
  }

  async create(name: string, format: DatasetFormat, records: DatasetRecord[], message?: string): Promise<DatasetSummary> {
    const id = newDatasetId();
    const now = this.now();
    writeTransaction(this.db, () => {
      this.db.prepare("INSERT INTO datasets (id, name, current_version, created_at, updated_at) VALUES (?, ?, 1, ?, ?)").run(id, name, now, now);
      this.insertVersion(id, 1, format, records, message, now);
    });
    return this.summaryOf(id) as DatasetSummary;
  }

  async addVersion(id: string, format: DatasetFormat, records: DatasetRecord[], message?: string) {
    return writeTransaction(this.db, () => {
      const cur = this.summaryOf(id);
      if (!cur) return undefined;
      if (cur.hash === datasetHash(records)) return { summary: cur, created: false };
      const now = this.now();
      this.insertVersion(id, cur.version + 1, format, records, message, now);
      this.db.prepare("UPDATE datasets SET current_version = ?, updated_at = ? WHERE id = ?").run(cur.version + 1, now, id);
      return { summary: this.summaryOf(id) as DatasetSummary, created: true };
    });
  }

  async usedBy(id: string): Promise<number> {
    return this.usedByCount(id);
  }

  private usedByCount(id: string): number {
    return (this.db.prepare("SELECT count(*) AS n FROM experiments WHERE dataset_id = ?").get(id) as { n: number }).n;
  }

  async delete(id: string): Promise<boolean> {
    const used = this.usedByCount(id);
    if (used > 0) throw new DatasetInUseError(id, used);
    return this.db.prepare("DELETE FROM datasets WHERE id = ?").run(id).changes > 0;
  }

  private insertVersion(id: string, version: number, format: DatasetFormat, records: DatasetRecord[], message: string | undefined, now: number): void {
    this.db
      .prepare(`INSERT INTO dataset_versions (${INSERT_VERSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(id, version, ...versionValues(format, records, message, now));
  }
}

/** Experiments keep pointing at their dataset version, so a dataset they ran over stays (HTTP 409). */
export class DatasetInUseError extends Error {
  constructor(
    readonly datasetId: string,
    readonly experiments: number,
  ) {
    super(`dataset "${datasetId}" is used by ${experiments} experiment${experiments === 1 ? "" : "s"}; delete them first`);
  }
}
