import { statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { BraidError, PipelineInvalidError, compile, formatDiagnostic } from "@braid/engine";
import { defaultRegistry } from "@braid/nodes";
import { progressLine, summaryText } from "../../batch/format.js";
import { type InputFormat, InputsError, detectFormat } from "../../batch/inputs.js";
import { errorsPathFor } from "../../batch/results.js";
import { type BatchProgress, DEFAULT_CONCURRENCY, MAX_CONCURRENCY, runBatch } from "../../batch/runner.js";
import { FileError, loadPipelineFile } from "../../files.js";
import { UsageError, intOption, parse } from "../args.js";
import { allSimulated, backendOption, loadPool } from "../pool.js";

/** Non-TTY progress: one line this often. */
const LOG_EVERY_MS = 5000;
/** TTY progress: redraw this often. */
const DRAW_EVERY_MS = 100;

/** `data.jsonl` → `data.results.jsonl`, beside the inputs. */
export function defaultResultsPath(inputs: string): string {
  const name = basename(inputs).replace(/\.(jsonl|ndjson|json|csv)$/i, "");
  return join(dirname(inputs), `${name}.results.jsonl`);
}

/**
 * braid batch <pipeline> --inputs FILE: runs the pipeline once per input record.
 * Exit codes: 0 every record completed; 1 some records failed or were bad rows; 2 bad arguments,
 * an unreadable pipeline or inputs file; 130 interrupted (rerun the same command to resume).
 */
export default async function batch(argv: string[]): Promise<number> {
  const { positionals, values } = parse(
    argv,
    {
      inputs: { type: "string" },
      out: { type: "string" },
      concurrency: { type: "string" },
      seed: { type: "string" },
      backends: { type: "string" },
      backend: { type: "string" },
      latency: { type: "string" },
      format: { type: "string" },
      fresh: { type: "boolean" },
      "retry-failed": { type: "boolean" },
      json: { type: "boolean" },
      quiet: { type: "boolean" },
    },
    ["pipeline"],
  );
  const file = positionals[0] as string;
  if (!values.inputs) throw new UsageError("missing --inputs FILE (a .jsonl or .csv file)");
  const concurrency = intOption(values.concurrency, "concurrency") ?? DEFAULT_CONCURRENCY;
  if (concurrency < 1 || concurrency > MAX_CONCURRENCY) throw new UsageError(`--concurrency must be between 1 and ${MAX_CONCURRENCY}, got ${concurrency}`);
  const seed = intOption(values.seed, "seed") ?? 1;
  if (seed < 0) throw new UsageError(`--seed must be 0 or more, got ${seed}`);
  const format: InputFormat = values.format === undefined ? detectFormat(values.inputs) : (values.format as InputFormat);
  if (format !== "jsonl" && format !== "csv") throw new UsageError(`--format must be "jsonl" or "csv", got "${values.format}"`);
  if (values.fresh && values["retry-failed"]) throw new UsageError("--fresh and --retry-failed exclude each other");

  const pipeline = loadPipelineFile(file);
  const pool = loadPool(values.backends, values.latency);
  const backend = backendOption(pool, values.backend);
  const inputs = values.inputs;
  try {
    if (!statSync(inputs).isFile()) throw new FileError(inputs, "is not a file");
  } catch (err) {
    if (err instanceof FileError) throw err;
    throw new FileError(inputs, (err as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : `cannot read: ${(err as Error).message}`);
  }
  const resultsFile = values.out ?? defaultResultsPath(inputs);
  const errorsFile = errorsPathFor(resultsFile);

  let compiled: ReturnType<typeof compile>;
  try {
    compiled = compile(pipeline, defaultRegistry, { backends: pool.availability() });
  } catch (err) {
    if (err instanceof PipelineInvalidError) {
      for (const d of err.diagnostics.filter((x) => x.severity === "error")) console.error(`braid: ${formatDiagnostic(d, file)}`);
      return 2;
    }
    throw err;
  }

  const tty = process.stderr.isTTY === true && !values.quiet;
  let lastDraw = 0;
  let lastLine = "";
  let latest: BatchProgress | undefined;
  const draw = (p: BatchProgress, force = false) => {
    latest = p;
    if (values.quiet) return;
    const t = Date.now();
    if (!force && t - lastDraw < (tty ? DRAW_EVERY_MS : LOG_EVERY_MS)) return;
    lastDraw = t;
    lastLine = progressLine(p);
    if (tty) process.stderr.write(`\r${lastLine}\x1b[K`);
    else process.stderr.write(`${lastLine}\n`);
  };

  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    if (!values.quiet)
      process.stderr.write(
        `${tty ? "\n" : ""}braid: interrupting; finished records are saved, rerun the same command to resume (Ctrl-C again to quit at once)\n`,
      );
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  let summary: Awaited<ReturnType<typeof runBatch>>;
  try {
    if (!values.quiet) process.stderr.write(`braid: batch of "${pipeline.name}" over ${inputs} → ${resultsFile} (concurrency ${concurrency})\n`);
    summary = await runBatch({
      pipeline,
      registry: defaultRegistry,
      pool,
      compiled,
      inputs,
      format,
      resultsFile,
      errorsFile,
      concurrency,
      seed,
      ...(backend ? { backendOverride: backend } : {}),
      fresh: values.fresh ?? false,
      retryFailed: values["retry-failed"] ?? false,
      signal: controller.signal,
      onProgress: (p) => draw(p),
    });
  } catch (err) {
    if (err instanceof InputsError) throw new FileError(inputs, err.message);
    if (err instanceof BraidError) throw err;
    throw err;
  } finally {
    process.off("SIGINT", onSigint);
  }
  // The final count, whatever the throttle skipped.
  if (latest) draw(latest, true);
  if (tty && lastLine) process.stderr.write("\n");

  const simulated = allSimulated(pool, backend);
  if (values.json) console.log(JSON.stringify({ ...summary, pipeline: pipeline.name, results: resultsFile, errors: errorsFile }, null, 2));
  else console.log(summaryText(summary, { pipeline: pipeline.name, results: resultsFile, errors: errorsFile, simulated }));
  if (summary.status === "interrupted") return 130;
  return summary.failed > 0 || summary.badRows > 0 ? 1 : 0;
}
