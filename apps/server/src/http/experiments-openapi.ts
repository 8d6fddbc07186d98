import { DATASET_MAX_RECORDS, DATASET_UPLOAD_LIMIT, DEFAULT_PREVIEW, MAX_PREVIEW } from "../eval/datasets.js";
import { DEFAULT_EXPERIMENT_CONCURRENCY, MAX_EXPERIMENT_CONCURRENCY } from "../eval/experiments.js";

type Errors = (...codes: number[]) => Record<string, unknown>;

const coded = (description: string) => ({ description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } });
const id = { name: "id", in: "path", required: true, schema: { type: "string" } };
const upload = {
  description: `JSONL (one record per line: {input, expected?, tags?} or a bare input object) or CSV with a header row (columns expected and tags are special); at most ${DATASET_UPLOAD_LIMIT} bytes and ${DATASET_MAX_RECORDS} records`,
  content: { "application/x-ndjson": { schema: { type: "string" } }, "text/csv": { schema: { type: "string" } } },
};
const format = { name: "format", in: "query", schema: { enum: ["jsonl", "csv"] }, description: "default: csv for Content-Type text/csv, else jsonl" };
const dataset = { description: "the dataset's summary (id, name, version, records, hash) and `created`" };
const experiment = { description: "the experiment", content: { "application/json": { schema: { $ref: "#/components/schemas/Experiment" } } } };
const badRows = coded("E_DATASET: bad rows (every problem with its line number in error.problems; nothing stored) or no records");
const tooLarge = coded("the body exceeds the upload limit (E_BODY_TOO_LARGE) or the records the limit (E_DATASET_TOO_LARGE)");
const conflict = coded("E_EXPERIMENT_STATE: the experiment is running, completed, or not completed");

