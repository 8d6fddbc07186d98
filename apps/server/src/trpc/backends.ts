/**
 * Backends: the configuration in data/backends.json (add, edit, remove, enable, test connection)
 * and the live monitor (per-backend stats over a window, breaker state, recent transitions).
 * Every write goes through the engine's parseBackendsFile, is atomic (temp file + rename), and
 * refreshes the server's pool in place, so stats, and breakers of unchanged backends, survive.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  type BackendConfig,
  BackendConfigSchema,
  type CompletionResult,
  type BackendPool,
  BraidError,
  type Diagnostic,
  type BreakerTransition,
  RetryableError,
  STATS_WINDOWS,
  type StatsWindow,
  checkBackendEntry,
  defaultBackendConfigs,
  isPlainObject,
  mergeBackendConfigs,
  normalizeProvider,
  parseBackendsFile,
  safeJsonParse,
} from "@braid/engine";
import { DEFAULT_BASE_URLS, type EgressPolicy, type ProviderDeps, egressPolicyFromEnv, listModels } from "@braid/engine/node";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { egressRefusal, envBackendRules } from "../backend-policy.js";
import type { ServerConfig } from "../config.js";
import type { Services } from "../services.js";
import { backendViews } from "../views.js";
import { notFound, procedure, router } from "./init.js";

export const WindowSchema = z.enum(Object.keys(STATS_WINDOWS) as [StatsWindow, ...StatsWindow[]]);
const Name = z.string().min(1).max(200);

/** The server's egress policy: token mode allows only BRAID_EGRESS_ALLOW. */
export const serverEgress = (config: ServerConfig, env: Record<string, string | undefined> = process.env): EgressPolicy =>
  egressPolicyFromEnv(env, config.token !== undefined);

export const backendsFile = (config: ServerConfig): string => join(config.dataDir, "backends.json");

// ---------------------------------------------------------------------------------------------
// Breaker transitions for the monitor
// ---------------------------------------------------------------------------------------------

const transitions = new WeakMap<BackendPool, BreakerTransition[]>();

/** Keeps the last 100 breaker transitions of a pool (called once when the server builds it). */
export function watchBreakers(pool: BackendPool): void {
  if (transitions.has(pool)) return;
  const list: BreakerTransition[] = [];
  transitions.set(pool, list);
  pool.onBreakerChange((t) => {
    list.push(t);
    if (list.length > 100) list.shift();
  });
}

// ---------------------------------------------------------------------------------------------
// The file
// ---------------------------------------------------------------------------------------------

type Entry = Record<string, unknown>;

interface FileState {
  entries: Entry[];
  /** Top-level keys of a native file besides `backends` (e.g. `_comment`), kept on write. */
  extra: Record<string, unknown>;
  /** The file is in the background documents' MockLlmApi format (converted on the first write). */
  mockLlmApi: boolean;
}

function readFile(file: string): FileState {
  if (!existsSync(file)) return { entries: [], extra: {}, mockLlmApi: false };
  let doc: unknown;
  try {
    doc = safeJsonParse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new TRPCError({ code: "PRECONDITION_FAILED", message: `${file} is not valid JSON (${(err as Error).message}); fix it by hand first` });
  }
  if (Array.isArray(doc)) return { entries: doc.filter(isPlainObject), extra: {}, mockLlmApi: false };
  if (isPlainObject(doc) && Array.isArray(doc.backends)) {
    const { backends, ...extra } = doc;
    return { entries: (backends as unknown[]).filter(isPlainObject), extra, mockLlmApi: false };
  }
  if (isPlainObject(doc) && isPlainObject(doc.MockLlmApi)) {
    const parsed = parseBackendsFile(doc);
    return { entries: parsed.backends.map((b) => ({ ...b })), extra: {}, mockLlmApi: true };
  }
  throw new TRPCError({ code: "PRECONDITION_FAILED", message: `${file} is not a backends file; expected { "backends": [...] }` });
}

