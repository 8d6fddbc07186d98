import type { IncomingMessage, ServerResponse } from "node:http";
import { BraidError, PipelineInvalidError, type RunEvent, type StatsWindow } from "@braid/engine";
import { QueueFullError, ShuttingDownError } from "../runs/manager.js";
import type { Services } from "../services.js";
import { runUsage } from "../views.js";
import { WindowSchema, backendRows, backendStats } from "../trpc/backends.js";
import { MAX_SEED, SeedSchema } from "../trpc/router.js";
import { type LoginLimiter, TOKEN_COOKIE, tokenMatches } from "./auth.js";
import { requestedBackend } from "./backend-header.js";
import { registerBatchRoutes } from "./batches.js";
import { openApiDocument } from "./openapi.js";
import { HttpError, readJson, sendJson } from "./util.js";

type Handler = (ctx: { req: IncomingMessage; res: ServerResponse; url: URL; params: string[]; services: Services }) => Promise<void> | void;

interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

const SEG = "([A-Za-z0-9_.:-]+)";
const routes: Route[] = [];
const route = (method: string, path: string, handler: Handler) => routes.push({ method, pattern: new RegExp(`^${path.replace(/:\w+/g, SEG)}$`), handler });

/** Every REST route, for the auth test and the OpenAPI document. */
export const REST_ROUTES: Array<{ method: string; path: string }> = [];
const def = (method: string, path: string, handler: Handler) => {
  REST_ROUTES.push({ method, path });
  route(method, path, handler);
};

def("GET", "/api/pipelines", ({ res, services }) => sendJson(res, 200, services.pipelines.list()));

def("GET", "/api/pipelines/:id", ({ res, params, services }) => {
  const p = services.pipelines.get(params[0] as string);
  if (!p) throw new HttpError(404, "E_NOT_FOUND", `pipeline "${params[0]}" not found`);
  sendJson(res, 200, { id: p.summary.id, version: p.version, pipeline: p.pipeline });
});

def("POST", "/api/pipelines/:id/runs", async ({ req, res, url, params, services }) => {
  const id = params[0] as string;
  const saved = services.pipelines.get(id);
  if (!saved) throw new HttpError(404, "E_NOT_FOUND", `pipeline "${id}" not found`);
  const input = await readJson(req, services.config.bodyLimit, { allowEmpty: true, maxDepth: services.config.maxJsonDepth });
  const backend = requestedBackend(req, services.pool);
  const seedParam = url.searchParams.get("seed");
  const seed = seedParam === null ? undefined : SeedSchema.safeParse(seedParam === "" ? Number.NaN : Number(seedParam)).data;
  if (seedParam !== null && seed === undefined) throw new HttpError(400, "E_BAD_REQUEST", `seed must be an integer from 0 to ${MAX_SEED}, got "${seedParam}"`);
  const run = services.manager.submit({
    pipeline: saved.pipeline,
    pipelineId: id,
    pipelineVersion: saved.version,
    input,
    ...(seed !== undefined ? { seed } : {}),
    options: backend ? { backendOverride: backend } : {},
  });
  services.otel?.joinTrace(run.id, req.headers);
  if (url.searchParams.get("wait") !== "true") {
    sendJson(res, 202, { runId: run.id, status: run.status, events: `/api/runs/${run.id}/events` }, { location: `/api/runs/${run.id}` });
    return;
  }
  const closed = new AbortController();
  res.on("close", () => closed.abort());
  for await (const _ of services.hub.follow(services.runs, run.id, 0, closed.signal));
  const done = services.runs.get(run.id);
  if (!done || closed.signal.aborted) return;
  sendJson(res, 200, {
    runId: done.id,
    status: done.status,
    output: done.output ?? null,
    usage: runUsage(services.runs, done),
    ...(done.error ? { error: done.error } : {}),
  });
});

def("GET", "/api/runs/:id", ({ res, params, services }) => {
  const run = services.runs.get(params[0] as string);
  if (!run) throw new HttpError(404, "E_NOT_FOUND", `run "${params[0]}" not found`);
  const { pipeline: _pipeline, ...rest } = run;
  sendJson(res, 200, { ...rest, usage: runUsage(services.runs, run) });
});

