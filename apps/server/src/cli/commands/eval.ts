import { writeFileSync } from "node:fs";
import {
  type BackendPool,
  type Comparison,
  type Dataset,
  type EvaluatorConfig,
  GATE_METRICS,
  type GateResult,
  type Pipeline,
  PipelineInvalidError,
  checkEvaluators,
  checkGate,
  compareExperiments,
  compile,
  datasetFormatOf,
  evaluateGate,
  evaluationOf,
  evaluatorName,
  isPlainObject,
  parseDataset,
  safeJsonParse,
  selectBestWinRate,
} from "@braid/engine";
import { defaultRegistry } from "@braid/nodes";
import { columnTypesFrom, convertCell } from "../../batch/inputs.js";
import { DEFAULT_CONCURRENCY, MAX_CONCURRENCY } from "../../batch/runner.js";
import { poolJudge, poolPickJudge } from "../../eval/judge.js";
import { evaluatorSummaries, progressBar, summaryTable } from "../../eval/report.js";
import { EXPERIMENT_FORMAT, type Experiment, checkDatasetInputs, runExperiment } from "../../eval/runner.js";
import { FileError, loadPipelineFile, readText } from "../../files.js";
import { UsageError, intOption, parse } from "../args.js";
import { allSimulated, backendOption, loadPool } from "../pool.js";

const DRAW_EVERY_MS = 100;

/**
 * braid eval <pipeline> --dataset FILE: runs the pipeline over a dataset, scores every record with
 * the evaluators (the pipeline's `evaluation` section and/or --evaluators FILE), compares with a
 * baseline pipeline or saved experiment, and checks the gates. Exit codes: 0 every gate passed;
 * 1 a gate failed; 2 bad input (arguments, pipeline, dataset, evaluators, gates); 130 interrupted.
 */
export default async function evalCommand(argv: string[]): Promise<number> {
  const { positionals, values } = parse(
    argv,
    {
      dataset: { type: "string" },
      evaluators: { type: "string" },
      concurrency: { type: "string" },
      seed: { type: "string" },
      backends: { type: "string" },
      backend: { type: "string" },
      judge: { type: "string" },
      latency: { type: "string" },
      gate: { type: "string", multiple: true },
      baseline: { type: "string" },
      json: { type: "boolean" },
      out: { type: "string" },
      quiet: { type: "boolean" },
    },
    ["pipeline"],
  );
  const file = positionals[0] as string;
  if (!values.dataset) throw new UsageError("missing --dataset FILE (a .jsonl or .csv file)");
  const concurrency = intOption(values.concurrency, "concurrency") ?? DEFAULT_CONCURRENCY;
  if (concurrency < 1 || concurrency > MAX_CONCURRENCY) throw new UsageError(`--concurrency must be between 1 and ${MAX_CONCURRENCY}, got ${concurrency}`);
  const seed = intOption(values.seed, "seed") ?? 1;
  if (seed < 0) throw new UsageError(`--seed must be 0 or more, got ${seed}`);

  const pipeline = loadPipelineFile(file);
  const section = evaluationOf(pipeline);
  if (section.diagnostics.length > 0) throw new FileError(file, "invalid evaluation section", section.diagnostics);
  const extra = values.evaluators ? loadEvaluatorsFile(values.evaluators) : { evaluators: [], gates: [] };
  const evaluators = [...section.evaluators, ...extra.evaluators];
  if (evaluators.length === 0) throw new UsageError(`no evaluators: add an "evaluation" section to ${file} or give --evaluators FILE`);
  const names = evaluators.map(evaluatorName);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new UsageError(`two evaluators are named "${twice}" (the pipeline's and --evaluators'); give one a distinct name`);
  const gates = [...new Set([...section.gates, ...extra.gates, ...(values.gate ?? [])])];
  // Every gate is checked before anything runs: a typo must not cost a whole experiment.
  for (const g of gates) checkGate(g, { metrics: GATE_METRICS, evaluators: names, baseline: values.baseline !== undefined });

  const dataset = loadDataset(values.dataset, pipeline);
  const pool = loadPool(values.backends, values.latency);
  const backend = backendOption(pool, values.backend);
  const judgeBackendName = values.judge === undefined ? undefined : backendOption(pool, values.judge);
  const baselineSource = values.baseline ? loadBaseline(values.baseline, dataset) : undefined;

  const tty = process.stderr.isTTY === true && !values.quiet && !values.json;
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.on("SIGINT", onSigint);
  const started = Date.now();
  const run = async (p: Pipeline, source: string, label: string): Promise<Experiment> => {
    const compiled = compileOrExit(p, pool, source);
    if (!values.quiet) process.stderr.write(`braid: evaluating "${p.name}"${label} over ${values.dataset} (${dataset.records.length} records)\n`);
    let last = 0;
    const exp = await runExperiment({
      pipeline: p,
      registry: defaultRegistry,
      pool,
      compiled,
      dataset,
      evaluators,
      concurrency,
      seed,
      judge: poolJudge(pool, judgeBackendName),
      signal: controller.signal,
      ...(backend ? { backendOverride: backend } : {}),
      onProgress: (pr) => {
        const t = Date.now();
        if (!tty || t - last < DRAW_EVERY_MS) return;
        last = t;
        process.stderr.write(`\r${progressBar(pr)}\x1b[K`);
      },
    });
    if (tty) process.stderr.write("\r\x1b[K");
    return exp;
  };

  let candidate: Experiment;
  let baseline: Experiment | undefined;
  let comparison: Comparison | undefined;
  try {
    candidate = await run(pipeline, file, "");
    if (baselineSource?.pipeline) baseline = await run(baselineSource.pipeline, values.baseline as string, " (baseline)");
    else baseline = baselineSource?.experiment;
    if (candidate.status === "interrupted" || baseline?.status === "interrupted") {
      if (!values.quiet) process.stderr.write("braid: interrupted\n");
      return 130;
    }
    if (baseline) {
      comparison = compareExperiments(candidate.records, baseline.records, { seed });
      const pick = evaluators.find((e) => e.type === "select-best");
      if (pick?.type === "select-best")
        comparison.selectBest = await selectBestWinRate(
          candidate.records,
          baseline.records,
          dataset.records.map((r) => r.input),
          poolPickJudge(pool, judgeBackendName),
          { seed, ...(pick.value ? { rubric: pick.value } : {}), ...(pick.backend ? { backend: pick.backend } : {}) },
        );
    }
  } finally {
    process.off("SIGINT", onSigint);
  }

  const gateResults: GateResult[] = gates.map((g) => evaluateGate(g, candidate.metrics, baseline?.metrics));
  const summary = {
    metrics: candidate.metrics,
    evaluators: evaluatorSummaries(candidate),
    gates: gateResults,
    ...(comparison ? { comparison } : {}),
  };
  if (values.out) writeFileSync(values.out, `${JSON.stringify({ ...candidate, gates: gateResults, ...(comparison ? { comparison } : {}) }, null, 2)}\n`);
  if (values.json) console.log(JSON.stringify(summary, null, 2));
  else
    console.log(
      summaryTable(candidate, {
        dataset: values.dataset,
        elapsedMs: Date.now() - started,
        simulated: allSimulated(pool, backend),
        gates: gateResults,
        ...(comparison ? { comparison, baseline: baseline?.pipeline ?? "baseline" } : {}),
      }),
    );
  return gateResults.every((g) => g.passed) ? 0 : 1;
}

