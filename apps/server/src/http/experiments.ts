/**
 * REST routes for evaluation: datasets (upload JSONL/CSV with versions, preview, add a run as a
 * record, delete) and experiments (start, follow over SSE, records, cancel, resume, gates, A/B
 * compare). Registered through rest.ts's `def`, so auth and the route list cover them.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { BraidError, DatasetError, type DatasetFormat } from "@braid/engine";
import type { z } from "zod";
import { DATASET_UPLOAD_LIMIT, DEFAULT_PREVIEW, MAX_PREVIEW, RunNotFoundError, addRunRecord, parseUpload } from "../eval/datasets.js";
import { experimentView } from "../eval/experiment-checks.js";
import { type ExperimentEvent, ExperimentNotFoundError } from "../eval/experiments.js";
import type { Services } from "../services.js";
import { DatasetInUseError } from "../store/datasets.js";
import type { ExperimentRecord } from "../store/experiments.js";
import { AddRunSchema, CreateExperimentSchema, DatasetName, GatesSchema, compareFor, datasetDetail, gatesFor } from "../trpc/experiments.js";
import { serveSse, subscription } from "./sse.js";
import { HttpError, readBody, readJson, sendJson } from "./util.js";

type Handler = (ctx: { req: IncomingMessage; res: ServerResponse; url: URL; params: string[]; services: Services }) => Promise<void> | void;
type Def = (method: string, path: string, handler: Handler) => void;

/** Upload types: CSV, JSONL and JSON. The CORS-simple types (text/plain, forms) are refused, as on every other route. */
const UPLOAD_TYPES = /^(text\/csv|application\/(x-ndjson|jsonl|x-jsonlines|json))$/;

function view(e: ExperimentRecord) {
  const base = `/api/experiments/${e.id}`;
  return { ...experimentView(e), links: { self: base, events: `${base}/events`, records: `${base}/records` } };
}

