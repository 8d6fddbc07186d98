import { type BackendConfig, BackendConfigSchema, DEFAULT_BASE_URLS, PROVIDERS, type Provider, SimulationSchema } from "@braid/core";
import { bareVariableName, keyLikeKind, keyRefusal } from "./keys.js";

/**
 * The add/edit form of the Backends page, as pure functions: form values are strings (what the
 * inputs hold), the backend sent to the server is checked with the engine's own BackendConfigSchema,
 * and every message is keyed by the field it is about (the same dotted path as in backends.json).
 */

export const PROVIDER_LABELS: Record<Provider, string> = {
  simulated: "Simulated (offline, no model)",
  openai: "OpenAI-compatible (OpenAI, Ollama /v1, vLLM, …)",
  ollama: "Ollama (native API)",
  anthropic: "Anthropic",
};

/** Where a provider goes when the base URL is empty (core's DEFAULT_BASE_URLS, which the engine uses too). */
export const DEFAULT_BASE_URLS_HINT: Partial<Record<Provider, string>> = DEFAULT_BASE_URLS;

export interface Preset {
  id: string;
  label: string;
  provider: Provider;
  baseUrl: string;
  model: string;
  apiKeyEnv: string;
  pricing?: { input: number; output: number };
}

/** Where each kind of server usually listens; the first preset of a provider is its default. */
export const PRESETS: readonly Preset[] = [
  { id: "simulated", label: "Simulated", provider: "simulated", baseUrl: "", model: "sim-custom", apiKeyEnv: "" },
  {
    id: "openai",
    label: "OpenAI",
    provider: "openai",
    baseUrl: "https://api.openai.com/v1",
    model: "gpt-4o-mini",
    apiKeyEnv: "OPENAI_API_KEY",
    pricing: { input: 0.00015, output: 0.0006 },
  },
  { id: "ollama-v1", label: "Ollama /v1", provider: "openai", baseUrl: "http://127.0.0.1:11434/v1", model: "llama3.2", apiKeyEnv: "" },
  { id: "lmstudio", label: "LM Studio", provider: "openai", baseUrl: "http://127.0.0.1:1234/v1", model: "qwen2.5-7b-instruct", apiKeyEnv: "" },
  { id: "vllm", label: "vLLM", provider: "openai", baseUrl: "http://127.0.0.1:8000/v1", model: "meta-llama/Llama-3.1-8B-Instruct", apiKeyEnv: "" },
  { id: "llamacpp", label: "llama.cpp server", provider: "openai", baseUrl: "http://127.0.0.1:8080/v1", model: "local", apiKeyEnv: "" },
  { id: "ollama", label: "Ollama", provider: "ollama", baseUrl: "http://127.0.0.1:11434", model: "llama3.2", apiKeyEnv: "" },
  {
    id: "anthropic",
    label: "Anthropic",
    provider: "anthropic",
    baseUrl: "https://api.anthropic.com",
    model: "claude-sonnet-4-5",
    apiKeyEnv: "ANTHROPIC_API_KEY",
    pricing: { input: 0.003, output: 0.015 },
  },
];

export const presetsFor = (provider: Provider): Preset[] => PRESETS.filter((p) => p.provider === provider);
export const defaultPreset = (provider: Provider): Preset => presetsFor(provider)[0] as Preset;

// ---------------------------------------------------------------------------------------------
// Fields
// ---------------------------------------------------------------------------------------------

export interface NumberField {
  key: NumberKey;
  label: string;
  int?: boolean;
  min?: number;
  max?: number;
  step?: number;
  unit?: string;
  help?: string;
}

export type NumberKey =
  | "pricing.input"
  | "pricing.output"
  | "simulation.latencyMs"
  | "simulation.jitterMs"
  | "simulation.failureRate"
  | "simulation.defectRate"
  | "simulation.streamChunks"
  | "maxTokens"
  | "temperature"
  | "timeoutMs"
  | "retries"
  | "retryDelayMs"
  | "breakerThreshold"
  | "breakerHalfOpenMs"
  | "maxConcurrency"
  | "cacheTtlMs"
  | "weight";

