/**
 * Experiments on the server: one saved pipeline version over one dataset version with evaluators.
 * Unlike `braid eval` (which runs records on the batch engine), every record here is a normal
 * stored run submitted to the RunManager, so it opens in the trace view; its run id is stored as
 * soon as it is submitted. At most `concurrency` records are in flight, so an experiment never
 * fills the manager's queue. Cancel stops it and cancels its in-flight runs; shutdown only stops
 * it (the runs are the manager's to finish or suspend); resume evaluates what is done, follows
 * runs still going (recovered by the manager after a restart), and re-runs only cancelled ones.
 */
import { randomBytes } from "node:crypto";
import {
  type BackendPool,
  BraidError,
  type Dataset,
  type DatasetRecord,
  type EvaluateOptions,
  type Pipeline,
  type RecordResult,
  type Registry,
  RunFactsCollector,
  evaluateRecord,
  experimentMetrics,
  outputSchemaOf,
  refusePausingNodes,
  scoreRecord,
  toErrorInfo,
} from "@braid/engine";
import type { EventHub } from "../runs/hub.js";
import { QueueFullError, type RunManager, ShuttingDownError } from "../runs/manager.js";
import type { DatasetStore, DatasetVersion } from "../store/datasets.js";
import type { ExperimentRecord, ExperimentRecordRow, ExperimentStore } from "../store/experiments.js";
import type { PipelineStore } from "../store/pipelines.js";
import type { RunStore } from "../store/runs.js";
import { recordInput } from "./datasets.js";
import { resolveEvaluators } from "./experiment-checks.js";
import { poolJudge } from "./judge.js";
import { checkDatasetInputs, recordHash } from "./runner.js";

export const DEFAULT_EXPERIMENT_CONCURRENCY = 4;
export const MAX_EXPERIMENT_CONCURRENCY = 256;
/** How long a record waits before submitting again when the run queue is full. */
const QUEUE_RETRY_MS = 25;

export interface CreateExperiment {
  pipelineId: string;
  /** Default: the current version. */
  pipelineVersion?: number;
  datasetId: string;
  datasetVersion?: number;
  /** Evaluators besides (or, with useEvaluationSection false, instead of) the pipeline's `evaluation` section. */
  evaluators?: unknown;
  useEvaluationSection?: boolean;
  concurrency?: number;
  seed?: number;
  backend?: string;
  name?: string;
}

export type ExperimentEvent = { type: "progress" | "finished"; experiment: ExperimentRecord };

export class ExperimentNotFoundError extends Error {}

/** The experiment is not in a state that allows the request (HTTP 409). */
export class ExperimentStateError extends BraidError {
  constructor(message: string) {
    super("E_EXPERIMENT_STATE", message);
  }
}

interface Active {
  controller: AbortController;
  stopAs?: "cancelled" | "interrupted";
  /** Run ids in flight, cancelled with the experiment. */
  running: Set<string>;
  done: Promise<void>;
}

export interface ExperimentDeps {
  store: ExperimentStore;
  datasets: DatasetStore;
  pipelines: PipelineStore;
  runs: RunStore;
  manager: RunManager;
  hub: EventHub;
  registry: Registry;
  pool: BackendPool;
}

