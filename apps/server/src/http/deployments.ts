/**
 * REST routes for deployments and the optimizer: version tags, policy and live metrics per
 * pipeline; the optimizer's seed-compatible API (status, trigger, metrics, history, quality gates,
 * start/stop, approvals); the audit trail (JSON or JSONL; read-only). Registered through rest.ts's
 * `def`, so auth and the route list cover them; errors map through rest.ts's toHttpError.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";
import type { Services } from "../services.js";
import {
  AuditFilterInput,
  GateChangeInput,
  PendingFilter,
  ReasonInput,
  RestoreInput,
  SuggestInput,
  TrialFilter,
  TagInput,
  UntagInput,
  WindowInput,
  auditJsonl,
  metricsFor,
  person,
} from "../trpc/deployments.js";
import { HttpError, readJson, sendJson } from "./util.js";

type Handler = (ctx: { req: IncomingMessage; res: ServerResponse; url: URL; params: string[]; services: Services }) => Promise<void> | void;
type Def = (method: string, path: string, handler: Handler) => void;

function parsed<S extends z.ZodType>(schema: S, value: unknown, code = "E_BAD_REQUEST"): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new HttpError(400, code, r.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "));
  return r.data;
}

/** An empty body (where allowed) is `{}`; a JSON `null` stays null, for the schema to refuse. */
async function body(req: IncomingMessage, s: Services, allowEmpty = false): Promise<unknown> {
  const v = await readJson(req, s.config.bodyLimit, { allowEmpty, maxDepth: s.config.maxJsonDepth });
  return v === undefined ? {} : v;
}

/** Query parameters as an object, numbers where the schema wants them (`limit`, `windowRuns`, …). */
function query(url: URL, numeric: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of url.searchParams) if (k !== "format") out[k] = numeric.includes(k) && v !== "" && Number.isFinite(Number(v)) ? Number(v) : v;
  return out;
}

