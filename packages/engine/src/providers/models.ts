import { type BackendConfig, DEFAULT_BASE_URLS, isPlainObject } from "@braid/core";
import type { ProviderDeps } from "./chat.js";
import { resolveCredentials } from "./credentials.js";
import { OPEN_EGRESS, checkEgress } from "./egress.js";
import { BackendConfigError, toBackendError, unexpectedAnswer } from "./errors.js";
import { type LastResponse, guardedFetch } from "./http.js";
import { redact } from "./redact.js";

/** Anthropic's API version header, the one its SDK sends. */
const ANTHROPIC_VERSION = "2023-06-01";

export interface ModelList {
  /** The model ids the server lists. */
  models: string[];
  /** Whether the backend's configured model is one of them. */
  listed: boolean;
}

/** Where each provider lists its models, and how to read the answer. */
const ROUTES: Record<string, { path: string; field: string; ids: (doc: Record<string, unknown>) => unknown[] | undefined }> = {
  openai: { path: "/models", field: "data[].id", ids: (d) => (Array.isArray(d.data) ? d.data.map((m) => (isPlainObject(m) ? m.id : undefined)) : undefined) },
  anthropic: {
    path: "/v1/models?limit=1000",
    field: "data[].id",
    ids: (d) => (Array.isArray(d.data) ? d.data.map((m) => (isPlainObject(m) ? m.id : undefined)) : undefined),
  },
  ollama: {
    path: "/api/tags",
    field: "models[].name",
    ids: (d) => (Array.isArray(d.models) ? d.models.map((m) => (isPlainObject(m) ? (m.name ?? m.model) : undefined)) : undefined),
  },
};

/** Ollama lists `llama3.2:latest` for a model pulled as `llama3.2`. */
export const modelListed = (model: string, ids: readonly string[]): boolean => ids.includes(model) || (!model.includes(":") && ids.includes(`${model}:latest`));

/**
 * "Test connection" without a paid call: the provider's model list (`GET /v1/models` for
 * OpenAI-compatible servers and Anthropic, `GET /api/tags` for Ollama), through the same guarded
 * fetch, key, extra headers, egress policy and error mapping as a completion. Returns undefined
 * when the server has no such route (404, 405, 501), so the caller can fall back to a tiny call.
 */
export async function listModels(cfg: BackendConfig, deps: ProviderDeps = {}, signal?: AbortSignal): Promise<ModelList | undefined> {
  const route = ROUTES[cfg.provider];
  if (!route) throw new BackendConfigError(`provider "${cfg.provider}" has no model list`);
  const base = (cfg.baseUrl ?? DEFAULT_BASE_URLS[cfg.provider] ?? "").replace(/\/+$/, "");
  const policy = deps.egress ?? OPEN_EGRESS;
  const egress = checkEgress(base, policy);
  if (!egress.ok) throw new BackendConfigError(egress.reason);
  const { apiKey, headers, secrets } = resolveCredentials(cfg, deps.env ?? process.env);
  const timeout = AbortSignal.timeout(cfg.timeoutMs);
  const all = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const last: LastResponse = {};
  const fetch = guardedFetch({ origin: egress.origin, policy, signal: all, last, headers, ...(deps.fetch ? { fetch: deps.fetch } : {}) });
  const auth: Record<string, string> =
    cfg.provider === "anthropic"
      ? { "anthropic-version": ANTHROPIC_VERSION, ...(apiKey ? { "x-api-key": apiKey } : {}) }
      : apiKey
        ? { authorization: `Bearer ${apiKey}` }
        : {};
  const context = () => ({
    backend: cfg.name,
    timeoutMs: cfg.timeoutMs,
    timedOut: timeout.aborted && !signal?.aborted,
    aborted: signal?.aborted ?? false,
    last,
    secrets,
    apiKeyEnv: cfg.apiKeyEnv,
    answerField: route.field,
  });
  let doc: unknown;
  try {
    const res = await fetch(`${base}${route.path}`, { headers: { accept: "application/json", ...auth } });
    if (res.status === 404 || res.status === 405 || res.status === 501) return undefined;
    if (res.status >= 400) throw Object.assign(new Error(res.statusText), { name: "HTTPError", status: res.status });
    doc = await res.json();
  } catch (err) {
    throw toBackendError(err, context());
  }
  const ids = isPlainObject(doc) ? route.ids(doc) : undefined;
  if (!ids) throw new Error(unexpectedAnswer(last.status ?? 200, last.body?.head ?? "", secrets, route.field));
  const models = ids.filter((id): id is string => typeof id === "string").map((id) => redact(id, secrets));
  return { models, listed: modelListed(cfg.model, models) };
}
