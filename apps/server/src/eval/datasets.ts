/**
 * Datasets on the server: uploads parsed all-or-nothing by the library (every bad row with its
 * line number, nothing stored), size limits, previews, and "add this run as a record".
 */
import { BraidError, type DatasetFormat, type DatasetRecord, type Pipeline, parseDataset } from "@braid/engine";
import { columnTypesFrom, convertCell } from "../batch/inputs.js";
import type { DatasetStore, DatasetSummary } from "../store/datasets.js";
import type { RunStore } from "../store/runs.js";

/** An upload (REST body) may be this large; tRPC's `text` is bounded by BRAID_BODY_LIMIT instead. */
export const DATASET_UPLOAD_LIMIT = 32 * 1024 * 1024;
/** The most records a dataset version holds. */
export const DATASET_MAX_RECORDS = 100_000;
/** Records a preview shows by default, and at most. */
export const DEFAULT_PREVIEW = 20;
export const MAX_PREVIEW = 500;

/** Parses an upload or throws: E_DATASET (bad rows, with their line numbers; or no records), E_DATASET_TOO_LARGE. */
export function parseUpload(text: string, format: DatasetFormat, source?: string): DatasetRecord[] {
  const { records } = parseDataset(text, format, {}, source);
  if (records.length === 0) throw new BraidError("E_DATASET", `${source ? `${source}: ` : ""}the dataset has no records`);
  checkSize(records.length);
  return records;
}

function checkSize(n: number): void {
  if (n > DATASET_MAX_RECORDS) throw new BraidError("E_DATASET_TOO_LARGE", `the dataset has ${n} records; the limit is ${DATASET_MAX_RECORDS}`);
}

/** A new version of `datasetId` with the run's input and output appended as a record (the output as `expected`). */
export async function addRunRecord(
  datasets: DatasetStore,
  runs: RunStore,
  datasetId: string,
  runId: string,
): Promise<{ summary: DatasetSummary; created: boolean } | undefined> {
  const base = await datasets.get(datasetId);
  if (!base) return undefined;
  const run = await runs.get(runId);
  if (!run) throw new RunNotFoundError(runId);
  if (run.status !== "completed")
    throw new BraidError("E_DATASET", `run "${runId}" is ${run.status}; only a completed run's output can become a record's expected value`);
  const record: DatasetRecord = { input: run.input, expected: run.output ?? null };
  checkSize(base.data.length + 1);
  return datasets.addVersion(datasetId, base.format, [...base.data, record], `added run ${runId}`);
}

export class RunNotFoundError extends Error {
  constructor(readonly runId: string) {
    super(`run "${runId}" not found`);
  }
}

/**
 * The run input of a record. CSV cells are text: converted here to the pipeline's input schema
 * types (as batches do), so one stored dataset serves pipelines with different schemas.
 */
export function recordInput(pipeline: Pipeline, format: DatasetFormat, input: unknown): unknown {
  if (format !== "csv" || input === null || typeof input !== "object" || Array.isArray(input)) return input;
  const types = columnTypesFrom(pipeline.input?.schema);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    if (typeof v !== "string") {
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
      continue;
    }
    const c = convertCell(v, types[k]);
    if (c.keep) Object.defineProperty(out, k, { value: c.value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
