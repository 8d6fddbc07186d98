import type { Diagnostic } from "../format/diagnostics.js";
import { issuePath } from "../format/parse.js";
import { isPlainObject } from "../json.js";
import { type BackendConfig, type BackendConfigInput, BackendConfigSchema, type Provider } from "./types.js";

/**
 * Where each provider goes when a backend gives no baseUrl (the simulated provider goes nowhere).
 * The one definition: the engine's providers, the server's views and the web form's hints use it.
 */
export const DEFAULT_BASE_URLS: Readonly<Partial<Record<Provider, string>>> = {
  openai: "https://api.openai.com/v1",
  ollama: "http://127.0.0.1:11434",
  anthropic: "https://api.anthropic.com",
};

/** Latency presets for the default simulated pool; `zero` is for benchmarks and fast tests. */
export type LatencyProfile = "realistic" | "zero";

/**
 * The embedded default pool: three simulated tiers, so every example runs offline.
 * Prices are in the range of today's fast, quality and premium hosted models, so that
 * cost figures in traces are meaningful; they are labelled simulated everywhere.
 */
export function defaultBackendConfigs(profile: LatencyProfile = "realistic"): BackendConfig[] {
  const zero = profile === "zero";
  const tiers: BackendConfigInput[] = [
    {
      name: "generator",
      provider: "simulated",
      model: "sim-fast",
      description: "fast tier (simulated)",
      pricing: { input: 0.00015, output: 0.0006 },
      simulation: { latencyMs: zero ? 0 : 100, defectRate: 0.35, streamChunks: zero ? 0 : 3 },
    },
    {
      name: "enricher",
      provider: "simulated",
      model: "sim-quality",
      description: "quality tier (simulated)",
      pricing: { input: 0.0025, output: 0.01 },
      simulation: { latencyMs: zero ? 0 : 400, defectRate: 0.1, streamChunks: zero ? 0 : 3 },
    },
    {
      name: "validator",
      provider: "simulated",
      model: "sim-premium",
      description: "premium tier (simulated)",
      pricing: { input: 0.01, output: 0.03 },
      simulation: { latencyMs: zero ? 0 : 800, defectRate: 0.02, streamChunks: zero ? 0 : 3 },
    },
  ];
  return tiers.map((t) => BackendConfigSchema.parse(t));
}

const ENV_REF = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;
const PROVIDER_ALIASES: Record<string, BackendConfig["provider"]> = {
  simulated: "simulated",
  mock: "simulated",
  openai: "openai",
  "openai-compatible": "openai",
  lmstudio: "openai",
  vllm: "openai",
  llamacpp: "openai",
  ollama: "ollama",
  anthropic: "anthropic",
};

/**
 * Converts one entry of the background documents' `MockLlmApi.LlmBackends` list. Ollama there
 * is addressed through its OpenAI-compatible `/v1` URL, so a `/v1` base URL maps to `openai`.
 */
function fromMockEntry(e: Record<string, unknown>, top: Record<string, unknown>, index: number, diags: Diagnostic[]): unknown {
  const providerRaw = String(e.Provider ?? "openai").toLowerCase();
  let provider = PROVIDER_ALIASES[providerRaw] ?? providerRaw;
  const baseUrl = typeof e.BaseUrl === "string" ? e.BaseUrl : undefined;
  if (provider === "ollama" && baseUrl && /\/v1\/?$/.test(baseUrl)) provider = "openai";
  const out: Record<string, unknown> = { name: e.Name, provider, model: e.ModelName ?? "default" };
  if (baseUrl) out.baseUrl = baseUrl;
  if (typeof e.MaxTokens === "number") out.maxTokens = e.MaxTokens;
  if (typeof e.Enabled === "boolean") out.enabled = e.Enabled;
  if (typeof e.Weight === "number") out.weight = e.Weight;
  if (typeof e.Temperature === "number") out.temperature = e.Temperature;
  if (typeof top.MaxRetryAttempts === "number") out.retries = top.EnableRetryPolicy === false ? 0 : top.MaxRetryAttempts;
  else if (top.EnableRetryPolicy === false) out.retries = 0;
  if (typeof top.EnableCircuitBreaker === "boolean") out.circuitBreaker = top.EnableCircuitBreaker;
  if (typeof top.TimeoutSeconds === "number") out.timeoutMs = Math.round(top.TimeoutSeconds * 1000);
  if (typeof e.ApiKey === "string" && e.ApiKey !== "") {
    const m = ENV_REF.exec(e.ApiKey);
    if (m) out.apiKeyEnv = m[1];
    else {
      diags.push({
        code: "E_FORMAT",
        severity: "error",
        path: `MockLlmApi.LlmBackends[${index}].ApiKey`,
        message: `backend "${String(e.Name)}": a literal API key is refused; write "ApiKey": "\${OPENAI_API_KEY}" (an environment variable reference) so keys never land in files`,
      });
    }
  }
  return out;
}

