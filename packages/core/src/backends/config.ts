import { BraidError } from "../errors.js";
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
/** Provider names both file forms accept (case-insensitive); each maps to the provider that speaks its protocol. */
export const PROVIDER_ALIASES: Readonly<Record<string, Provider>> = {
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

/** A provider name as written in a file, to the provider it means; unknown names pass through for the schema to refuse. */
export const normalizeProvider = (raw: unknown): unknown => (typeof raw === "string" ? (PROVIDER_ALIASES[raw.toLowerCase()] ?? raw) : raw);

/**
 * Which variables `apiKeyEnv` may name: their value is sent to the backend's host, so only names
 * that say they hold a key for it. Case-insensitive; BRAID_KEY_ENV_PATTERN replaces it.
 */
export const DEFAULT_KEY_ENV_PATTERN = /(^|_)(API_?KEY|KEY|TOKEN|SECRET)$/i;

/** Rules a backend must follow besides its schema (the server and the CLI read them from the environment). */
export interface BackendRules {
  /** Names `apiKeyEnv` may use; default DEFAULT_KEY_ENV_PATTERN. Braid's own (BRAID_*) are refused whatever it says. */
  keyEnvPattern?: RegExp;
}

/** The rules from the environment: BRAID_KEY_ENV_PATTERN is a regular expression (case-insensitive) that key variable names must match. */
export function backendRulesFromEnv(env: Record<string, string | undefined>): BackendRules {
  const raw = env.BRAID_KEY_ENV_PATTERN;
  if (raw === undefined || raw === "") return {};
  try {
    return { keyEnvPattern: new RegExp(raw, "i") };
  } catch (err) {
    throw new BraidError("E_KEY_ENV_REFUSED", `BRAID_KEY_ENV_PATTERN is not a valid regular expression: ${(err as Error).message}`);
  }
}

/**
 * Whether an environment variable may be used as a key (its value leaves for a backend's host).
 * Returns the refusal, naming the field and the variable, or undefined when the name is fine.
 */
export function checkKeyEnvName(name: string, field: string, rules: BackendRules = {}): string | undefined {
  if (/^BRAID_/i.test(name))
    return `${field}: "${name}" is one of Braid's own variables (BRAID_*), which are never sent to a backend; name the variable that holds the backend's key, such as OPENAI_API_KEY`;
  const pattern = rules.keyEnvPattern ?? DEFAULT_KEY_ENV_PATTERN;
  if (!pattern.test(name))
    return `${field}: "${name}" does not look like a key variable (it must match ${pattern}, e.g. OPENAI_API_KEY or HF_TOKEN); rename it, or set BRAID_KEY_ENV_PATTERN to allow such names`;
  return undefined;
}

/** Field names that would hold a key itself, in any spelling (`apiKey`, `ApiKey`, `api_key`, `API-KEY`). */
const LITERAL_KEY_FIELDS = new Set(["apikey", "key", "token", "secret", "password", "authorization", "accesstoken", "bearer"]);
const literalKeyField = (entry: Record<string, unknown>): string | undefined =>
  Object.keys(entry).find((k) => LITERAL_KEY_FIELDS.has(k.toLowerCase().replace(/[_-]/g, "")) && entry[k] !== undefined && entry[k] !== "");

/**
 * Checks one native backend entry: no literal key, the schema (provider aliases accepted), and
 * the key variable rules. The one validation for a file's entries and for a backend sent to
 * the server (save, test connection), so both refuse the same things with the same messages.
 */
export function checkBackendEntry(entry: unknown, path: string, rules: BackendRules = {}): { backend?: BackendConfig; diagnostics: Diagnostic[] } {
  const at = (field: string) => (path ? `${path}.${field}` : field);
  if (isPlainObject(entry)) {
    const keyField = literalKeyField(entry);
    if (keyField !== undefined) {
      const message = `backend "${String(entry.name)}": literal API keys are refused; set "apiKeyEnv" to the name of an environment variable that holds the key`;
      return { diagnostics: [{ code: "E_FORMAT", severity: "error", path: at(keyField), message }] };
    }
    if ("provider" in entry) entry = { ...entry, provider: normalizeProvider(entry.provider) };
  }
  const r = BackendConfigSchema.safeParse(entry);
  if (!r.success) {
    // A name, when the entry has a usable one; else where it is in the file.
    const label = isPlainObject(entry) && typeof entry.name === "string" && entry.name !== "" ? `"${entry.name.slice(0, 100)}"` : path || "(unnamed)";
    const diagnostics = r.error.issues.map(
      (issue): Diagnostic => ({
        code: "E_FORMAT",
        severity: "error",
        path: at(issuePath(issue.path)),
        message: `backend ${label}: ${issuePath(issue.path) || "(entry)"}: ${issue.message}`,
      }),
    );
    return { diagnostics };
  }
  const b = r.data;
  if (b.apiKeyEnv !== undefined) {
    const refused = checkKeyEnvName(b.apiKeyEnv, `backend "${b.name}": apiKeyEnv`, rules);
    if (refused) return { diagnostics: [{ code: "E_KEY_ENV_REFUSED", severity: "error", path: at("apiKeyEnv"), message: refused }] };
  }
  // Header values from the environment leave for the backend's host too: the same rule.
  for (const [header, value] of Object.entries(b.headers ?? {})) {
    const refused = typeof value === "string" ? undefined : checkKeyEnvName(value.env, `backend "${b.name}": headers["${header}"].env`, rules);
    if (refused) return { diagnostics: [{ code: "E_KEY_ENV_REFUSED", severity: "error", path: at(`headers.${header}.env`), message: refused }] };
  }
  return { backend: b, diagnostics: [] };
}

/**
 * Converts one entry of the background documents' `MockLlmApi.LlmBackends` list. Ollama there
 * is addressed through its OpenAI-compatible `/v1` URL, so a `/v1` base URL maps to `openai`.
 */
function fromMockEntry(e: Record<string, unknown>, top: Record<string, unknown>, index: number, diags: Diagnostic[]): unknown {
  let provider = normalizeProvider(String(e.Provider ?? "openai"));
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
export function parseBackendsFile(doc: unknown, rules: BackendRules = {}): BackendsFileResult {
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
    const r = checkBackendEntry(entry, `${basePath}[${i}]`, rules);
    diagnostics.push(...r.diagnostics);
    if (!r.backend) return;
    if (seen.has(r.backend.name)) {
      diagnostics.push({
        code: "E_DUPLICATE_ID",
        severity: "error",
        path: `${basePath}[${i}].name`,
        message: `backend name "${r.backend.name}" is used twice`,
      });
      return;
    }
    seen.add(r.backend.name);
    backends.push(r.backend);
  });
  return { backends, diagnostics };
}

/** Later entries replace earlier ones with the same name (a file overrides the defaults). */
export function mergeBackendConfigs(...lists: BackendConfig[][]): BackendConfig[] {
  const byName = new Map<string, BackendConfig>();
  for (const list of lists) for (const c of list) byName.set(c.name, c);
  return [...byName.values()];
}