export type TextKey = "name" | "model" | "baseUrl" | "apiKeyEnv" | "description" | "fallback" | "group";
export type FieldKey = TextKey | NumberKey | "provider" | "enabled" | "circuitBreaker";

/** Bounds mirror BackendConfigSchema (a unit test keeps them in step); the schema has the last word. */
export const NUMBER_FIELDS: Record<NumberKey, NumberField> = {
  "pricing.input": { key: "pricing.input", label: "Input price", min: 0, step: 0.0001, help: "$ per 1,000 input tokens" },
  "pricing.output": { key: "pricing.output", label: "Output price", min: 0, step: 0.0001, help: "$ per 1,000 output tokens" },
  "simulation.latencyMs": { key: "simulation.latencyMs", label: "Latency", min: 0, max: 600_000, unit: "ms", help: "Mean time a simulated call takes." },
  "simulation.jitterMs": { key: "simulation.jitterMs", label: "Jitter", min: 0, max: 600_000, unit: "ms" },
  "simulation.failureRate": {
    key: "simulation.failureRate",
    label: "Failure rate",
    min: 0,
    max: 1,
    step: 0.01,
    help: "0–1: share of calls that fail (retryable).",
  },
  "simulation.defectRate": {
    key: "simulation.defectRate",
    label: "Defect rate",
    min: 0,
    max: 1,
    step: 0.01,
    help: "0–1: share of drafts a critique can fault.",
  },
  "simulation.streamChunks": { key: "simulation.streamChunks", label: "Stream chunks", int: true, min: 0, max: 1000 },
  maxTokens: { key: "maxTokens", label: "Max tokens", int: true, min: 1 },
  temperature: { key: "temperature", label: "Temperature", min: 0, max: 2, step: 0.1 },
  timeoutMs: { key: "timeoutMs", label: "Timeout", int: true, min: 1, unit: "ms", help: "Per call, before a retry." },
  retries: { key: "retries", label: "Retries", int: true, min: 0, max: 10, help: "On timeouts, 408, 429 and 5xx, with backoff." },
  retryDelayMs: { key: "retryDelayMs", label: "First retry delay", int: true, min: 0, max: 600_000, unit: "ms" },
  breakerThreshold: { key: "breakerThreshold", label: "Breaker threshold", int: true, min: 1, max: 1000, help: "Consecutive failures that open the breaker." },
  breakerHalfOpenMs: { key: "breakerHalfOpenMs", label: "Breaker open for", int: true, min: 0, max: 3_600_000, unit: "ms" },
  maxConcurrency: { key: "maxConcurrency", label: "Max concurrent calls", int: true, min: 1, max: 10_000, help: "Further calls wait their turn." },
  cacheTtlMs: {
    key: "cacheTtlMs",
    label: "Cache TTL",
    int: true,
    min: 0,
    max: 30 * 24 * 3_600_000,
    unit: "ms",
    help: "0 or empty: cache only for nodes that ask.",
  },
  weight: { key: "weight", label: "Weight", min: 0, step: 0.1, help: "Share of calls within its group." },
};

export const SIMULATION_KEYS: NumberKey[] = [
  "simulation.latencyMs",
  "simulation.jitterMs",
  "simulation.failureRate",
  "simulation.defectRate",
  "simulation.streamChunks",
];
export const ADVANCED_KEYS: NumberKey[] = [
  "maxTokens",
  "temperature",
  "timeoutMs",
  "retries",
  "retryDelayMs",
  "breakerThreshold",
  "breakerHalfOpenMs",
  "maxConcurrency",
  "cacheTtlMs",
  "weight",
];