function intParam(url: URL, name: string, min: number, max: number): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new HttpError(400, "E_BAD_REQUEST", `${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return n;
}

function parsed<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const r = schema.safeParse(body);
  if (!r.success) {
    const msg = r.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
    throw new HttpError(400, "E_BAD_REQUEST", msg);
  }
  return r.data;
}

/** Reads a JSONL or CSV upload (format from ?format=, else the Content-Type) and parses it all-or-nothing. */
async function readUpload(req: IncomingMessage, url: URL) {
  const type = String(req.headers["content-type"] ?? "")
    .split(";", 1)[0]
    ?.trim()
    .toLowerCase();
  if (!type || !UPLOAD_TYPES.test(type))
    throw new HttpError(415, "E_UNSUPPORTED_MEDIA_TYPE", `send the dataset as Content-Type text/csv or application/x-ndjson (got ${type || "none"})`);
  const formatParam = url.searchParams.get("format");
  if (formatParam !== null && formatParam !== "csv" && formatParam !== "jsonl")
    throw new HttpError(400, "E_BAD_REQUEST", `format must be "jsonl" or "csv", got "${formatParam}"`);
  const format: DatasetFormat = (formatParam as DatasetFormat | null) ?? (type === "text/csv" ? "csv" : "jsonl");
  const text = await readBody(req, DATASET_UPLOAD_LIMIT);
  return { format, records: parseUpload(text, format) };
}

function toHttp(err: unknown): unknown {
  if (err instanceof ExperimentNotFoundError || err instanceof RunNotFoundError) return new HttpError(404, "E_NOT_FOUND", err.message);
  if (err instanceof DatasetInUseError) return new HttpError(409, "E_DATASET_IN_USE", err.message);
  if (err instanceof DatasetError) return new HttpError(400, err.code, err.message, { problems: err.problems });
  if (err instanceof BraidError) {
    if (err.code === "E_EXPERIMENT_STATE") return new HttpError(409, err.code, err.message);
    if (err.code === "E_DATASET_TOO_LARGE") return new HttpError(413, err.code, err.message);
    return new HttpError(400, err.code, err.message, {
      ...(err.nodeId ? { nodeId: err.nodeId } : {}),
      ...(err.details?.diagnostics ? { diagnostics: err.details.diagnostics } : {}),
    });
  }
  return err;
}

const wrap =
  (h: Handler): Handler =>
  async (ctx) => {
    try {
      await h(ctx);
    } catch (err) {
      throw toHttp(err);
    }
  };

export function registerExperimentRoutes(raw: Def): void {
  const def: Def = (method, path, h) => raw(method, path, wrap(h));

  def("GET", "/api/datasets", async ({ res, services }) => sendJson(res, 200, await services.datasets.list()));

  def("POST", "/api/datasets", async ({ req, res, url, services }) => {
    const name = parsed(DatasetName, url.searchParams.get("name") ?? "");
    const { format, records } = await readUpload(req, url);
    const d = await services.datasets.create(name, format, records);
    sendJson(res, 201, { ...d, created: true }, { location: `/api/datasets/${d.id}` });
  });

  def("GET", "/api/datasets/:id", async ({ res, url, params, services }) => {
    const id = params[0] as string;
    const version = intParam(url, "version", 1, Number.MAX_SAFE_INTEGER);
    const d = await datasetDetail(services, id, version, intParam(url, "preview", 0, MAX_PREVIEW) ?? DEFAULT_PREVIEW);
    if (!d) throw new HttpError(404, "E_NOT_FOUND", `dataset "${id}"${version ? ` version ${version}` : ""} not found`);
    sendJson(res, 200, d);
  });

  /** A new version from an upload; the same content as the current version is a no-op (`created: false`, 200). */
  def("POST", "/api/datasets/:id/versions", async ({ req, res, url, params, services }) => {
    const id = params[0] as string;
    if (!(await services.datasets.summary(id))) throw new HttpError(404, "E_NOT_FOUND", `dataset "${id}" not found`);
    const { format, records } = await readUpload(req, url);
    const r = await services.datasets.addVersion(id, format, records);
    if (!r) throw new HttpError(404, "E_NOT_FOUND", `dataset "${id}" not found`);
    sendJson(res, r.created ? 201 : 200, { ...r.summary, created: r.created });
  });

  def("POST", "/api/datasets/:id/records", async ({ req, res, params, services }) => {
    const id = params[0] as string;
    const { runId } = parsed(AddRunSchema, await readJson(req, services.config.bodyLimit, { maxDepth: services.config.maxJsonDepth }));
    const r = await addRunRecord(services.datasets, services.runs, id, runId);
    if (!r) throw new HttpError(404, "E_NOT_FOUND", `dataset "${id}" not found`);
    sendJson(res, r.created ? 201 : 200, { ...r.summary, created: r.created });
  });

  def("DELETE", "/api/datasets/:id", async ({ res, params, services }) => {
    const id = params[0] as string;
    if (!(await services.datasets.delete(id))) throw new HttpError(404, "E_NOT_FOUND", `dataset "${id}" not found`);
    sendJson(res, 200, { deleted: id });
  });

  def("GET", "/api/experiments", async ({ res, url, services }) => {
    sendJson(res, 200, (await services.experiments.list(intParam(url, "limit", 1, 1000) ?? 100)).map(view));
  });

  def("POST", "/api/experiments", async ({ req, res, services }) => {
    const body = parsed(CreateExperimentSchema, await readJson(req, services.config.bodyLimit, { maxDepth: services.config.maxJsonDepth }));
    const e = await services.experiments.create(body);
    sendJson(res, 202, view(e), { location: `/api/experiments/${e.id}` });
  });

  // Before /api/experiments/:id, which would take "compare" for an id.
  def("GET", "/api/experiments/compare", async ({ res, url, services }) => {
    const a = url.searchParams.get("a");
    const b = url.searchParams.get("b");
    if (!a || !b) throw new HttpError(400, "E_BAD_REQUEST", "give both experiments: ?a=<candidate>&b=<baseline>");
    const gates = url.searchParams.getAll("gate");
    const limit = intParam(url, "limit", 0, 1000);
    sendJson(res, 200, await compareFor(services, a, b, { gates, ...(limit !== undefined ? { limit } : {}) }));
  });

  const found = async (services: Services, id: string): Promise<ExperimentRecord> => {
    const e = await services.experiments.get(id);
    if (!e) throw new HttpError(404, "E_NOT_FOUND", `experiment "${id}" not found`);
    return e;
  };

  def("GET", "/api/experiments/:id", async ({ res, params, services }) => sendJson(res, 200, view(await found(services, params[0] as string))));

  def("GET", "/api/experiments/:id/records", async ({ res, params, services }) => {
    const e = await found(services, params[0] as string);
    sendJson(res, 200, await services.experiments.rows(e.id));
  });

  def("GET", "/api/experiments/:id/events", async ({ res, params, services }) => {
    const id = (await found(services, params[0] as string)).id;
    const m = services.experiments;
    const finished = (e: ExperimentEvent) => e.type === "finished";
    const frame = (e: ExperimentEvent) => `event: ${e.type}\ndata: ${JSON.stringify(view(e.experiment))}\n\n`;
    await serveSse(res, "braid experiment progress", async function* (signal) {
      // Subscribed before reading the state, so nothing in between is lost.
      const live = subscription<ExperimentEvent>((l) => m.subscribe(id, l), finished, signal);
      const now = await m.get(id);
      if (!now) return live.close();
      const first: ExperimentEvent = { type: now.status === "running" ? "progress" : "finished", experiment: now };
      yield frame(first);
      if (finished(first)) return live.close();
      for await (const e of live) yield frame(e);
    });
  });

  def("POST", "/api/experiments/:id/cancel", async ({ res, params, services }) => {
    const e = await found(services, params[0] as string);
    sendJson(res, 200, { id: e.id, cancelled: await services.experiments.cancel(e.id) });
  });

  def("POST", "/api/experiments/:id/resume", async ({ res, params, services }) => {
    const e = await found(services, params[0] as string);
    sendJson(res, 202, view(await services.experiments.resume(e.id)));
  });

  def("POST", "/api/experiments/:id/gates", async ({ req, res, params, services }) => {
    const body = parsed(GatesSchema, await readJson(req, services.config.bodyLimit, { maxDepth: services.config.maxJsonDepth }));
    sendJson(res, 200, await gatesFor(services, params[0] as string, body.gates, body.baseline));
  });
}