/** A refused write: BAD_REQUEST with the first problem's Braid code in `data.braidCode`. */
function refused(errors: Pick<Diagnostic, "code" | "message">[], prefix = ""): TRPCError {
  const message = `${prefix}${errors.map((d) => d.message).join("; ")}`;
  return new TRPCError({ code: "BAD_REQUEST", message, cause: new BraidError(errors[0]?.code ?? "E_FORMAT", message) });
}

/** Validates the whole new file with parseBackendsFile (the loader's checks), writes it atomically, and refreshes the pool. */
function writeFile(s: Services, state: FileState): BackendConfig[] {
  const doc = { ...state.extra, backends: state.entries };
  const parsed = parseBackendsFile(doc, envBackendRules());
  const errors = parsed.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) throw refused(errors);
  const file = backendsFile(s.config);
  if (state.mockLlmApi && existsSync(file)) writeFileSync(`${file}.bak`, readFileSync(file));
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
  refreshPool(s, parsed.backends);
  return parsed.backends;
}

function refreshPool(s: Services, fromFile: BackendConfig[]): void {
  s.pool.update(mergeBackendConfigs(defaultBackendConfigs(s.config.simLatency), fromFile));
}

/** Reads data/backends.json again (after a hand edit) and refreshes the pool. */
export function reloadBackends(s: Services): { backends: string[] } {
  const file = backendsFile(s.config);
  let doc: unknown = { backends: [] };
  if (existsSync(file)) {
    try {
      doc = safeJsonParse(readFileSync(file, "utf8"));
    } catch (err) {
      throw new TRPCError({ code: "BAD_REQUEST", message: `${file} is not valid JSON (${(err as Error).message}); the running configuration is unchanged` });
    }
  }
  const parsed = parseBackendsFile(doc, envBackendRules());
  const errors = parsed.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) throw refused([...errors, { code: "E_FORMAT", message: "the running configuration is unchanged" }], `${file}: `);
  refreshPool(s, parsed.backends);
  return { backends: s.pool.list().map((c) => c.name) };
}

// ---------------------------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------------------------

/** What is wrong with a backend before it is even called: egress, a missing key variable, a dangling fallback. */
export function backendProblems(cfg: BackendConfig, pool: BackendPool, egress: EgressPolicy, env: Record<string, string | undefined> = process.env): string[] {
  const problems: string[] = [];
  const egressProblem = egressRefusal(cfg, egress);
  if (egressProblem) problems.push(egressProblem);
  if (cfg.provider !== "simulated") {
    if (cfg.apiKeyEnv && !env[cfg.apiKeyEnv]) problems.push(`the environment variable ${cfg.apiKeyEnv} (apiKeyEnv) is not set`);
  }
  if (cfg.fallback && !pool.get(cfg.fallback)) problems.push(`fallback "${cfg.fallback}" is not a configured backend`);
  return problems;
}

/** The Backends page's rows: the list view plus the full configuration, where it comes from, problems and load. */
export function backendRows(s: Services, window: StatsWindow = "all") {
  const inFile = new Set<string>();
  try {
    for (const e of readFile(backendsFile(s.config)).entries) if (typeof e.name === "string") inFile.add(e.name);
  } catch {
    // An unreadable file shows up as source "default" for every row; writes report the problem.
  }
  const defaults = new Set(defaultBackendConfigs().map((c) => c.name));
  const egress = serverEgress(s.config);
  return backendViews(s.pool, window).map((v) => {
    const config = s.pool.get(v.name) as BackendConfig;
    const source = inFile.has(v.name) ? (defaults.has(v.name) ? "file (overrides a default)" : "file") : "default";
    return {
      ...v,
      baseUrl: config.baseUrl ?? DEFAULT_BASE_URLS[config.provider] ?? null,
      source,
      problems: backendProblems(config, s.pool, egress),
      load: s.pool.load(v.name),
      config,
    };
  });
}

/** The monitor: per-backend figures over the window, breaker states, recent transitions. */
export function backendStats(pool: BackendPool, window: StatsWindow) {
  return {
    window,
    at: Date.now(),
    backends: pool.list().map((c) => ({
      ...pool.stats.one(c.name, window),
      provider: c.provider,
      simulated: c.provider === "simulated",
      model: c.model,
      enabled: c.enabled,
      breaker: pool.breakerState(c.name),
      ...pool.load(c.name),
    })),
    transitions: [...(transitions.get(pool) ?? [])],
  };
}

