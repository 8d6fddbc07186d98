import type { IncomingMessage, ServerResponse } from "node:http";
import { BraidError, PipelineInvalidError, RUN_STATUSES, type RunEvent, type RunStatus, type StatsWindow } from "@braid/engine";
import { NotFoundError } from "../optimizer/deployments.js";
import { waitingReviews } from "../runs/approvals.js";
import { QueueUnavailableError } from "../queue/redis.js";
import { NotWaitingError, QueueFullError, ShuttingDownError } from "../runs/manager.js";
import type { Services } from "../services.js";
import { runUsage } from "../views.js";
import { WindowSchema, backendRows, backendStats } from "../trpc/backends.js";
import { MAX_SEED, SeedSchema } from "../trpc/router.js";
import { type LoginLimiter, TOKEN_COOKIE, configuredTokens, tokenName } from "./auth.js";
import { requestedBackend } from "./backend-header.js";
import { registerBatchRoutes } from "./batches.js";
import { registerDeploymentRoutes } from "./deployments.js";
import { registerExperimentRoutes } from "./experiments.js";
import { openApiDocument } from "./openapi.js";
import { serveSse } from "./sse.js";
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

def("GET", "/api/pipelines", async ({ res, services }) => sendJson(res, 200, await services.pipelines.list()));

def("GET", "/api/pipelines/:id", async ({ res, params, services }) => {
  const p = await services.pipelines.get(params[0] as string);
  if (!p) throw new HttpError(404, "E_NOT_FOUND", `pipeline "${params[0]}" not found`);
  sendJson(res, 200, { id: p.summary.id, version: p.version, pipeline: p.pipeline });
});

def("POST", "/api/pipelines/:id/runs", async ({ req, res, url, params, services }) => {
  const id = params[0] as string;
  if (!(await services.pipelines.get(id))) throw new HttpError(404, "E_NOT_FOUND", `pipeline "${id}" not found`);
  const version = versionParam(url);
  const input = await readJson(req, services.config.bodyLimit, { allowEmpty: true, maxDepth: services.config.maxJsonDepth });
  const backend = requestedBackend(req, services.pool);
  const seedParam = url.searchParams.get("seed");
  const seed = seedParam === null ? undefined : SeedSchema.safeParse(seedParam === "" ? Number.NaN : Number(seedParam)).data;
  if (seedParam !== null && seed === undefined) throw new HttpError(400, "E_BAD_REQUEST", `seed must be an integer from 0 to ${MAX_SEED}, got "${seedParam}"`);
  // Chosen after the body is read, so a tag that changes meanwhile is seen: the run gets the version current when it is submitted.
  const splitKey = header(req, "x-braid-split-key");
  const picked = await services.deployments.pick(id, { ...(version !== undefined ? { version } : {}), ...(splitKey ? { splitKey } : {}) });
  const run = await services.manager.submit({
    pipeline: picked.pipeline,
    pipelineId: id,
    pipelineVersion: picked.version,
    input,
    ...(seed !== undefined ? { seed } : {}),
    options: { ...(backend ? { backendOverride: backend } : {}), traffic: picked.traffic },
  });
  services.otel?.joinTrace(run.id, req.headers);
  const versionHeaders = { "x-braid-pipeline-version": String(picked.version), "x-braid-traffic": picked.traffic };
  if (url.searchParams.get("wait") !== "true") {
    sendJson(
      res,
      202,
      { runId: run.id, status: run.status, pipelineVersion: picked.version, traffic: picked.traffic, events: `/api/runs/${run.id}/events` },
      { location: `/api/runs/${run.id}`, ...versionHeaders },
    );
    return;
  }
  const closed = new AbortController();
  res.on("close", () => closed.abort());
  // A run that pauses for a review answers as `waiting`; resume it with POST /api/runs/:id/resume.
  for await (const e of services.hub.follow(services.runs, run.id, 0, closed.signal)) if (e.event.type === "run_waiting") break;
  const done = await services.runs.get(run.id);
  if (!done || closed.signal.aborted) return;
  sendJson(
    res,
    200,
    {
      runId: done.id,
      status: done.status,
      pipelineVersion: picked.version,
      traffic: picked.traffic,
      output: done.output ?? null,
      usage: await runUsage(services.runs, done),
      ...(done.error ? { error: done.error } : {}),
    },
    versionHeaders,
  );
});

/** `?version=N`: a positive integer, or absent. */
function versionParam(url: URL): number | undefined {
  const raw = url.searchParams.get("version");
  if (raw === null) return undefined;
  const n = Number(raw);
  if (raw === "" || !Number.isSafeInteger(n) || n < 1) throw new HttpError(400, "E_BAD_REQUEST", `version must be a positive integer, got "${raw}"`);
  return n;
}

def("GET", "/api/runs/:id", async ({ res, params, services }) => {
  const run = await services.runs.get(params[0] as string);
  if (!run) throw new HttpError(404, "E_NOT_FOUND", `run "${params[0]}" not found`);
  const { pipeline: _pipeline, ...rest } = run;
  sendJson(res, 200, { ...rest, usage: await runUsage(services.runs, run) });
});

