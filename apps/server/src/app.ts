import { existsSync } from "node:fs";
import type { Server } from "node:http";
import { join } from "node:path";
import type { BackendPool } from "@braid/engine";
import { defaultRegistry } from "@braid/nodes";
import { createCheckedPool } from "./backend-policy.js";
import { BatchManager } from "./batch/manager.js";
import { type ServerConfig, disableLangSmithTracing } from "./config.js";
import { ExperimentManager } from "./eval/experiments.js";
import { poolJudge } from "./eval/judge.js";
import { loadBackendsFile } from "./files.js";
import { auditedPipelines } from "./optimizer/audited-pipelines.js";
import { Deployments } from "./optimizer/deployments.js";
import { OnlineEvaluation } from "./optimizer/online.js";
import { Optimizer } from "./optimizer/optimizer.js";
import { createHttpServer } from "./http/server.js";
import { serverEgress, watchBreakers } from "./trpc/backends.js";
import { RunTracing } from "./otel/index.js";
import { type QueueMode, openQueueMode } from "./queue/index.js";
import { EventHub } from "./runs/hub.js";
import { RunManager } from "./runs/manager.js";
import type { Services } from "./services.js";
import { SqliteAuditStore } from "./store/audit.js";
import { openCheckpointer } from "./store/checkpoints.js";
import { SqliteDatasetStore } from "./store/datasets.js";
import { openDb } from "./store/db.js";
import { SqliteDeploymentStore } from "./store/deployments.js";
import { SqliteExperimentStore } from "./store/experiments.js";
import { SqliteOptimizerStore } from "./store/optimizer.js";
import { SqliteTrialStore } from "./store/trials.js";
import { SqlitePipelineStore } from "./store/pipelines.js";
import { SqliteRunStore } from "./store/runs.js";
import { loadTemplates } from "./templates.js";

export interface App {
  services: Services;
  server: Server;
  /** Resumed run ids from a previous process. */
  recovered: string[];
  listen(): Promise<string>;
  close(): Promise<void>;
}

/** The backends file in the data folder, over the default simulated tiers, with the real providers under the server's egress policy. */
export function serverPool(config: ServerConfig): BackendPool {
  const file = join(config.dataDir, "backends.json");
  const pool = createCheckedPool({ latency: config.simLatency, extra: existsSync(file) ? loadBackendsFile(file) : [], egress: serverEgress(config) });
  watchBreakers(pool);
  return pool;
}

export async function createApp(config: ServerConfig): Promise<App> {
  const tracing = disableLangSmithTracing();
  if (tracing.length) console.warn(`braid: LangSmith tracing turned off (${tracing.join(", ")}); set BRAID_ALLOW_LANGSMITH=1 to allow it`);
  const db = openDb(config.dataDir);
  let checkpoints: ReturnType<typeof openCheckpointer>;
  try {
    checkpoints = openCheckpointer(config.dataDir);
  } catch (err) {
    db.close();
    throw err;
  }
  const pipelines = new SqlitePipelineStore(db);
  const runs = new SqliteRunStore(db);
  // Queue mode: followers also read the log once a second, in case a relayed event was lost.
  const hub = new EventHub(config.queue ? 1000 : undefined);
  let queueMode: QueueMode | undefined;
  if (config.queue) {
    try {
      queueMode = await openQueueMode(config.queue, hub, config.queueLimit);
    } catch (err) {
      db.close();
      checkpoints.db.close();
      throw err;
    }
  }
  const pool = serverPool(config);
  const templates = loadTemplates();
  const manager = new RunManager({
    store: runs,
    hub,
    registry: defaultRegistry,
    pool,
    checkpointer: checkpoints.saver,
    maxConcurrent: config.maxConcurrentRuns,
    queueLimit: config.queueLimit,
    pipelineLimits: config.pipelineConcurrency,
    ...(queueMode ? { shared: queueMode.queue } : {}),
  });
  if (queueMode) {
    queueMode.queue.bind(manager);
    if (queueMode.config.workers > 0) queueMode.queue.startWorker(queueMode.config.workers);
  }
  seedExamples(db, pipelines, templates);
  const batches = new BatchManager({ dataDir: config.dataDir, registry: defaultRegistry, pool, ...(queueMode ? { shared: queueMode.batches } : {}) });
  // One shard at a time per process: a shard runs its records with the batch's own concurrency.
  if (queueMode && queueMode.config.workers > 0) queueMode.batches.startWorker(1, { dataDir: config.dataDir, registry: defaultRegistry, pool });
  const datasets = new SqliteDatasetStore(db);
  const experiments = new ExperimentManager({ store: new SqliteExperimentStore(db), datasets, pipelines, runs, manager, hub, registry: defaultRegistry, pool });
  const audit = new SqliteAuditStore(db);
  const saved = auditedPipelines(pipelines, audit);
  const deploymentStore = new SqliteDeploymentStore(db);
  const deployments = new Deployments({ store: deploymentStore, pipelines: saved, audit, window: config.optimizerWindow });
  const online = new OnlineEvaluation({ hub, runs, store: deploymentStore, policy: (id) => deployments.policy(id), judge: poolJudge(pool) });
  const optimizer = new Optimizer({
    deployments,
    store: new SqliteOptimizerStore(db),
    trials: new SqliteTrialStore(db),
    pipelines,
    experiments,
    pool,
    registry: defaultRegistry,
    runs,
    intervalMs: config.optimizerIntervalMs,
  });
  const services: Services = {
    config,
    pipelines: saved,
    runs,
    manager,
    hub,
    pool,
    registry: defaultRegistry,
    templates,
    batches,
    datasets,
    experiments,
    deployments,
    optimizer,
    audit,
  };
  // Listening before recovery, so runs resumed from a previous process are traced too.
  if (config.otel) services.otel = new RunTracing(config.otel, { hub, runs, pool });
  const server = createHttpServer(services);
  const recovered = await manager.recover();
  optimizer.open();
  return {
    services,
    server,
    recovered,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(config.port, config.host, () => {
          const addr = server.address();
          const port = typeof addr === "object" && addr ? addr.port : config.port;
          const host = config.host.includes(":") ? `[${config.host}]` : config.host;
          resolve(`http://${host}:${port}`);
        });
      }),
    async close() {
      optimizer.close();
      await new Promise<void>((r) => server.close(() => r()));
      // Runs get their grace period; batches stop at once and resume from their results file on the next start.
      // Experiments stop first (no new record runs); their runs in flight are the manager's to finish or suspend.
      await Promise.all([experiments.shutdown(), manager.shutdown(config.shutdownGraceMs), batches.shutdown()]);
      await online.close();
      await queueMode?.close();
      await services.otel?.close();
      server.closeAllConnections();
      db.close();
      checkpoints.db.close();
    },
  };
}

/** A new data folder starts with the examples saved, so `curl` works before anyone opens the UI. */
function seedExamples(db: ReturnType<typeof openDb>, pipelines: SqlitePipelineStore, templates: ReturnType<typeof loadTemplates>): void {
  if (db.prepare("SELECT 1 FROM meta WHERE key = 'examples_seeded'").get()) return;
  db.transaction(() => {
    for (const t of templates) if (!pipelines.get(t.id)) pipelines.save(t.pipeline, { id: t.id, message: "example" });
    db.prepare("INSERT INTO meta (key, value) VALUES ('examples_seeded', '1')").run();
  })();
}