// ---------------------------------------------------------------------------------------------
// Test connection
// ---------------------------------------------------------------------------------------------

const TEST_TIMEOUT_MS = 20_000;

/**
 * "Test connection" without a paid call: the provider's model list (`GET /v1/models`, Ollama's
 * `/api/tags`) through the backend's own key, headers and egress policy, and whether the
 * configured model is in it. A server without a model list, and the simulated provider, get one
 * tiny call instead. No retries, no fallback, no stats: latency, or the error.
 */
export type TestConnectionResult =
  | {
      ok: true;
      backend: string;
      simulated: boolean;
      latencyMs: number;
      model: string;
      /** How it was tested: the model list, or one tiny completion. */
      via: "models" | "chat";
      reply: string;
      usage?: CompletionResult["usage"];
      /** With `via: "models"`: whether the configured model is listed, and (the first 100 of) the list. */
      modelListed?: boolean;
      models?: string[];
    }
  | { ok: false; backend: string; latencyMs: number; error: string; retryable: boolean };

export async function testConnection(pool: BackendPool, cfg: BackendConfig, deps: ProviderDeps = {}): Promise<TestConnectionResult> {
  const factory = pool.provider(cfg.provider);
  if (!factory) return { ok: false, backend: cfg.name, latencyMs: 0, error: `provider "${cfg.provider}" is not available`, retryable: false };
  const timed = { ...cfg, timeoutMs: Math.min(cfg.timeoutMs, TEST_TIMEOUT_MS) };
  const started = performance.now();
  const latencyMs = () => Math.round(performance.now() - started);
  try {
    const list = cfg.provider === "simulated" ? undefined : await listModels(timed, deps);
    if (list) {
      const n = list.models.length;
      return {
        ok: true as const,
        backend: cfg.name,
        simulated: false,
        latencyMs: latencyMs(),
        model: cfg.model,
        via: "models" as const,
        modelListed: list.listed,
        models: list.models.slice(0, 100),
        reply: list.listed
          ? `model "${cfg.model}" is one of the ${n} models the server lists`
          : `the server lists ${n} models, but not "${cfg.model}": check the model name`,
        usage: undefined,
      };
    }
    const backend = factory(timed);
    const r = await backend.complete(
      { prompt: 'Reply with the single word "pong".', maxTokens: 64, temperature: 0, task: { type: "generate" } },
      { signal: AbortSignal.timeout(TEST_TIMEOUT_MS + 1000), seedKey: "braid-test-connection" },
    );
    return {
      ok: true,
      backend: cfg.name,
      simulated: backend.simulated,
      latencyMs: latencyMs(),
      model: r.model,
      via: "chat",
      reply: r.text.slice(0, 200),
      usage: r.usage,
    };
  } catch (err) {
    return {
      ok: false,
      backend: cfg.name,
      latencyMs: latencyMs(),
      error: (err as Error)?.message ?? String(err),
      retryable: err instanceof RetryableError,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// The router
// ---------------------------------------------------------------------------------------------

/**
 * A backend as the Backends page sends it, checked by the file loader's own checkBackendEntry
 * (schema, literal keys, key variable rules), with its provider alias resolved. A refusal is
 * thrown as a BraidError rather than returned as zod issues: tRPC keeps it as the cause, so the
 * client gets the loader's message as is and its code in `data.braidCode`.
 */
const BackendInput = z.record(z.string(), z.unknown()).transform((v) => {
  const errors = checkBackendEntry(v, "", envBackendRules()).diagnostics;
  if (errors.length) throw new BraidError(errors[0]?.code ?? "E_FORMAT", errors.map((d) => d.message).join("; "));
  return "provider" in v ? { ...v, provider: normalizeProvider(v.provider) } : v;
});

function requireBackend(s: Services, name: string): BackendConfig {
  const cfg = s.pool.get(name);
  if (!cfg) throw notFound(`backend "${name}"`);
  return cfg;
}

export const backendsRouter = router({
  /** Every backend: configuration (no secrets, ever: keys are env var names), source, problems, load, breaker, stats. */
  list: procedure.input(z.object({ window: WindowSchema.optional() }).optional()).query(({ ctx, input }) => backendRows(ctx.services, input?.window ?? "all")),

  /** Per-backend calls, success rate, p50/p95, tokens, cost, breaker, last error over 5m, 1h or all. */
  stats: procedure
    .input(z.object({ window: WindowSchema.default("5m") }).optional())
    .query(({ ctx, input }) => backendStats(ctx.services.pool, input?.window ?? "5m")),

  /** Adds or edits a backend in data/backends.json. `previousName` renames. */
  save: procedure.input(z.object({ backend: BackendInput, previousName: Name.optional() })).mutation(({ ctx, input }) => {
    const s = ctx.services;
    const cfg = BackendConfigSchema.parse(input.backend);
    const egressProblem = egressRefusal(cfg, serverEgress(s.config));
    if (egressProblem) throw refused([{ code: "E_EGRESS_REFUSED", message: `backend "${cfg.name}": ${egressProblem}` }]);
    const state = readFile(backendsFile(s.config));
    const replaced = new Set([cfg.name, ...(input.previousName ? [input.previousName] : [])]);
    if (input.previousName && input.previousName !== cfg.name && s.pool.get(cfg.name)) {
      throw new TRPCError({ code: "CONFLICT", message: `a backend named "${cfg.name}" already exists` });
    }
    const at = state.entries.findIndex((e) => typeof e.name === "string" && replaced.has(e.name));
    const entries = state.entries.filter((e) => !(typeof e.name === "string" && replaced.has(e.name)));
    entries.splice(at < 0 ? entries.length : at, 0, input.backend);
    writeFile(s, { ...state, entries });
    return backendRows(s).find((r) => r.name === cfg.name);
  }),

  /** Removes a backend from the file. A built-in simulated tier cannot be removed (disable it); removing its override restores it. */
  remove: procedure.input(z.object({ name: Name })).mutation(({ ctx, input }) => {
    const s = ctx.services;
    requireBackend(s, input.name);
    const state = readFile(backendsFile(s.config));
    const entries = state.entries.filter((e) => e.name !== input.name);
    if (entries.length === state.entries.length) {
      throw new TRPCError({ code: "BAD_REQUEST", message: `backend "${input.name}" is a built-in simulated tier and cannot be removed; disable it instead` });
    }
    writeFile(s, { ...state, entries });
    return { removed: input.name, restoredDefault: s.pool.get(input.name) !== undefined };
  }),

  /** Enables or disables a backend (a built-in tier gets an override entry in the file). */
  setEnabled: procedure.input(z.object({ name: Name, enabled: z.boolean() })).mutation(({ ctx, input }) => {
    const s = ctx.services;
    const current = requireBackend(s, input.name);
    const state = readFile(backendsFile(s.config));
    const i = state.entries.findIndex((e) => e.name === input.name);
    const entries = [...state.entries];
    if (i >= 0) entries[i] = { ...entries[i], enabled: input.enabled };
    else entries.push({ ...current, enabled: input.enabled });
    writeFile(s, { ...state, entries });
    return backendRows(s).find((r) => r.name === input.name);
  }),

  /** "Test connection": one tiny call to a configured backend (`name`) or to an unsaved one (`backend`). */
  test: procedure
    .input(
      z
        .object({ name: Name.optional(), backend: BackendInput.optional() })
        .refine((v) => (v.name === undefined) !== (v.backend === undefined), { message: "give name or backend" }),
    )
    .mutation(async ({ ctx, input }) => {
      const s = ctx.services;
      // The provider itself applies the egress policy and the key lookup, and says what is wrong.
      const cfg = input.backend ? BackendConfigSchema.parse(input.backend) : requireBackend(s, input.name as string);
      return testConnection(s.pool, cfg, { egress: serverEgress(s.config) });
    }),

  /** Re-reads data/backends.json after a hand edit. */
  reload: procedure.mutation(({ ctx }) => reloadBackends(ctx.services)),
});
