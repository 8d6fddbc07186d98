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
import { type Stores, openStores } from "./store/index.js";
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
  const stores = await openStores(config);
  const { pipelines, runs } = stores;
  // Queue mode: followers also read the log once a second, in case a relayed event was lost.
  const hub = new EventHub(config.queue ? 1000 : undefined);
  let queueMode: QueueMode | undefined;
  if (config.queue) {
    try {
      queueMode = await openQueueMode(config.queue, hub, config.queueLimit);
    } catch (err) {
      await stores.close();
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
    checkpointer: stores.checkpointer,
    maxConcurrent: config.maxConcurrentRuns,
    queueLimit: config.queueLimit,
    pipelineLimits: config.pipelineConcurrency,
    ...(queueMode ? { shared: queueMode.queue } : {}),
  });
  if (queueMode) {
    queueMode.queue.bind(manager);
    if (queueMode.config.workers > 0) queueMode.queue.startWorker(queueMode.config.workers);
  }
  await seedExamples(stores, templates);
  const batches = new BatchManager({ dataDir: config.dataDir, registry: defaultRegistry, pool, ...(queueMode ? { shared: queueMode.batches } : {}) });
  // One shard at a time per process: a shard runs its records with the batch's own concurrency.
  if (queueMode && queueMode.config.workers > 0) queueMode.batches.startWorker(1, { dataDir: config.dataDir, registry: defaultRegistry, pool });
  const datasets = stores.datasets;
  const experiments = await ExperimentManager.open({ store: stores.experiments, datasets, pipelines, runs, manager, hub, registry: defaultRegistry, pool });
  const audit = stores.audit;
  const saved = auditedPipelines(pipelines, audit);
  const deploymentStore = stores.deployments;
  const deployments = new Deployments({ store: deploymentStore, pipelines: saved, audit, window: config.optimizerWindow });
  const online = new OnlineEvaluation({ hub, runs, store: deploymentStore, policy: (id) => deployments.policy(id), judge: poolJudge(pool) });
  const optimizer = new Optimizer({
    deployments,
    store: stores.optimizer,
    trials: stores.trials,
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
      await optimizer.close();
      await new Promise<void>((r) => server.close(() => r()));
      // Runs get their grace period; batches stop at once and resume from their results file on the next start.
      // Experiments stop first (no new record runs); their runs in flight are the manager's to finish or suspend.
      await Promise.all([experiments.shutdown(), manager.shutdown(config.shutdownGraceMs), batches.shutdown()]);
      await online.close();
      await queueMode?.close();
      await services.otel?.close();
      server.closeAllConnections();
      await stores.close();
    },
  };
}

/** A new data folder (or database) starts with the examples saved, so `curl` works before anyone opens the UI. */
async function seedExamples(stores: Stores, templates: ReturnType<typeof loadTemplates>): Promise<void> {
  // Claimed first: of two processes starting on one new database, one seeds.
  if (!(await stores.claimOnce("examples_seeded"))) return;
  for (const t of templates) if (!(await stores.pipelines.get(t.id))) await stores.pipelines.save(t.pipeline, { id: t.id, message: "example" });
}
