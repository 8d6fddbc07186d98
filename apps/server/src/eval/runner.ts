/**
 * Experiments: one pipeline over one dataset with evaluators. Records run on the batch runner
 * (runBatch: the same compile-once, slot-limited, seed + i machinery as `braid batch`); its hooks
 * hand this module each record's events (critique outcomes) and result, which is evaluated before
 * the record's slot is freed. The pure parts (evaluators, metrics, comparison, gates) live in
 * @braid/core's eval/.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import {
  type BackendPool,
  BraidError,
  type CompiledPipeline,
  type Dataset,
  DatasetError,
  type DatasetProblem,
  type EvaluateOptions,
  type EvaluatorConfig,
  type ExperimentMetrics,
  type Pipeline,
  type RecordResult,
  type Registry,
  RunFactsCollector,
  evaluateRecord,
  experimentMetrics,
  fnv1a64,
  outputSchemaOf,
  resolveInput,
  scoreRecord,
  stableStringify,
} from "@braid/engine";
import { type BatchProgress, runBatch } from "../batch/runner.js";

export const EXPERIMENT_FORMAT = "braid/experiment@1";

/** An experiment as `--out` writes it and `--baseline` reads it back. */
export interface Experiment {
  format: typeof EXPERIMENT_FORMAT;
  pipeline: string;
  dataset: { hash: string; records: number };
  seed: number;
  evaluators: EvaluatorConfig[];
  metrics: ExperimentMetrics;
  records: RecordResult[];
  status: "completed" | "interrupted";
}

export interface ExperimentOptions {
  pipeline: Pipeline;
  registry: Registry;
  pool: BackendPool;
  compiled?: CompiledPipeline;
  dataset: Dataset;
  evaluators: EvaluatorConfig[];
  concurrency?: number;
  /** Record i runs with seed `seed + i`, as in a batch: two experiments on one seed meet the same faults. */
  seed?: number;
  backendOverride?: string;
  judge?: EvaluateOptions["judge"];
  signal?: AbortSignal;
  onProgress?: (p: BatchProgress) => void;
}

/** The content hash that pairs a record across experiments: its input and expected value. */
export const recordHash = (rec: Dataset["records"][number]): string => fnv1a64(stableStringify({ input: rec.input, expected: rec.expected ?? null }));

/** Every record's input must satisfy the pipeline's input schema before anything runs (all-or-nothing, like the dataset). */
export function checkDatasetInputs(pipeline: Pipeline, dataset: Dataset, source?: string): void {
  const problems: DatasetProblem[] = [];
  dataset.records.forEach((r, i) => {
    try {
      resolveInput(pipeline, r.input);
    } catch (err) {
      problems.push({ line: dataset.lines[i] ?? i + 1, message: err instanceof BraidError ? err.message : String(err) });
    }
  });
  if (problems.length > 0) throw new DatasetError(problems, source);
}

export async function runExperiment(opts: ExperimentOptions): Promise<Experiment> {
  const { pipeline, dataset, evaluators } = opts;
  const seed = opts.seed ?? 1;
  checkDatasetInputs(pipeline, dataset);
  const evalOpts: EvaluateOptions = { ...(opts.judge ? { judge: opts.judge } : {}) };
  const schema = outputSchemaOf(pipeline);
  if (schema) evalOpts.defaultSchema = schema;
  const collectors = new Map<number, RunFactsCollector>();
  const records: RecordResult[] = [];
  // The batch runner needs a results file; an experiment keeps its records in memory instead.
  const dir = mkdtempSync(join(tmpdir(), "braid-eval-"));
  try {
    const inputs = Readable.from(dataset.records.map((r) => `${JSON.stringify(r.input ?? null)}\n`));
    const summary = await runBatch({
      pipeline,
      registry: opts.registry,
      pool: opts.pool,
      ...(opts.compiled ? { compiled: opts.compiled } : {}),
      inputs,
      format: "jsonl",
      resultsFile: join(dir, "results.jsonl"),
      total: dataset.records.length,
      fresh: true,
      seed,
      ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
      ...(opts.backendOverride ? { backendOverride: opts.backendOverride } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      onEvent: (index, e) => {
        let c = collectors.get(index);
        if (!c) collectors.set(index, (c = new RunFactsCollector()));
        c.observe(e);
      },
      onResult: async (r) => {
        const rec = dataset.records[r.index];
        if (!rec) return;
        const critiques = collectors.get(r.index)?.facts().critiques ?? [];
        collectors.delete(r.index);
        const status = r.status === "ok" ? "completed" : "failed";
        const run = { status, durationMs: r.durationMs, usage: r.usage, critiques, ...(r.error ? { error: r.error } : {}) } as const;
        const ctx = { input: rec.input, output: r.output, ...(rec.expected !== undefined ? { expected: rec.expected } : {}), run };
        const evaluations = await evaluateRecord(evaluators, ctx, evalOpts);
        records.push(
          scoreRecord(evaluators, evaluations, {
            index: r.index,
            hash: recordHash(rec),
            status,
            durationMs: r.durationMs,
            usage: r.usage,
            runId: r.runId,
            seed: r.seed,
            ...(r.output !== undefined ? { output: r.output } : {}),
          }),
        );
      },
    });
    records.sort((a, b) => a.index - b.index);
    return {
      format: EXPERIMENT_FORMAT,
      pipeline: pipeline.name,
      dataset: { hash: dataset.hash, records: dataset.records.length },
      seed,
      evaluators,
      metrics: experimentMetrics(records),
      records,
      status: summary.status,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