export const FIELD_LABELS: Record<FieldKey, string> = {
  name: "Name",
  provider: "Provider",
  model: "Model",
  baseUrl: "Base URL",
  apiKeyEnv: "API key variable",
  description: "Description",
  fallback: "Fallback backend",
  group: "Group",
  enabled: "Enabled",
  circuitBreaker: "Circuit breaker",
  ...(Object.fromEntries(Object.values(NUMBER_FIELDS).map((f) => [f.key, f.label])) as Record<NumberKey, string>),
};

/** "Temperature (temperature)": a label plus the name the field has in backends.json. */
export const fieldName = (key: string): string => {
  const label = (FIELD_LABELS as Record<string, string>)[key];
  return label ? `${label} (${key})` : key;
};

export type FormValues = Record<TextKey | NumberKey, string> & { provider: Provider; enabled: boolean; circuitBreaker: boolean };

export type FieldErrors = Partial<Record<FieldKey | "form", string>>;

/** Defaults the schema fills in; a field holding its default is left empty in the form (and out of the file). */
const DEFAULTS = BackendConfigSchema.parse({ name: "x", provider: "simulated" });
const SIM_DEFAULTS = SimulationSchema.parse({});

const empty = (): FormValues => ({
  name: "",
  provider: "simulated",
  model: "",
  baseUrl: "",
  apiKeyEnv: "",
  description: "",
  fallback: "",
  group: "",
  enabled: true,
  circuitBreaker: true,
  ...(Object.fromEntries(Object.keys(NUMBER_FIELDS).map((k) => [k, ""])) as Record<NumberKey, string>),
});

/** A new backend of a provider, filled from that provider's first preset. */
export function newForm(provider: Provider = "simulated"): FormValues {
  const f = applyPreset(empty(), defaultPreset(provider));
  if (provider === "simulated") f["simulation.latencyMs"] = "200";
  return f;
}

export function applyPreset(values: FormValues, preset: Preset): FormValues {
  return {
    ...values,
    provider: preset.provider,
    baseUrl: preset.baseUrl,
    model: preset.model,
    apiKeyEnv: preset.apiKeyEnv,
    "pricing.input": preset.pricing ? String(preset.pricing.input) : "",
    "pricing.output": preset.pricing ? String(preset.pricing.output) : "",
  };
}

/**
 * Another provider: fields still holding the old provider's defaults (or nothing) take the new
 * one's; what the user typed stays.
 */
export function switchProvider(values: FormValues, next: Provider): FormValues {
  if (values.provider === next) return values;
  const from = presetsFor(values.provider);
  const to = defaultPreset(next);
  const untouched = (key: "baseUrl" | "model" | "apiKeyEnv", value: string) => value === "" || from.some((p) => p[key] === value);
  const price = (key: "input" | "output") => {
    const v = values[`pricing.${key}`];
    const untouchedPrice = v === "" || from.some((p) => String(p.pricing?.[key] ?? "") === v);
    return untouchedPrice ? (to.pricing ? String(to.pricing[key]) : "") : v;
  };
  return {
    ...values,
    provider: next,
    baseUrl: untouched("baseUrl", values.baseUrl) ? to.baseUrl : values.baseUrl,
    model: untouched("model", values.model) ? to.model : values.model,
    apiKeyEnv: untouched("apiKeyEnv", values.apiKeyEnv) ? to.apiKeyEnv : values.apiKeyEnv,
    "pricing.input": price("input"),
    "pricing.output": price("output"),
  };
}

const num = (v: number | undefined, dflt?: number) => (v === undefined || v === dflt ? "" : String(v));