def("GET", "/api/runs/:id/events", async ({ req, res, url, params, services }) => {
  const id = params[0] as string;
  if (!services.runs.get(id)) throw new HttpError(404, "E_NOT_FOUND", `run "${id}" not found`);
  const lastId = header(req, "last-event-id") ?? url.searchParams.get("lastEventId") ?? "0";
  const after = Number(lastId);
  if (!Number.isInteger(after) || after < 0) throw new HttpError(400, "E_BAD_REQUEST", "Last-Event-ID must be a sequence number");
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", connection: "keep-alive", "x-accel-buffering": "no" });
  res.write(": braid run events\n\n");
  const closed = new AbortController();
  res.on("close", () => closed.abort());
  const ping = setInterval(() => res.write(": ping\n\n"), 15_000);
  try {
    for await (const e of services.hub.follow(services.runs, id, after, closed.signal)) res.write(sseFrame(e.seq, e.event));
  } finally {
    clearInterval(ping);
    res.end();
  }
});

def("POST", "/api/runs/:id/cancel", ({ res, params, services }) => {
  const id = params[0] as string;
  if (!services.runs.get(id)) throw new HttpError(404, "E_NOT_FOUND", `run "${id}" not found`);
  sendJson(res, 200, { runId: id, cancelled: services.manager.cancel(id) });
});

registerBatchRoutes(def);

def("GET", "/api/backends", ({ res, url, services }) => {
  const window = url.searchParams.get("window") ?? "all";
  if (!WindowSchema.safeParse(window).success) throw new HttpError(400, "E_BAD_REQUEST", 'window must be "5m", "1h" or "all"');
  const w = window as StatsWindow;
  sendJson(res, 200, { window, at: Date.now(), backends: backendRows(services, w), transitions: backendStats(services.pool, w).transitions });
});

def("GET", "/api/openapi.json", ({ res }) => sendJson(res, 200, openApiDocument()));

/** Sets the auth cookie from a token, so browsers (and EventSource) can use the API. */
export async function login(req: IncomingMessage, res: ServerResponse, services: Services, limiter: LoginLimiter): Promise<void> {
  const expected = services.config.token;
  const address = req.socket.remoteAddress ?? "unknown";
  const wait = expected ? limiter.retryAfter(address) : 0;
  if (wait > 0)
    throw new HttpError(429, "E_RATE_LIMITED", `too many failed logins from this address; try again in ${wait} s`, {}, { "retry-after": String(wait) });
  const body = (await readJson(req, 4096)) as { token?: unknown };
  if (!expected) {
    sendJson(res, 200, { ok: true, tokenRequired: false });
    return;
  }
  if (typeof body?.token !== "string" || !tokenMatches(body.token, expected)) {
    limiter.fail(address);
    throw new HttpError(401, "E_UNAUTHORIZED", "wrong token");
  }
  limiter.succeed(address);
  sendJson(res, 200, { ok: true }, { "set-cookie": `${TOKEN_COOKIE}=${encodeURIComponent(body.token)}; HttpOnly; SameSite=Strict; Path=/` });
}

const sseFrame = (seq: number, e: RunEvent) => `id: ${seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Routes a REST request; returns false when no route matches the path. */
export async function handleRest(req: IncomingMessage, res: ServerResponse, url: URL, services: Services): Promise<boolean> {
  const matching = routes.map((r) => ({ r, m: r.pattern.exec(url.pathname) })).filter((x) => x.m);
  if (matching.length === 0) return false;
  const hit = matching.find((x) => x.r.method === req.method);
  if (!hit) throw new HttpError(405, "E_METHOD", `${req.method} is not allowed on ${url.pathname}`, {}, { allow: matching.map((x) => x.r.method).join(", ") });
  try {
    await hit.r.handler({ req, res, url, params: (hit.m as RegExpExecArray).slice(1), services });
  } catch (err) {
    throw toHttpError(err);
  }
  return true;
}

export function toHttpError(err: unknown): unknown {
  if (err instanceof HttpError) return err;
  if (err instanceof PipelineInvalidError) return new HttpError(400, err.code, err.message, { diagnostics: err.diagnostics });
  if (err instanceof BraidError) return new HttpError(400, err.code, err.message, err.nodeId ? { nodeId: err.nodeId } : {});
  if (err instanceof QueueFullError) return new HttpError(429, "E_QUEUE_FULL", err.message, {}, { "retry-after": String(err.retryAfterSeconds) });
  if (err instanceof ShuttingDownError) return new HttpError(503, "E_SHUTTING_DOWN", err.message, {}, { "retry-after": "5" });
  return err;
}