/** The dataset and experiment paths of the OpenAPI document. */
export function experimentOpenApiPaths(errors: Errors): Record<string, unknown> {
  return {
    "/api/datasets": {
      get: {
        summary: "List datasets (current version of each)",
        responses: { "200": { description: "datasets, most recently changed first" }, ...errors(401) },
      },
      post: {
        summary: "Create a dataset from an upload (version 1)",
        parameters: [{ name: "name", in: "query", required: true, schema: { type: "string", maxLength: 200 } }, format],
        requestBody: upload,
        responses: { "201": dataset, "400": badRows, "413": tooLarge, ...errors(401, 403, 415) },
      },
    },
    "/api/datasets/{id}": {
      get: {
        summary: "A dataset version (default: current) with its versions and a preview of its first records",
        parameters: [
          id,
          { name: "version", in: "query", schema: { type: "integer", minimum: 1 } },
          { name: "preview", in: "query", schema: { type: "integer", minimum: 0, maximum: MAX_PREVIEW, default: DEFAULT_PREVIEW } },
        ],
        responses: { "200": { description: "{id, name, version, records, hash, current, versions, preview}" }, ...errors(400, 401, 404) },
      },
      delete: {
        summary: "Delete a dataset and its versions",
        parameters: [id],
        responses: { "200": { description: "{deleted}" }, "409": coded("E_DATASET_IN_USE: experiments ran over it"), ...errors(401, 403, 404) },
      },
    },
    "/api/datasets/{id}/versions": {
      post: {
        summary: "Upload a new version; content equal to the current version's (same hash) is a no-op",
        parameters: [id, format],
        requestBody: upload,
        responses: {
          "201": { description: "version N+1 (`created: true`)" },
          "200": { description: "unchanged (`created: false`)" },
          "400": badRows,
          "413": tooLarge,
          ...errors(401, 403, 404, 415),
        },
      },
    },
    "/api/datasets/{id}/records": {
      post: {
        summary: "Add a completed run's input and output (as expected) to the dataset: a new version with the record appended",
        parameters: [id],
        requestBody: { content: { "application/json": { schema: { type: "object", required: ["runId"], properties: { runId: { type: "string" } } } } } },
        responses: { "201": dataset, ...errors(400, 401, 403, 404, 413, 415) },
      },
    },
    "/api/experiments": {
      get: {
        summary: "List experiments, newest first",
        parameters: [{ name: "limit", in: "query", schema: { type: "integer" } }],
        responses: { "200": { description: "experiments" }, ...errors(401) },
      },
      post: {
        summary: "Start an experiment: a saved pipeline version over a dataset version; each record is a stored run (seed + i)",
        requestBody: {
          content: {
            "application/json": {
              schema: {
                type: "object",
                required: ["pipelineId", "datasetId"],
                properties: {
                  pipelineId: { type: "string" },
                  pipelineVersion: { type: "integer", description: "default: current" },
                  datasetId: { type: "string" },
                  datasetVersion: { type: "integer", description: "default: current" },
                  evaluators: { type: "array", description: "evaluators besides the pipeline's evaluation section (see the README's evaluator table)" },
                  useEvaluationSection: { type: "boolean", default: true },
                  concurrency: { type: "integer", minimum: 1, maximum: MAX_EXPERIMENT_CONCURRENCY, default: DEFAULT_EXPERIMENT_CONCURRENCY },
                  seed: { type: "integer", minimum: 0, default: 1 },
                  backend: { type: "string", description: "run every LLM node on this backend or group" },
                  name: { type: "string" },
                },
              },
            },
          },
        },
        responses: {
          "202": experiment,
          "400": coded("E_EVALUATOR, E_GATE, E_DATASET (a record fails the input schema), E_APPROVAL_UNSUPPORTED, E_UNKNOWN_BACKEND, E_BAD_REQUEST"),
          ...errors(401, 403, 404, 415, 503),
        },
      },
    },
    "/api/experiments/compare": {
      get: {
        summary: "A/B: candidate a against baseline b over one dataset version (paired bootstrap, disagreements, select-best win rate, gates)",
        parameters: [
          { name: "a", in: "query", required: true, schema: { type: "string" }, description: "candidate experiment" },
          { name: "b", in: "query", required: true, schema: { type: "string" }, description: "baseline experiment" },
          { name: "gate", in: "query", schema: { type: "array", items: { type: "string" } }, style: "form", explode: true, description: "`baseline.` reads b" },
          { name: "limit", in: "query", schema: { type: "integer", minimum: 0, maximum: 1000, default: 50 }, description: "most disagreements listed" },
        ],
        responses: {
          "200": { description: "{metrics: [{metric, candidate, baseline, delta, ci, verdict}], disagreements, runs, selectBest?, gates?}" },
          "400": coded("E_DATASET: the experiments ran over different dataset versions (the message names both); E_GATE"),
          "409": conflict,
          ...errors(401, 404),
        },
      },
    },
    "/api/experiments/{id}": {
      get: {
        summary: "An experiment: status, progress (done/total), metrics and the pipeline's gates once completed",
        parameters: [id],
        responses: { "200": experiment, ...errors(401, 404) },
      },
    },
    "/api/experiments/{id}/records": {
      get: {
        summary: "Per record: its run id (GET /api/runs/{runId}) and, once evaluated, every evaluator's verdict, score, reason and error",
        parameters: [id],
        responses: { "200": { description: "[{index, runId?, result?}]" }, ...errors(401, 404) },
      },
    },
    "/api/experiments/{id}/events": {
      get: {
        summary: "Server-sent progress: the experiment now, one `progress` per evaluated record, then one `finished`",
        parameters: [id],
        responses: { "200": { description: "text/event-stream; each event's data is the experiment" }, ...errors(401, 404) },
      },
    },
    "/api/experiments/{id}/cancel": {
      post: {
        summary: "Stop a running experiment and cancel its runs in flight",
        parameters: [id],
        responses: { "200": { description: "{id, cancelled}" }, ...errors(401, 403, 404) },
      },
    },
    "/api/experiments/{id}/resume": {
      post: {
        summary: "Continue a cancelled, interrupted or failed experiment; records already done are not run again",
        parameters: [id],
        responses: { "202": experiment, "409": conflict, ...errors(401, 403, 404) },
      },
    },
    "/api/experiments/{id}/gates": {
      post: {
        summary: "Check quality gates over a completed experiment, absolute or against a baseline experiment",
        parameters: [id],
        requestBody: {
          content: {
            "application/json": {
              schema: {
                type: "object",
                required: ["gates"],
                properties: {
                  gates: { type: "array", items: { type: "string" }, example: ["score >= 0.8", "score >= baseline.score - 0.03"] },
                  baseline: { type: "string" },
                },
              },
            },
          },
        },
        responses: {
          "200": { description: "{passed, gates: [{expr, passed, actual, threshold, by?}]}" },
          "400": coded("E_GATE"),
          "409": conflict,
          ...errors(401, 403, 404, 415),
        },
      },
    },
  };
}

export const EXPERIMENT_SCHEMA = {
  type: "object",
  properties: {
    id: { type: "string" },
    name: { type: "string" },
    pipelineId: { type: "string" },
    pipelineVersion: { type: "integer" },
    datasetId: { type: "string" },
    datasetVersion: { type: "integer" },
    datasetHash: { type: "string" },
    spec: { type: "object", description: "evaluators, gates, concurrency, seed, backend" },
    status: { enum: ["running", "completed", "cancelled", "interrupted", "failed"] },
    total: { type: "integer" },
    done: { type: "integer" },
    metrics: { type: "object", description: "records, score, passRate, passRates, errorRate, p50/p95/mean latency, tokensPer1k, costPer1k" },
    gates: { type: "array", description: "the pipeline's own gates, once completed" },
    links: { type: "object" },
  },
};