/** The form for an existing backend (its full configuration as the server lists it). */
export function formFromConfig(c: BackendConfig): FormValues {
  const f = empty();
  f.name = c.name;
  f.provider = c.provider;
  f.model = c.provider === "simulated" && c.model === DEFAULTS.model ? "" : c.model;
  f.baseUrl = c.baseUrl ?? "";
  f.apiKeyEnv = c.apiKeyEnv ?? "";
  f.description = c.description ?? "";
  f.fallback = c.fallback ?? "";
  f.group = c.group ?? "";
  f.enabled = c.enabled;
  f.circuitBreaker = c.circuitBreaker;
  f["pricing.input"] = num(c.pricing.input, 0);
  f["pricing.output"] = num(c.pricing.output, 0);
  const s = c.simulation;
  if (s) {
    f["simulation.latencyMs"] = num(s.latencyMs, SIM_DEFAULTS.latencyMs);
    f["simulation.jitterMs"] = num(s.jitterMs, SIM_DEFAULTS.jitterMs);
    f["simulation.failureRate"] = num(s.failureRate, SIM_DEFAULTS.failureRate);
    f["simulation.defectRate"] = num(s.defectRate, SIM_DEFAULTS.defectRate);
    f["simulation.streamChunks"] = num(s.streamChunks, SIM_DEFAULTS.streamChunks);
  }
  f.maxTokens = num(c.maxTokens, DEFAULTS.maxTokens);
  f.temperature = num(c.temperature, DEFAULTS.temperature);
  f.timeoutMs = num(c.timeoutMs, DEFAULTS.timeoutMs);
  f.retries = num(c.retries, DEFAULTS.retries);
  f.weight = num(c.weight, DEFAULTS.weight);
  f.retryDelayMs = num(c.retryDelayMs);
  f.breakerThreshold = num(c.breakerThreshold);
  f.breakerHalfOpenMs = num(c.breakerHalfOpenMs);
  f.maxConcurrency = num(c.maxConcurrency);
  f.cacheTtlMs = num(c.cacheTtlMs);
  return f;
}

/** What an empty number field means, for its placeholder. */
export function numberPlaceholder(key: NumberKey): string {
  if (key.startsWith("simulation.")) return String(SIM_DEFAULTS[key.slice(11) as keyof typeof SIM_DEFAULTS]);
  if (key.startsWith("pricing.")) return "0";
  const d = (DEFAULTS as Record<string, unknown>)[key];
  if (typeof d === "number") return String(d);
  return { retryDelayMs: "250", breakerThreshold: "5", breakerHalfOpenMs: "10000", maxConcurrency: "no limit", cacheTtlMs: "0" }[key as string] ?? "";
}

export interface BuildContext {
  /** Names of the backends configured now. */
  existing: readonly string[];
  /** The backend being edited (its name before this edit). */
  previousName?: string | undefined;
}

export interface Built {
  /** The backend to send, only when there are no errors. */
  backend?: Record<string, unknown>;
  errors: FieldErrors;
}

/** Zod's issue as a short phrase ("at most 2"), keeping the schema's own custom messages. */
function issueText(issue: { code: string; message: string; maximum?: unknown; minimum?: unknown; inclusive?: boolean; expected?: unknown }): string {
  if (issue.code === "too_big" && issue.maximum !== undefined)
    return issue.inclusive === false ? `must be less than ${issue.maximum}` : `must be at most ${issue.maximum}`;
  if (issue.code === "too_small" && issue.minimum !== undefined) {
    if (issue.minimum === 0 && issue.inclusive === false) return "must be more than 0";
    return issue.inclusive === false ? `must be more than ${issue.minimum}` : `must be at least ${issue.minimum}`;
  }
  if (issue.code === "invalid_type" && issue.expected === "int") return "must be a whole number";
  return issue.message;
}

