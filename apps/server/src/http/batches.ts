/**
 * REST routes for batches: upload inputs for a saved pipeline, follow progress (JSON or SSE),
 * download results and bad rows, cancel and resume. Registered through rest.ts's `def`, so the
 * auth check and the route list cover them like every other route.
 */
import { closeSync, createReadStream, createWriteStream, existsSync, openSync, readSync, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { once } from "node:events";
import { MAX_JSON_DEPTH, jsonDepth, safeJsonParse } from "@braid/engine";
import { type InputFormat, InputsError } from "../batch/inputs.js";
import { type BatchEvent, BatchConflictError, BatchNotFoundError, type BatchRecord, isBatchId } from "../batch/manager.js";
import { DEFAULT_CONCURRENCY } from "../batch/runner.js";
import type { Services } from "../services.js";
import { requestedBackend } from "./backend-header.js";
import { serveSse, subscription } from "./sse.js";
import { HttpError, sendJson } from "./util.js";

type Handler = (ctx: { req: IncomingMessage; res: ServerResponse; url: URL; params: string[]; services: Services }) => Promise<void> | void;
type Def = (method: string, path: string, handler: Handler) => void;

/** An upload streams to disk up to this size (JSONL or CSV). */
export const BATCH_UPLOAD_LIMIT = 256 * 1024 * 1024;
/** A JSON-array body is parsed in memory, so it has a smaller limit; send JSONL for more. */
export const BATCH_JSON_ARRAY_LIMIT = 32 * 1024 * 1024;
/** Server batches may use at most this many concurrent records. */
export const SERVER_MAX_CONCURRENCY = 1024;

/** What a client sees of a batch: its record plus links. */
function view(b: BatchRecord) {
  const base = `/api/batches/${b.id}`;
  return { ...b, links: { self: base, events: `${base}/events`, results: `${base}/results`, errors: `${base}/errors` } };
}

function found(services: Services, id: string): BatchRecord {
  const b = isBatchId(id) ? services.batches.get(id) : undefined;
  if (!b) throw new HttpError(404, "E_NOT_FOUND", `batch "${id}" not found`);
  return b;
}

function intParam(url: URL, name: string, fallback: number, min: number, max: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new HttpError(400, "E_BAD_REQUEST", `${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return n;
}

/**
 * Streams the request body into the inputs file. A JSON array (first non-blank character `[`)
 * is parsed and written as JSONL; JSONL and CSV are copied as they arrive.
 */
async function ingest(req: IncomingMessage, file: string, format: InputFormat): Promise<void> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > BATCH_UPLOAD_LIMIT)
    throw new HttpError(413, "E_BODY_TOO_LARGE", `the upload is ${declared} bytes; the limit is ${BATCH_UPLOAD_LIMIT}`);
  const out = createWriteStream(file);
  const write = async (chunk: Buffer | string) => {
    if (!out.write(chunk)) await once(out, "drain");
  };
  let size = 0;
  let head: Buffer[] | undefined = [];
  let isArray = false;
  let decided = false;
  try {
    for await (const c of req) {
      const chunk = c as Buffer;
      size += chunk.length;
      if (size > (isArray ? BATCH_JSON_ARRAY_LIMIT : BATCH_UPLOAD_LIMIT)) {
        throw new HttpError(
          413,
          "E_BODY_TOO_LARGE",
          isArray
            ? `a JSON-array body is limited to ${BATCH_JSON_ARRAY_LIMIT} bytes; send JSONL for larger batches`
            : `the upload exceeds ${BATCH_UPLOAD_LIMIT} bytes`,
        );
      }
      if (head) {
        head.push(chunk);
        if (!decided) {
          const text = Buffer.concat(head)
            .toString("utf8")
            .replace(/^\uFEFF/, "")
            .trimStart();
          if (text === "") continue;
          decided = true;
          isArray = format === "jsonl" && text.startsWith("[");
          if (!isArray) {
            for (const h of head) await write(h);
            head = undefined;
          }
        }
        continue;
      }
      await write(chunk);
    }
    if (head && isArray) {
      let doc: unknown;
      try {
        doc = safeJsonParse(Buffer.concat(head).toString("utf8"));
      } catch (err) {
        throw new HttpError(400, "E_PARSE", `the body starts with "[" but is not a valid JSON array: ${(err as Error).message}`);
      }
      if (!Array.isArray(doc)) throw new HttpError(400, "E_PARSE", "the body must be JSONL or a JSON array of inputs");
      const deep = doc.findIndex((item) => jsonDepth(item, MAX_JSON_DEPTH) > MAX_JSON_DEPTH);
      if (deep >= 0) throw new HttpError(400, "E_TOO_DEEP", `input ${deep} of the array nests deeper than ${MAX_JSON_DEPTH} levels`);
      for (const item of doc) await write(`${JSON.stringify(item)}\n`);
    }
    if (size === 0 || (head && !isArray))
      throw new HttpError(400, "E_BAD_REQUEST", "the body is empty; send JSONL (one input per line), a JSON array of inputs, or CSV (Content-Type: text/csv)");
  } finally {
    out.end();
    await once(out, "close").catch(() => {});
  }
}

/** The bytes of `file` up to its last newline: a line being appended is left for the next read. */
function completeLength(file: string): number {
  const size = existsSync(file) ? statSync(file).size : 0;
  if (size === 0) return 0;
  const tail = Buffer.alloc(Math.min(size, 65_536));
  const fd = openSync(file, "r");
  try {
    readSync(fd, tail, 0, tail.length, size - tail.length);
  } finally {
    closeSync(fd);
  }
  const nl = tail.lastIndexOf(10);
  return nl < 0 ? (tail.length < size ? size : 0) : size - tail.length + nl + 1;
}

/** JSONL files sent as one (a queue-mode batch's shards, in order, while it runs). */
function sendFiles(res: ServerResponse, files: readonly string[], name: string): void {
  const parts = files.map((file) => ({ file, size: completeLength(file) })).filter((p) => p.size > 0);
  res.writeHead(200, {
    "content-type": "application/x-ndjson; charset=utf-8",
    "content-length": String(parts.reduce((t, p) => t + p.size, 0)),
    "content-disposition": `attachment; filename="${name}"`,
    "cache-control": "no-store",
  });
  // Only the bytes present now: a running batch's files keep growing.
  const next = (i: number): void => {
    const p = parts[i];
    if (!p) return void res.end();
    createReadStream(p.file, { start: 0, end: p.size - 1 })
      .on("end", () => next(i + 1))
      .on("error", () => res.destroy())
      .pipe(res, { end: false });
  };
  next(0);
}

const sseFrame = (e: BatchEvent) => `event: ${e.type}\ndata: ${JSON.stringify(view(e.batch))}\n\n`;

function toHttp(err: unknown): unknown {
  if (err instanceof BatchNotFoundError) return new HttpError(404, "E_NOT_FOUND", err.message);
  if (err instanceof BatchConflictError) return new HttpError(409, "E_CONFLICT", err.message);
  if (err instanceof InputsError) return new HttpError(400, "E_PARSE", err.message);
  return err;
}

export function registerBatchRoutes(def: Def): void {
  def("POST", "/api/pipelines/:id/batches", async ({ req, res, url, params, services }) => {
    const pipelineId = params[0] as string;
    const saved = await services.pipelines.get(pipelineId);
    if (!saved) throw new HttpError(404, "E_NOT_FOUND", `pipeline "${pipelineId}" not found`);
    const concurrency = intParam(url, "concurrency", DEFAULT_CONCURRENCY, 1, SERVER_MAX_CONCURRENCY);
    const seed = intParam(url, "seed", 1, 0, Number.MAX_SAFE_INTEGER);
    const formatParam = url.searchParams.get("format");
    const contentType = String(req.headers["content-type"] ?? "");
    const format: InputFormat = formatParam === "csv" || (formatParam === null && /\bcsv\b/i.test(contentType)) ? "csv" : "jsonl";
    if (formatParam !== null && formatParam !== "csv" && formatParam !== "jsonl")
      throw new HttpError(400, "E_BAD_REQUEST", `format must be "jsonl" or "csv", got "${formatParam}"`);
    const backend = requestedBackend(req, services.pool);
    const batches = services.batches;
    try {
      const { record, inputsFile } = batches.prepare({
        pipelineId,
        pipelineVersion: saved.version,
        pipeline: saved.pipeline,
        format,
        concurrency,
        seed,
        ...(backend !== undefined ? { backend } : {}),
      });
      try {
        await ingest(req, inputsFile, format);
      } catch (err) {
        batches.discard(record.id);
        throw err;
      }
      const started = await batches.start(record);
      sendJson(res, 202, { batchId: started.id, ...view(started) }, { location: `/api/batches/${started.id}` });
    } catch (err) {
      throw toHttp(err);
    }
  });

  def("GET", "/api/batches", ({ res, url, services }) => {
    const limit = intParam(url, "limit", 100, 1, 1000);
    sendJson(res, 200, services.batches.list(limit).map(view));
  });

  def("GET", "/api/batches/:id", ({ res, params, services }) => {
    sendJson(res, 200, view(found(services, params[0] as string)));
  });

  def("GET", "/api/batches/:id/events", async ({ res, params, services }) => {
    const id = params[0] as string;
    found(services, id);
    const batches = services.batches;
    const finished = (e: BatchEvent) => e.type === "finished";
    await serveSse(res, "braid batch progress", async function* (signal) {
      // Subscribed before reading the state, so no change between the two is lost; the state now
      // comes first, and a batch that finished in between ends the stream at once.
      const live = subscription<BatchEvent>((listener) => batches.subscribe(id, listener), finished, signal);
      const now = batches.get(id);
      if (!now) return;
      const first: BatchEvent = { type: now.status === "running" ? "progress" : "finished", batch: now };
      yield sseFrame(first);
      if (finished(first)) return live.close();
      for await (const e of live) yield sseFrame(e);
    });
  });

  def("GET", "/api/batches/:id/results", ({ res, params, services }) => {
    const b = found(services, params[0] as string);
    sendFiles(res, services.batches.outputFiles(b, "results"), `${b.id}.results.jsonl`);
  });

  def("GET", "/api/batches/:id/errors", ({ res, params, services }) => {
    const b = found(services, params[0] as string);
    sendFiles(res, services.batches.outputFiles(b, "errors"), `${b.id}.errors.jsonl`);
  });

  def("POST", "/api/batches/:id/cancel", ({ res, params, services }) => {
    const b = found(services, params[0] as string);
    sendJson(res, 200, { batchId: b.id, cancelled: services.batches.cancel(b.id) });
  });

  def("POST", "/api/batches/:id/resume", ({ res, params, services }) => {
    const b = found(services, params[0] as string);
    try {
      const resumed = services.batches.resume(b.id);
      sendJson(res, 202, { batchId: resumed.id, ...view(resumed) });
    } catch (err) {
      throw toHttp(err);
    }
  });
}

/** The batch paths of the OpenAPI document. */
export function batchOpenApiPaths(errors: (...codes: number[]) => Record<string, unknown>): Record<string, unknown> {
  const id = { name: "id", in: "path", required: true, schema: { type: "string" } };
  const batch = {
    description: "the batch: status, total, progress, summary and links",
    content: { "application/json": { schema: { $ref: "#/components/schemas/Batch" } } },
  };
  return {
    "/api/pipelines/{id}/batches": {
      post: {
        summary: "Start a batch: run a saved pipeline once per input record",
        parameters: [
          id,
          { name: "concurrency", in: "query", schema: { type: "integer", minimum: 1, maximum: SERVER_MAX_CONCURRENCY, default: DEFAULT_CONCURRENCY } },
          { name: "seed", in: "query", schema: { type: "integer", minimum: 0, default: 1 }, description: "record i runs with seed + i" },
          { name: "format", in: "query", schema: { enum: ["jsonl", "csv"] }, description: "default: csv for Content-Type text/csv, else jsonl" },
          {
            name: "X-Braid-Backend",
            in: "header",
            schema: { type: "string" },
            description: "run every LLM node of every record on this backend or group (X-LLM-Backend is accepted too); unknown → 400 E_UNKNOWN_BACKEND",
          },
        ],
        requestBody: {
          description: "JSONL (one input per line), a JSON array of inputs, or CSV with a header row",
          content: {
            "application/x-ndjson": { schema: { type: "string" } },
            "application/json": { schema: { type: "array", items: {} } },
            "text/csv": { schema: { type: "string" } },
          },
        },
        responses: { "202": { ...batch, description: "accepted: {batchId, …}" }, ...errors(400, 401, 404, 409, 413) },
      },
    },
    "/api/batches": {
      get: {
        summary: "List recent batches",
        parameters: [{ name: "limit", in: "query", schema: { type: "integer" } }],
        responses: { "200": { description: "batches, newest first" }, ...errors(401) },
      },
    },
    "/api/batches/{id}": {
      get: { summary: "A batch's status, progress and (when done) summary", parameters: [id], responses: { "200": batch, ...errors(401, 404) } },
    },
    "/api/batches/{id}/events": {
      get: {
        summary: "Server-sent progress events: `progress` while running (at most 4 a second), then one `finished`",
        parameters: [id],
        responses: { "200": { description: "text/event-stream; each event's data is the batch (as GET /api/batches/{id})" }, ...errors(401, 404) },
      },
    },
    "/api/batches/{id}/results": {
      get: {
        summary: "Download results.jsonl: one line per finished record, in completion order",
        parameters: [id],
        responses: { "200": { description: "application/x-ndjson" }, ...errors(401, 404) },
      },
    },
    "/api/batches/{id}/errors": {
      get: {
        summary: "Download the bad rows (unparseable or failing the input schema) with their line numbers",
        parameters: [id],
        responses: { "200": { description: "application/x-ndjson" }, ...errors(401, 404) },
      },
    },
    "/api/batches/{id}/cancel": {
      post: {
        summary: "Stop a running batch; finished records stay in its results",
        parameters: [id],
        responses: { "200": { description: "{batchId, cancelled}" }, ...errors(401, 404) },
      },
    },
    "/api/batches/{id}/resume": {
      post: {
        summary: "Continue an interrupted or cancelled batch, skipping finished records",
        parameters: [id],
        responses: { "202": batch, ...errors(401, 404, 409) },
      },
    },
  };
}

/** The Batch schema for the OpenAPI document's components. */
export const BATCH_SCHEMA = {
  type: "object",
  properties: {
    id: { type: "string" },
    batchId: { type: "string" },
    pipelineId: { type: "string" },
    pipelineVersion: { type: "integer" },
    status: { enum: ["running", "completed", "cancelled", "interrupted", "failed"] },
    total: { type: "integer" },
    concurrency: { type: "integer" },
    seed: { type: "integer" },
    backend: { type: "string", description: "the X-Braid-Backend the batch runs on, when one was given" },
    progress: { type: "object", description: "seen, ok, failed, badRows, resumed, running, ran, elapsedMs, rate, etaMs, costUsd" },
    summary: { type: "object", description: "totals, usage, durationMs and per-node p50/p95/max, failures with reasons and lines" },
    links: { type: "object" },
  },
};