def("GET", "/api/runs/:id/events", async ({ req, res, url, params, services }) => {
  const id = params[0] as string;
  if (!(await services.runs.get(id))) throw new HttpError(404, "E_NOT_FOUND", `run "${id}" not found`);
  const lastId = header(req, "last-event-id") ?? url.searchParams.get("lastEventId") ?? "0";
  const after = Number(lastId);
  if (!Number.isInteger(after) || after < 0) throw new HttpError(400, "E_BAD_REQUEST", "Last-Event-ID must be a sequence number");
  await serveSse(res, "braid run events", async function* (signal) {
    for await (const e of services.hub.follow(services.runs, id, after, signal)) yield sseFrame(e.seq, e.event);
  });
});

def("POST", "/api/runs/:id/cancel", async ({ res, params, services }) => {
  const id = params[0] as string;
  if (!(await services.runs.get(id))) throw new HttpError(404, "E_NOT_FOUND", `run "${id}" not found`);
  sendJson(res, 200, { runId: id, cancelled: await services.manager.cancel(id) });
});

def("GET", "/api/runs", async ({ res, url, services }) => {
  const status = url.searchParams.get("status");
  if (status !== null && !(RUN_STATUSES as readonly string[]).includes(status))
    throw new HttpError(400, "E_BAD_REQUEST", `status must be one of ${RUN_STATUSES.join(", ")}, got "${status}"`);
  const pipelineId = url.searchParams.get("pipelineId");
  sendJson(res, 200, await services.runs.list({ ...(status ? { status: status as RunStatus } : {}), ...(pipelineId ? { pipelineId } : {}) }));
});

/** Runs waiting for a review across pipelines, with what each reviewer needs to see. */
def("GET", "/api/reviews", async ({ res, services }) => sendJson(res, 200, await waitingReviews(services.runs)));

def("POST", "/api/runs/:id/resume", async ({ req, res, params, services }) => {
  const id = params[0] as string;
  if (!(await services.runs.get(id))) throw new HttpError(404, "E_NOT_FOUND", `run "${id}" not found`);
  const body = await readJson(req, services.config.bodyLimit, { maxDepth: services.config.maxJsonDepth });
  if (body === null || typeof body !== "object" || Array.isArray(body))
    throw new HttpError(400, "E_BAD_REQUEST", 'send {"node", "decision", "value"?, "reviewer"?, "comment"?}');
  const b = body as Record<string, unknown>;
  for (const field of ["node", "decision"]) if (typeof b[field] !== "string") throw new HttpError(400, "E_REVIEW_INVALID", `${field}: must be a string`);
  for (const field of ["reviewer", "comment"])
    if (b[field] !== undefined && (typeof b[field] !== "string" || (b[field] as string).length > 2000))
      throw new HttpError(400, "E_REVIEW_INVALID", `${field}: must be a string of at most 2000 characters`);
  try {
    const run = await services.manager.resume(id, {
      node: b.node as string,
      decision: b.decision as string,
      ...(b.value !== undefined ? { value: b.value } : {}),
      ...(b.reviewer !== undefined ? { reviewer: b.reviewer as string } : {}),
      ...(b.comment !== undefined ? { comment: b.comment as string } : {}),
    });
    sendJson(res, 202, { runId: id, status: run.status, events: `/api/runs/${id}/events` });
  } catch (err) {
    if (err instanceof NotWaitingError) throw new HttpError(409, err.code, err.message);
    throw err;
  }
});

registerBatchRoutes(def);
registerExperimentRoutes(def);
registerDeploymentRoutes(def);

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
  if (typeof body?.token !== "string" || tokenName(body.token, configuredTokens(services.config)) === undefined) {
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

/** Braid codes that are not a 400. */
const STATUS_OF: Partial<Record<string, number>> = { E_VERSION_NOT_FOUND: 404, E_NO_CANDIDATE: 409, E_ACTION_STATE: 409 };

export function toHttpError(err: unknown): unknown {
  if (err instanceof HttpError) return err;
  if (err instanceof PipelineInvalidError) return new HttpError(400, err.code, err.message, { diagnostics: err.diagnostics });
  if (err instanceof NotFoundError) return new HttpError(404, "E_NOT_FOUND", err.message);
  if (err instanceof BraidError) return new HttpError(STATUS_OF[err.code] ?? 400, err.code, err.message, err.nodeId ? { nodeId: err.nodeId } : {});
  if (err instanceof QueueFullError) return new HttpError(429, "E_QUEUE_FULL", err.message, {}, { "retry-after": String(err.retryAfterSeconds) });
  if (err instanceof ShuttingDownError) return new HttpError(503, "E_SHUTTING_DOWN", err.message, {}, { "retry-after": "5" });
  if (err instanceof QueueUnavailableError) return new HttpError(503, "E_QUEUE_UNAVAILABLE", err.message, {}, { "retry-after": "2" });
  return err;
}
