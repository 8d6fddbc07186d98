import type { BackendPool, Registry } from "@braid/engine";
import type { BatchManager } from "./batch/manager.js";
import type { ServerConfig } from "./config.js";
import type { ExperimentManager } from "./eval/experiments.js";
import type { RunTracing } from "./otel/index.js";
import type { EventHub } from "./runs/hub.js";
import type { RunManager } from "./runs/manager.js";
import type { DatasetStore } from "./store/datasets.js";
import type { PipelineStore } from "./store/pipelines.js";
import type { RunStore } from "./store/runs.js";
import type { Template } from "./templates.js";

/** What request handlers (tRPC and REST) may use. */
export interface Services {
  config: ServerConfig;
  pipelines: PipelineStore;
  runs: RunStore;
  manager: RunManager;
  hub: EventHub;
  pool: BackendPool;
  registry: Registry;
  templates: Template[];
  /** Batch runs (REST uploads, tRPC): stopped by the server's close. */
  batches: BatchManager;
  /** Evaluation datasets with versions. */
  datasets: DatasetStore;
  /** Experiments (records run as stored runs): stopped by the server's close, resumable. */
  experiments: ExperimentManager;
  /** Trace export, when configured. */
  otel?: RunTracing;
}
