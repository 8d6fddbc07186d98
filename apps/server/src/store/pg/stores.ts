import type { JournalingSaver } from "../checkpoints.js";
import type { Stores } from "../index.js";
import { PgAuditStore } from "./audit.js";
import { openPgCheckpointer } from "./checkpoints.js";
import { PgDatasetStore } from "./datasets.js";
import { PgConnectError } from "../errors.js";
import { openPg } from "./db.js";
import { PgDeploymentStore } from "./deployments.js";
import { PgExperimentStore } from "./experiments.js";
import { PgOptimizerStore } from "./optimizer.js";
import { PgPipelineStore } from "./pipelines.js";
import { PgRunStore } from "./runs.js";
import { PgTrialStore } from "./trials.js";

/** Every store in one PostgreSQL database (BRAID_DATABASE_URL), LangGraph's checkpoints included. */
export async function openPgStores(url: string): Promise<Stores> {
  const pool = await openPg(url);
  let checkpointer: JournalingSaver;
  try {
    checkpointer = await openPgCheckpointer(pool);
  } catch (err) {
    await pool.end().catch(() => {});
    throw new PgConnectError(url, new Error(`cannot set up LangGraph's checkpoint tables: ${(err as Error).message}`, { cause: err }));
  }
  return {
    pipelines: new PgPipelineStore(pool),
    runs: new PgRunStore(pool),
    datasets: new PgDatasetStore(pool),
    experiments: new PgExperimentStore(pool),
    deployments: new PgDeploymentStore(pool),
    optimizer: new PgOptimizerStore(pool),
    trials: new PgTrialStore(pool),
    audit: new PgAuditStore(pool),
    checkpointer,
    async claimOnce(key) {
      return ((await pool.query("INSERT INTO meta (key, value) VALUES ($1, '1') ON CONFLICT DO NOTHING", [key])).rowCount ?? 0) > 0;
    },
    async close() {
      await pool.end();
    },
  };
}