export function registerDeploymentRoutes(def: Def): void {
  def("GET", "/api/pipelines/:id/deployment", async ({ res, params, services }) => sendJson(res, 200, await services.deployments.view(params[0] as string)));

  def("POST", "/api/pipelines/:id/tags", async ({ req, res, params, services }) => {
    const b = parsed(TagInput, await body(req, services));
    sendJson(res, 200, await services.deployments.tag(params[0] as string, b.tag, b.version, person(b.reason)));
  });

  def("DELETE", "/api/pipelines/:id/tags/:tag", async ({ res, params, services }) => {
    const b = parsed(UntagInput, { tag: params[1] });
    sendJson(res, 200, await services.deployments.untag(params[0] as string, b.tag, person()));
  });

  def("POST", "/api/pipelines/:id/promote", async ({ req, res, params, services }) => {
    const b = parsed(ReasonInput, await body(req, services, true));
    sendJson(res, 200, await services.deployments.promote(params[0] as string, person(b.reason)));
  });

  def("POST", "/api/pipelines/:id/restore", async ({ req, res, params, services }) => {
    const b = parsed(RestoreInput, await body(req, services));
    sendJson(res, 200, await services.deployments.restore(params[0] as string, b.version, person(b.reason)));
  });

  def("GET", "/api/pipelines/:id/policy", async ({ res, params, services }) =>
    sendJson(res, 200, (await services.deployments.view(params[0] as string)).policy),
  );

  def("PUT", "/api/pipelines/:id/policy", async ({ req, res, params, services }) => {
    // The whole body is the policy; E_POLICY (from parsePolicy) names a bad field.
    sendJson(res, 200, await services.deployments.setPolicy(params[0] as string, await body(req, services), person()));
  });

  def("GET", "/api/pipelines/:id/metrics", async ({ res, url, params, services }) => {
    const w = parsed(WindowInput, { ...query(url, ["windowRuns", "windowMs"]), pipelineId: params[0] });
    sendJson(res, 200, (await metricsFor(services, w))[0]);
  });

  def("GET", "/api/optimizer/status", async ({ res, services }) => sendJson(res, 200, await services.optimizer.status()));
  def("POST", "/api/optimizer/trigger", async ({ res, services }) => sendJson(res, 200, await services.optimizer.cycle("manual")));
  def("GET", "/api/optimizer/metrics", async ({ res, url, services }) =>
    sendJson(res, 200, await metricsFor(services, parsed(WindowInput, query(url, ["windowRuns", "windowMs"])))),
  );

  def("GET", "/api/optimizer/history", async ({ res, url, services }) => {
    const raw = url.searchParams.get("limit");
    const limit = raw === null ? 50 : Number(raw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw new HttpError(400, "E_BAD_REQUEST", `limit must be an integer from 1 to 1000, got "${raw}"`);
    sendJson(res, 200, await services.optimizer.history(limit));
  });

  def("GET", "/api/optimizer/quality-gates", async ({ res, url, services }) => {
    const id = url.searchParams.get("pipelineId");
    sendJson(res, 200, await services.optimizer.gates(id ?? undefined));
  });

  def("POST", "/api/optimizer/quality-gates/:name", async ({ req, res, params, services }) => {
    const b = parsed(GateChangeInput, await body(req, services), "E_POLICY");
    const change = { ...(b.threshold !== undefined ? { threshold: b.threshold } : {}), ...(b.expr !== undefined ? { expr: b.expr } : {}) };
    sendJson(res, 200, await services.optimizer.setGate(b.pipelineId, params[0] as string, change, person(b.reason)));
  });

  def("POST", "/api/optimizer/start", async ({ req, res, services }) => {
    sendJson(res, 200, await services.optimizer.start(person(parsed(ReasonInput, await body(req, services, true)).reason)));
  });

  def("POST", "/api/optimizer/stop", async ({ req, res, services }) => {
    sendJson(res, 200, await services.optimizer.stop(person(parsed(ReasonInput, await body(req, services, true)).reason)));
  });

  def("GET", "/api/optimizer/pending", async ({ res, url, services }) =>
    sendJson(res, 200, await services.optimizer.pending(parsed(PendingFilter, query(url, ["limit"])))),
  );

  def("POST", "/api/optimizer/suggest", async ({ req, res, services }) => {
    sendJson(res, 200, await services.optimizer.suggest(parsed(SuggestInput, await body(req, services)), person()));
  });

  def("GET", "/api/optimizer/trials", async ({ res, url, services }) =>
    sendJson(res, 200, await services.optimizer.trials(parsed(TrialFilter, query(url, ["limit"])))),
  );

  def("POST", "/api/optimizer/pending/:id/approve", async ({ req, res, params, services }) => {
    sendJson(res, 200, await services.optimizer.approve(params[0] as string, person(parsed(ReasonInput, await body(req, services, true)).reason)));
  });

  def("POST", "/api/optimizer/pending/:id/reject", async ({ req, res, params, services }) => {
    sendJson(res, 200, await services.optimizer.reject(params[0] as string, person(parsed(ReasonInput, await body(req, services, true)).reason)));
  });

  def("GET", "/api/audit", async ({ res, url, services }) => {
    const format = url.searchParams.get("format") ?? "json";
    if (format !== "json" && format !== "jsonl") throw new HttpError(400, "E_BAD_REQUEST", `format must be "json" or "jsonl", got "${format}"`);
    const filter = parsed(AuditFilterInput, query(url, ["limit", "afterId"]));
    if (format === "json") return sendJson(res, 200, await services.audit.list(filter));
    const text = await auditJsonl(services, filter);
    res.writeHead(200, {
      "content-type": "application/x-ndjson; charset=utf-8",
      "content-length": Buffer.byteLength(text),
      "content-disposition": 'attachment; filename="braid-audit.jsonl"',
      "cache-control": "no-store",
    });
    res.end(text);
  });
}