export interface BackendsFileResult {
  backends: BackendConfig[];
  diagnostics: Diagnostic[];
}

/**
 * Reads a backends file: `{ "backends": [...] }`, a bare array, or the background documents'
 * `{ "MockLlmApi": { "LlmBackends": [...] } }` as-is. Invalid entries are reported and skipped,
 * never thrown, so one bad backend does not take the others down.
 */
export function parseBackendsFile(doc: unknown): BackendsFileResult {
  const diagnostics: Diagnostic[] = [];
  let entries: unknown[];
  let basePath: string;
  if (Array.isArray(doc)) {
    entries = doc;
    basePath = "";
  } else if (isPlainObject(doc) && isPlainObject(doc.MockLlmApi)) {
    const top = doc.MockLlmApi;
    const list = Array.isArray(top.LlmBackends) ? top.LlmBackends : [];
    entries = list.map((e, i) => (isPlainObject(e) ? fromMockEntry(e, top, i, diagnostics) : e));
    basePath = "MockLlmApi.LlmBackends";
  } else if (isPlainObject(doc) && Array.isArray(doc.backends)) {
    entries = doc.backends;
    basePath = "backends";
  } else {
    return {
      backends: [],
      diagnostics: [
        { code: "E_FORMAT", severity: "error", message: 'a backends file is { "backends": [...] }, an array, or { "MockLlmApi": { "LlmBackends": [...] } }' },
      ],
    };
  }
  const backends: BackendConfig[] = [];
  const seen = new Set<string>();
  entries.forEach((entry, i) => {
    if (diagnostics.some((d) => d.path === `${basePath}[${i}].ApiKey`)) return;
    if (isPlainObject(entry) && typeof entry.apiKey === "string") {
      diagnostics.push({
        code: "E_FORMAT",
        severity: "error",
        path: `${basePath}[${i}].apiKey`,
        message: `backend "${String(entry.name)}": literal API keys are refused; set "apiKeyEnv" to the name of an environment variable that holds the key`,
      });
      return;
    }
    const r = BackendConfigSchema.safeParse(entry);
    if (!r.success) {
      for (const issue of r.error.issues) {
        diagnostics.push({
          code: "E_FORMAT",
          severity: "error",
          path: `${basePath}[${i}].${issuePath(issue.path)}`,
          message: `backend #${i}: ${issuePath(issue.path) || "(entry)"}: ${issue.message}`,
        });
      }
      return;
    }
    if (seen.has(r.data.name)) {
      diagnostics.push({ code: "E_DUPLICATE_ID", severity: "error", path: `${basePath}[${i}].name`, message: `backend name "${r.data.name}" is used twice` });
      return;
    }
    seen.add(r.data.name);
    backends.push(r.data);
  });
  return { backends, diagnostics };
}

/** Later entries replace earlier ones with the same name (a file overrides the defaults). */
export function mergeBackendConfigs(...lists: BackendConfig[][]): BackendConfig[] {
  const byName = new Map<string, BackendConfig>();
  for (const list of lists) for (const c of list) byName.set(c.name, c);
  return [...byName.values()];
}
