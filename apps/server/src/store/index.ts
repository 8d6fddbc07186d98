import { type AuditStore, SqliteAuditStore } from "./audit.js";
import { type JournalingSaver, openCheckpointer } from "./checkpoints.js";
import { type DatasetStore, SqliteDatasetStore } from "./datasets.js";
import { openDb } from "./db.js";
import { type DeploymentStore, SqliteDeploymentStore } from "./deployments.js";
import { type ExperimentStore, SqliteExperimentStore } from "./experiments.js";
import { type OptimizerStore, SqliteOptimizerStore } from "./optimizer.js";
import { type PipelineStore, SqlitePipelineStore } from "./pipelines.js";
import { type RunStore, SqliteRunStore } from "./runs.js";
import { SqliteTrialStore, type TrialStore } from "./trials.js";

/** Every store a server or worker uses, in one database: the data folder's SQLite files, or PostgreSQL. */
export interface Stores {
  readonly pipelines: PipelineStore;
  readonly runs: RunStore;
  readonly datasets: DatasetStore;
  readonly experiments: ExperimentStore;
  readonly deployments: DeploymentStore;
  readonly optimizer: OptimizerStore;
  readonly trials: TrialStore;
  readonly audit: AuditStore;
  /** LangGraph's checkpoints, in the same database as the runs; the run manager journals its writes with the events. */
  readonly checkpointer: JournalingSaver;
  /** True for the one caller that marks `key` first (across processes): one-time work such as seeding the examples. */
  claimOnce(key: string): Promise<boolean>;
  close(): Promise<void>;
}

export async function openStores(config: { dataDir: string; databaseUrl?: string }): Promise<Stores> {
  if (!config.databaseUrl) return openSqliteStores(config.dataDir);
  // Loaded only when configured: the embedded default never loads the PostgreSQL client.
  const { openPgStores } = await import("./pg/stores.js");
  return openPgStores(config.databaseUrl);
}

function openSqliteStores(dataDir: string): Stores {
  const db = openDb(dataDir);
  let checkpointer: JournalingSaver;
  try {
    checkpointer = openCheckpointer(db, dataDir);
  } catch (err) {
    db.close();
    throw err;
  }
  return {
    pipelines: new SqlitePipelineStore(db),
    runs: new SqliteRunStore(db),
    datasets: new SqliteDatasetStore(db),
    experiments: new SqliteExperimentStore(db),
    deployments: new SqliteDeploymentStore(db),
    optimizer: new SqliteOptimizerStore(db),
    trials: new SqliteTrialStore(db),
    audit: new SqliteAuditStore(db),
    checkpointer,
    async claimOnce(key) {
      return db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES (?, '1')").run(key).changes > 0;
    },
    async close() {
      db.close();
    },
  };
}
