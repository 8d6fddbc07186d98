import type { BackendPool, Registry } from "@braid/engine";
import type { BatchManager } from "./batch/manager.js";
import type { ServerConfig } from "./config.js";
import type { ExperimentManager } from "./eval/experiments.js";
import type { Deployments } from "./optimizer/deployments.js";
import type { Optimizer } from "./optimizer/optimizer.js";
import type { RunTracing } from "./otel/index.js";
import type { EventHub } from "./runs/hub.js";
import type { RunManager } from "./runs/manager.js";
import type { AuditStore } from "./store/audit.js";
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
  /** Version tags, deployment policies and the canary split. */
  deployments: Deployments;
  /** The self-improvement loop: cycles, pending approvals, the kill switch. */
  optimizer: Optimizer;
  /** The append-only audit trail. */
  audit: AuditStore;
  /** Trace export, when configured. */
  otel?: RunTracing;
}
