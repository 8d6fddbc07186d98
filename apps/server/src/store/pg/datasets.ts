import { type DatasetFormat, type DatasetRecord, datasetHash } from "@braid/engine";
import {
  DATASET_SUMMARY_SQL,
  DatasetInUseError,
  type DatasetRow,
  type DatasetStore,
  type DatasetSummary,
  type DatasetVersion,
  type DatasetVersionInfo,
  type DatasetVersionRow,
  INSERT_VERSION_COLUMNS,
  newDatasetId,
  toDatasetSummary,
  toDatasetVersion,
  toDatasetVersionInfo,
  versionValues,
} from "../datasets.js";
import { pgRow, pgRows, pgRun } from "./sql.js";
import { type Pg, type PgClient, transaction } from "./db.js";

const INSERT_VERSION = `INSERT INTO dataset_versions (${INSERT_VERSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`;

async function summaryOf(c: PgClient, id: string): Promise<DatasetSummary | undefined> {
  const r = await pgRow<DatasetRow>(c, `${DATASET_SUMMARY_SQL} WHERE d.id = $1`, [id]);
  return r ? toDatasetSummary(r) : undefined;
}

/** Datasets with immutable versions in PostgreSQL; the same rules as SqliteDatasetStore (store/datasets.ts). */
export class PgDatasetStore implements DatasetStore {
  constructor(
    private readonly pool: Pg,
    private readonly now: () => number = Date.now,
  ) {}

  async list(): Promise<DatasetSummary[]> {
    return (await pgRows<DatasetRow>(this.pool, `${DATASET_SUMMARY_SQL} ORDER BY d.updated_at DESC`)).map(toDatasetSummary);
  }

  async summary(id: string): Promise<DatasetSummary | undefined> {
    return summaryOf(this.pool, id);
  }

  async get(id: string, version?: number): Promise<DatasetVersion | undefined> {
    const s = await summaryOf(this.pool, id);
    if (!s) return undefined;
    const r = await pgRow<DatasetVersionRow & { records: string }>(this.pool, "SELECT * FROM dataset_versions WHERE dataset_id = $1 AND version = $2", [
      id,
      version ?? s.version,
    ]);
    return r ? toDatasetVersion(r, s) : undefined;
  }

  async versions(id: string): Promise<DatasetVersionInfo[]> {
    const rows = await pgRows<DatasetVersionRow>(
      this.pool,
      "SELECT version, hash, format, record_count, message, created_at FROM dataset_versions WHERE dataset_id = $1 ORDER BY version DESC",
      [id],
    );
    return rows.map(toDatasetVersionInfo);
  }

  async create(name: string, format: DatasetFormat, records: DatasetRecord[], message?: string): Promise<DatasetSummary> {
    const id = newDatasetId();
    const now = this.now();
    return transaction(this.pool, async (c) => {
      await pgRun(c, "INSERT INTO datasets (id, name, current_version, created_at, updated_at) VALUES ($1, $2, 1, $3, $4)", [id, name, now, now]);
      await pgRun(c, INSERT_VERSION, [id, 1, ...versionValues(format, records, message, now)]);
      return (await summaryOf(c, id)) as DatasetSummary;
    });
  }

  async addVersion(id: string, format: DatasetFormat, records: DatasetRecord[], message?: string) {
    return transaction(this.pool, async (c) => {
      // The row lock makes a second writer wait until the first commits; its next statement then
      // reads the new current version, so two uploads at once make N+1 and N+2 (or one no-op),
      // never two N+1s.
      if ((await pgRun(c, "SELECT 1 FROM datasets WHERE id = $1 FOR UPDATE", [id])) === 0) return undefined;
      const cur = await summaryOf(c, id);
      if (!cur) return undefined;
      if (cur.hash === datasetHash(records)) return { summary: cur, created: false };
      const now = this.now();
      await pgRun(c, INSERT_VERSION, [id, cur.version + 1, ...versionValues(format, records, message, now)]);
      await pgRun(c, "UPDATE datasets SET current_version = $1, updated_at = $2 WHERE id = $3", [cur.version + 1, now, id]);
      return { summary: (await summaryOf(c, id)) as DatasetSummary, created: true };
    });
  }

  async usedBy(id: string): Promise<number> {
    return usedByCount(this.pool, id);
  }

  async delete(id: string): Promise<boolean> {
    return transaction(this.pool, async (c) => {
      // An experiment being created over this dataset holds a key-share lock on its row (the
      // foreign key): waiting for it here counts that experiment, so the answer is
      // DatasetInUseError rather than a foreign-key violation.
      await pgRun(c, "SELECT 1 FROM datasets WHERE id = $1 FOR UPDATE", [id]);
      const used = await usedByCount(c, id);
      if (used > 0) throw new DatasetInUseError(id, used);
      return (await pgRun(c, "DELETE FROM datasets WHERE id = $1", [id])) > 0;
    });
  }
}

async function usedByCount(c: PgClient, id: string): Promise<number> {
  return ((await pgRow<{ n: number }>(c, "SELECT count(*) AS n FROM experiments WHERE dataset_id = $1", [id])) as { n: number }).n;
}