const newExperimentId = () => `exp_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;

export class ExperimentManager {
  private readonly active = new Map<string, Active>();
  private readonly listeners = new Map<string, Set<(e: ExperimentEvent) => void>>();
  private stopping = false;
  /** The tail of the create/resume chain (see `serial`). */
  private starts: Promise<unknown> = Promise.resolve();

  private constructor(private readonly deps: ExperimentDeps) {}

  /** The manager, once experiments a stopped process left running are marked interrupted (resumable). */
  static async open(deps: ExperimentDeps): Promise<ExperimentManager> {
    await deps.store.interruptRunning();
    return new ExperimentManager(deps);
  }

  /** Experiments running in this process. */
  get activeCount(): number {
    return this.active.size;
  }

  get(id: string): Promise<ExperimentRecord | undefined> {
    return this.deps.store.get(id);
  }

  list(limit = 100): Promise<ExperimentRecord[]> {
    return this.deps.store.list(limit);
  }

  rows(id: string): Promise<ExperimentRecordRow[]> {
    return this.deps.store.rows(id);
  }

  /**
   * Creates and resumes run one at a time, each from its checks to its launch (as when the stores
   * were synchronous): two resumes cannot both start one experiment, and shutdown, which waits for
   * the chain, stops every experiment launched.
   */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.starts.then(fn);
    this.starts = run.catch(() => {});
    return run;
  }

  /** Checks everything (pipeline, dataset, evaluators, inputs, backend) before storing, then starts it. */
  create(req: CreateExperiment): Promise<ExperimentRecord> {
    return this.serial(() => this.start(req));
  }

  private async start(req: CreateExperiment): Promise<ExperimentRecord> {
    if (this.stopping) throw new ShuttingDownError();
    const saved = await this.deps.pipelines.get(req.pipelineId, req.pipelineVersion);
    if (!saved) throw new ExperimentNotFoundError(`pipeline "${req.pipelineId}"${req.pipelineVersion ? ` version ${req.pipelineVersion}` : ""} not found`);
    const dataset = await this.deps.datasets.get(req.datasetId, req.datasetVersion);
    if (!dataset) throw new ExperimentNotFoundError(`dataset "${req.datasetId}"${req.datasetVersion ? ` version ${req.datasetVersion}` : ""} not found`);
    const concurrency = req.concurrency ?? DEFAULT_EXPERIMENT_CONCURRENCY;
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_EXPERIMENT_CONCURRENCY)
      throw new BraidError("E_CONFIG", `concurrency must be an integer from 1 to ${MAX_EXPERIMENT_CONCURRENCY}, got ${concurrency}`);
    if (req.backend !== undefined && !this.deps.pool.names().has(req.backend))
      throw new BraidError("E_UNKNOWN_BACKEND", `backend: no backend or group named "${req.backend}"`);
    const { evaluators, gates } = resolveEvaluators(saved.pipeline, req.evaluators, req.useEvaluationSection ?? true);
    refusePausingNodes(saved.pipeline, this.deps.registry, "an experiment");
    this.checkInputs(saved.pipeline, dataset);
    const now = Date.now();
    const id = newExperimentId();
    await this.deps.store.create({
      id,
      name: req.name ?? `${saved.pipeline.name} v${saved.version} × ${dataset.name} v${dataset.version}`,
      pipelineId: req.pipelineId,
      pipelineVersion: saved.version,
      datasetId: req.datasetId,
      datasetVersion: dataset.version,
      datasetHash: dataset.hash,
      spec: { evaluators, gates, concurrency, seed: req.seed ?? 1, ...(req.backend !== undefined ? { backend: req.backend } : {}) },
      status: "running",
      total: dataset.records,
      createdAt: now,
      startedAt: now,
    });
    this.launch(id, saved.pipeline, dataset);
    return (await this.get(id)) as ExperimentRecord;
  }

  async cancel(id: string): Promise<boolean> {
    const a = this.active.get(id);
    if (!a) return false;
    a.stopAs = "cancelled";
    a.controller.abort();
    // One by one, the runs in flight when cancelled (a run that ends meanwhile is left alone by the manager).
    for (const runId of [...a.running]) await this.deps.manager.cancel(runId, "experiment cancelled");
    return true;
  }

  /** Continues a cancelled, interrupted or failed experiment; records with a result are not run again. */
  resume(id: string): Promise<ExperimentRecord> {
    return this.serial(() => this.restart(id));
  }

  private async restart(id: string): Promise<ExperimentRecord> {
    if (this.stopping) throw new ShuttingDownError();
    const e = await this.get(id);
    if (!e) throw new ExperimentNotFoundError(`experiment "${id}" not found`);
    if (this.active.has(id)) throw new ExperimentStateError(`experiment "${id}" is already running`);
    if (e.status === "completed") throw new ExperimentStateError(`experiment "${id}" is completed; only a cancelled, interrupted or failed one can be resumed`);
    const saved = await this.deps.pipelines.get(e.pipelineId, e.pipelineVersion);
    if (!saved) throw new ExperimentNotFoundError(`pipeline "${e.pipelineId}" version ${e.pipelineVersion} not found (deleted?)`);
    const dataset = await this.deps.datasets.get(e.datasetId, e.datasetVersion);
    if (!dataset) throw new ExperimentNotFoundError(`dataset "${e.datasetId}" version ${e.datasetVersion} not found`);
    await this.deps.store.update(id, { status: "running", finishedAt: undefined, error: undefined });
    this.launch(id, saved.pipeline, dataset);
    return (await this.get(id)) as ExperimentRecord;
  }

  subscribe(id: string, listener: (e: ExperimentEvent) => void): () => void {
    let set = this.listeners.get(id);
    if (!set) this.listeners.set(id, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(id);
    };
  }

  /** Resolves when the experiment is no longer running here. */
  async wait(id: string): Promise<ExperimentRecord | undefined> {
    await this.active.get(id)?.done;
    return this.get(id);
  }

  /** The server's shutdown hook: stops every running experiment as `interrupted` (resumable) and waits for it. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    // A create or resume past its check launches first, so it is stopped with the rest.
    await this.starts;
    for (const a of this.active.values()) {
      a.stopAs ??= "interrupted";
      a.controller.abort();
    }
    await Promise.allSettled([...this.active.values()].map((a) => a.done));
  }

  private checkInputs(pipeline: Pipeline, v: DatasetVersion): void {
    const records = v.data.map((r) => ({ ...r, input: recordInput(pipeline, v.format, r.input) }));
    // Line numbers of a stored version are its record numbers (CSV's header line not counted).
    const ds: Dataset = { records, lines: records.map((_, i) => i + 1), hash: v.hash };
    checkDatasetInputs(pipeline, ds, `dataset "${v.datasetId}" version ${v.version} (by record number)`);
  }

  private async publish(id: string, type: ExperimentEvent["type"]): Promise<void> {
    const set = this.listeners.get(id);
    if (!set) return;
    const experiment = await this.get(id);
    if (!experiment) return;
    for (const l of set) {
      try {
        l({ type, experiment });
      } catch {
        // a listener's failure is its own
      }
    }
  }

  private launch(id: string, pipeline: Pipeline, dataset: DatasetVersion): void {
    const entry: Active = { controller: new AbortController(), running: new Set(), done: Promise.resolve() };
    this.active.set(id, entry);
    entry.done = (async () => {
      try {
        await this.drive(id, pipeline, dataset, entry);
        const results = (await this.deps.store.rows(id)).map((r) => r.result).filter((r): r is RecordResult => r !== undefined);
        // Stopped, or the run manager refused new runs (shutting down) before every record ran.
        if (entry.stopAs || results.length < dataset.records) await this.deps.store.update(id, { status: entry.stopAs ?? "interrupted" });
        else await this.deps.store.update(id, { status: "completed", metrics: experimentMetrics(results), finishedAt: Date.now() });
      } catch (err) {
        await this.deps.store.update(id, { status: "failed", error: toErrorInfo(err), finishedAt: Date.now() });
      }
      this.active.delete(id);
      await this.publish(id, "finished");
    })();
  }

  private async drive(id: string, pipeline: Pipeline, dataset: DatasetVersion, entry: Active): Promise<void> {
    const e = (await this.get(id)) as ExperimentRecord;
    const evalOpts: EvaluateOptions = { judge: poolJudge(this.deps.pool) };
    const schema = outputSchemaOf(pipeline);
    if (schema) evalOpts.defaultSchema = schema;
    const todo = (await this.deps.store.rows(id)).filter((r) => r.result === undefined);
    let next = 0;
    const worker = async () => {
      while (!entry.controller.signal.aborted) {
        const row = todo[next++];
        if (!row) return;
        const rec = dataset.data[row.index] as DatasetRecord;
        const result = await this.runRecord(e, pipeline, dataset, rec, row, entry, evalOpts);
        if (!result) continue;
        await this.deps.store.setResult(id, row.index, result);
        await this.publish(id, "progress");
      }
    };
    await Promise.all(Array.from({ length: Math.min(e.spec.concurrency, todo.length) }, worker));
  }

  /** One record: its run (new, or the one a previous attempt left), followed to the end, then evaluated. Undefined when the experiment stopped first. */
  private async runRecord(
    e: ExperimentRecord,
    pipeline: Pipeline,
    dataset: DatasetVersion,
    rec: DatasetRecord,
    row: ExperimentRecordRow,
    entry: Active,
    evalOpts: EvaluateOptions,
  ): Promise<RecordResult | undefined> {
    const signal = entry.controller.signal;
    const input = recordInput(pipeline, dataset.format, rec.input);
    const seed = e.spec.seed + row.index;
    let runId = row.runId;
    const previous = runId ? await this.deps.runs.get(runId) : undefined;
    if (!previous || previous.status === "cancelled") {
      runId = await this.submit(e, pipeline, input, seed, signal);
      if (!runId) return undefined;
      await this.deps.store.setRun(e.id, row.index, runId);
    }
    const id = runId as string;
    entry.running.add(id);
    const facts = new RunFactsCollector();
    let end: string | undefined;
    try {
      for await (const s of this.deps.hub.follow(this.deps.runs, id, 0, signal)) {
        facts.observe(s.event);
        if (s.event.type === "run_finished" || s.event.type === "run_failed" || s.event.type === "run_cancelled") end = s.event.type;
      }
    } finally {
      entry.running.delete(id);
    }
    // Stopped before the run ended (or cancelled with the experiment): the next resume picks it up.
    if (!end || (end === "run_cancelled" && signal.aborted)) return undefined;
    const run = facts.facts();
    // Somebody cancelled this one run: the record failed, and says why.
    if (end === "run_cancelled") run.error = { code: "E_CANCELLED", message: `run "${id}" was cancelled` };
    const output = (await this.deps.runs.get(id))?.output;
    const ctx = { input, output, ...(rec.expected !== undefined ? { expected: rec.expected } : {}), run };
    const evaluations = await evaluateRecord(e.spec.evaluators, ctx, evalOpts);
    return scoreRecord(e.spec.evaluators, evaluations, {
      index: row.index,
      hash: recordHash(rec),
      status: run.status,
      durationMs: run.durationMs,
      usage: run.usage,
      runId: id,
      seed,
      ...(output !== undefined ? { output } : {}),
    });
  }

  /** Submits a record's run, waiting while the run queue is full; undefined when the experiment or server stops first. */
  private async submit(e: ExperimentRecord, pipeline: Pipeline, input: unknown, seed: number, signal: AbortSignal): Promise<string | undefined> {
    while (!signal.aborted) {
      try {
        const run = await this.deps.manager.submit({
          pipeline,
          pipelineId: e.pipelineId,
          pipelineVersion: e.pipelineVersion,
          input,
          seed,
          options: e.spec.backend !== undefined ? { backendOverride: e.spec.backend } : {},
        });
        return run.id;
      } catch (err) {
        if (err instanceof ShuttingDownError) return undefined;
        if (!(err instanceof QueueFullError)) throw err;
        await new Promise((r) => setTimeout(r, QUEUE_RETRY_MS));
      }
    }
    return undefined;
  }
}