/** Reads and checks the form; the backend comes back only when every field is right. */
export function buildBackend(values: FormValues, ctx: BuildContext): Built {
  const errors: FieldErrors = {};
  const out: Record<string, unknown> = {};
  const sim = values.provider === "simulated";

  const name = values.name.trim();
  if (!name) errors.name = "required: a short name pipelines use to pick this backend, e.g. fast-sim";
  else if (name !== ctx.previousName && ctx.existing.includes(name)) errors.name = `a backend named "${name}" already exists`;
  out.name = name;
  out.provider = values.provider;

  const model = values.model.trim();
  if (model) out.model = model;
  else if (!sim) errors.model = "required: the model the server should run, e.g. gpt-4o-mini or llama3.2";

  if (!sim) {
    const baseUrl = values.baseUrl.trim();
    if (baseUrl) {
      let ok = false;
      try {
        const u = new URL(baseUrl);
        ok = u.protocol === "http:" || u.protocol === "https:";
        if (ok && (u.username || u.password)) errors.baseUrl = "must not contain a user name or password; use the API key variable";
      } catch {
        ok = false;
      }
      if (!ok) errors.baseUrl ??= "must be an http:// or https:// URL, e.g. http://127.0.0.1:11434/v1";
      out.baseUrl = baseUrl;
    }
    const keyEnv = values.apiKeyEnv.trim();
    if (keyEnv) {
      const kind = keyLikeKind(keyEnv);
      const bare = bareVariableName(keyEnv);
      if (kind) errors.apiKeyEnv = keyRefusal(kind);
      else if (bare) errors.apiKeyEnv = `type only the variable's name, without "$" or braces: ${bare}`;
      out.apiKeyEnv = keyEnv;
    }
  }

  for (const key of ["description", "group", "fallback"] as const) {
    const v = values[key].trim();
    if (v) out[key] = v;
  }
  if (out.fallback !== undefined && out.fallback === name) errors.fallback = "cannot be the backend itself";
  if (!values.enabled) out.enabled = false;
  if (!values.circuitBreaker) out.circuitBreaker = false;

  const numbers = Object.values(NUMBER_FIELDS).filter((f) => sim || !f.key.startsWith("simulation."));
  for (const f of numbers) {
    const raw = values[f.key].trim();
    if (!raw) continue;
    const n = Number(raw);
    if (!Number.isFinite(n)) {
      errors[f.key] = "must be a number";
      continue;
    }
    const [a, b] = f.key.split(".") as [string, string | undefined];
    if (b === undefined) out[a] = n;
    else out[a] = { ...((out[a] as Record<string, unknown>) ?? {}), [b]: n };
  }

  const parsed = BackendConfigSchema.safeParse(out);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path.map(String).join(".") as FieldKey;
      errors[key] ??= issueText(issue as never);
    }
  }
  return Object.keys(errors).length ? { errors } : { backend: out, errors };
}

/**
 * A server error as field messages. tRPC input errors carry zod's issues as a JSON array in the
 * message (paths start with "backend"); other refusals (egress, a name taken) are whole-form.
 */
export function serverErrors(message: string): FieldErrors {
  const errors: FieldErrors = {};
  if (message.trimStart().startsWith("[")) {
    try {
      const issues = JSON.parse(message) as Array<{ path?: unknown[]; message?: string }>;
      if (Array.isArray(issues)) {
        for (const i of issues) {
          const path = (i.path ?? []).map(String);
          if (path[0] === "backend") path.shift();
          const key = (path.join(".") || "form") as FieldKey | "form";
          const text = i.message ?? "is not valid";
          errors[key] = errors[key] ? `${errors[key]}; ${text}` : text;
        }
        if (Object.keys(errors).length) return errors;
      }
    } catch {
      // not JSON after all: the message as it is
    }
  }
  const taken = /a backend named "([^"]+)" already exists/.exec(message);
  if (taken) return { name: message };
  return { form: message };
}

/** "Name (name): required …" for each message, for the summary above the form. */
export function errorSummary(errors: FieldErrors): string[] {
  return Object.entries(errors)
    .filter(([, m]) => m)
    .map(([k, m]) => (k === "form" ? String(m) : `${fieldName(k)}: ${m}`));
}

export const isProvider = (v: string): v is Provider => (PROVIDERS as readonly string[]).includes(v);