function compileOrExit(p: Pipeline, pool: BackendPool, source: string) {
  try {
    return compile(p, defaultRegistry, { backends: pool.availability() });
  } catch (err) {
    if (err instanceof PipelineInvalidError)
      throw new FileError(
        source,
        "not a valid pipeline",
        err.diagnostics.filter((d) => d.severity === "error"),
      );
    throw err;
  }
}

/** A dataset, all-or-nothing: every row parses and every input satisfies the pipeline's input schema. */
function loadDataset(path: string, pipeline: Pipeline): Dataset {
  const types = columnTypesFrom(pipeline.input?.schema);
  const cell = (column: string, text: string) => {
    const c = convertCell(text, types[column]);
    return c.keep ? c.value : undefined;
  };
  const dataset = parseDataset(readText(path), datasetFormatOf(path), { cell }, path);
  if (dataset.records.length === 0) throw new FileError(path, "the dataset has no records");
  checkDatasetInputs(pipeline, dataset, path);
  return dataset;
}

/** `--evaluators FILE`: a list of evaluators, or `{ evaluators, gates? }` like a pipeline's section. */
function loadEvaluatorsFile(path: string): { evaluators: EvaluatorConfig[]; gates: string[] } {
  let doc: unknown;
  try {
    doc = safeJsonParse(readText(path));
  } catch (err) {
    if (err instanceof FileError) throw err;
    throw new FileError(path, `not valid JSON: ${(err as Error).message}`);
  }
  const list = Array.isArray(doc) ? doc : isPlainObject(doc) ? doc.evaluators : undefined;
  const r = checkEvaluators(list, Array.isArray(doc) ? "" : "evaluators");
  if (r.diagnostics.length > 0) throw new FileError(path, "invalid evaluators file", r.diagnostics);
  const gates = isPlainObject(doc) && Array.isArray(doc.gates) ? doc.gates : [];
  if (!gates.every((g): g is string => typeof g === "string")) throw new FileError(path, "gates must be a list of strings");
  return { evaluators: r.evaluators, gates };
}

/** `--baseline`: a pipeline to run the same way, or an experiment saved with --out over the same dataset. */
function loadBaseline(path: string, dataset: Dataset): { pipeline?: Pipeline; experiment?: Experiment } {
  const text = readText(path);
  let doc: unknown;
  try {
    doc = safeJsonParse(text);
  } catch (err) {
    throw new FileError(path, `not valid JSON: ${(err as Error).message}`);
  }
  if (isPlainObject(doc) && doc.format === EXPERIMENT_FORMAT) {
    const exp = doc as unknown as Experiment;
    if (exp.dataset?.hash !== dataset.hash)
      throw new FileError(path, `the saved experiment ran on dataset ${exp.dataset?.hash ?? "?"}; this one is ${dataset.hash}: compare over the same dataset`);
    return { experiment: exp };
  }
  const pipeline = loadPipelineFile(path);
  checkDatasetInputs(pipeline, dataset, path);
  return { pipeline };
}
