import {
  type BulkheadPolicy,
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  TaskCancelledError,
  bulkhead,
  circuitBreaker,
  handleWhen,
  retry,
} from "cockatiel";
import {
  BraidError,
  type BreakerState,
  type Usage,
  roundCost,
  BackendStats,
  type Backend,
  BackendTimeoutError,
  type BackendConfig,
  type CallContext,
  type CompletionResult,
  type LlmRequest,
  type BackendAvailability,
  RetryableError,
  costOf,
} from "@braid/core";
import { parseModelOutput } from "../run/llm-json.js";
import { JitterBackoff, retryTiming } from "./backoff.js";
import { ResponseCache } from "./cache.js";

export type ProviderFactory = (config: BackendConfig) => Backend;

export interface PoolCallHooks {
  onRetry?(info: { backend: string; attempt: number; delayMs: number; error: string }): void;
  onFallback?(info: { from: string; to: string; reason: string }): void;
  /** The answer came from the response cache: no call, zero cost. */
  onCacheHit?(info: { backend: string }): void;
  /** A circuit breaker changed state while this call was using it. */
  onBreaker?(info: BreakerTransition): void;
}

export interface BreakerTransition {
  backend: string;
  from: BreakerState;
  to: BreakerState;
  at: number;
}

export interface PoolResult {
  text: string;
  usage: Usage;
  backend: string;
  model: string;
  cached?: boolean;
}

/** Per backend: the provider instance and its resilience policies, rebuilt when its configuration changes. */
interface Runtime {
  instance?: Backend;
  breaker?: CircuitBreakerPolicy;
  bulkhead?: BulkheadPolicy;
  state: BreakerState;
  /** Transitions not yet reported to a call; each is reported exactly once. */
  pending: BreakerTransition[];
  inFlight: number;
  queued: number;
  /** The last failure the breaker counted, and when it opened: what a call it turns away is told. */
  lastFailure?: string;
  openedAt?: number;
}

const STATE_NAMES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: "closed",
  [CircuitState.Open]: "open",
  [CircuitState.HalfOpen]: "half-open",
  [CircuitState.Isolated]: "isolated",
};

/** Whether a backend can be called here, and why not. Lint uses this to explain. */

const isRetryable = (err: unknown): boolean => err instanceof RetryableError;

/** Consecutive failures that open a backend's breaker, and how long it stays open (breakerThreshold, breakerHalfOpenMs). */
const BREAKER_THRESHOLD = 5;
const BREAKER_PAUSE_MS = 10_000;

/**
 * The backends a run may call: lookup by name or group (weighted pick), enabled flags, retries
 * with backoff, a circuit breaker per backend, and a fallback chain. Built on cockatiel.
 */
export class BackendPool {
  private readonly configs = new Map<string, BackendConfig>();
  private readonly runtimes = new Map<string, Runtime>();
  private readonly providers: Map<string, ProviderFactory>;
  private readonly breakerListeners = new Set<(t: BreakerTransition) => void>();
  readonly stats = new BackendStats();
  readonly cache = new ResponseCache();

  constructor(configs: BackendConfig[], providers: Record<string, ProviderFactory>) {
    this.providers = new Map(Object.entries(providers));
    for (const c of configs) this.configs.set(c.name, c);
  }

  list(): BackendConfig[] {
    return [...this.configs.values()];
  }

  get(name: string): BackendConfig | undefined {
    return this.configs.get(name);
  }

  /** The provider factory for a provider name (the server's "test connection" uses it directly). */
  provider(name: string): ProviderFactory | undefined {
    return this.providers.get(name);
  }

  /**
   * Replaces the configuration (a backends file was edited). Stats survive; a backend whose
   * configuration changed gets a fresh provider instance, breaker, concurrency limit and cache.
   */
  update(configs: BackendConfig[]): void {
    const next = new Map(configs.map((c) => [c.name, c]));
    for (const [name, old] of this.configs) {
      const now = next.get(name);
      if (!now || JSON.stringify(now) !== JSON.stringify(old)) {
        this.runtimes.delete(name);
        this.cache.dropBackend(name);
      }
    }
    this.configs.clear();
    for (const c of configs) this.configs.set(c.name, c);
  }

  availability(): BackendAvailability[] {
    return this.list().map((c) => {
      const a: BackendAvailability = {
        name: c.name,
        provider: c.provider,
        simulated: c.provider === "simulated",
        enabled: c.enabled,
        available: c.enabled && this.providers.has(c.provider),
      };
      if (!c.enabled) a.reason = `backend "${c.name}" is disabled`;
      else if (!this.providers.has(c.provider)) a.reason = `provider "${c.provider}" is not available in this build yet (backend "${c.name}")`;
      if (c.group) a.group = c.group;
      return a;
    });
  }

  /** Names a node may use: backend names and group names. */
  names(): Set<string> {
    const s = new Set<string>();
    for (const c of this.configs.values()) {
      s.add(c.name);
      if (c.group) s.add(c.group);
    }
    return s;
  }

  breakerState(name: string): BreakerState {
    return this.runtimes.get(name)?.state ?? "closed";
  }

  /** Calls running (or waiting for a concurrency slot) on a backend right now. */
  load(name: string): { inFlight: number; queued: number } {
    const rt = this.runtimes.get(name);
    return { inFlight: rt?.inFlight ?? 0, queued: rt?.queued ?? 0 };
  }

  /** Every breaker transition of every backend (the server's monitor); returns an unsubscribe. */
  onBreakerChange(listener: (t: BreakerTransition) => void): () => void {
    this.breakerListeners.add(listener);
    return () => this.breakerListeners.delete(listener);
  }

  /** Picks a backend for a name: the backend itself, or a weighted member of a group. */
  resolve(name: string, random: () => number): BackendConfig {
    const direct = this.configs.get(name);
    if (direct) return direct;
    const members = this.list().filter((c) => c.group === name && c.enabled && c.weight > 0);
    if (members.length === 0) throw new BraidError("E_UNKNOWN_BACKEND", `no backend or enabled group member named "${name}"`);
    const total = members.reduce((s, c) => s + c.weight, 0);
    let r = random() * total;
    for (const c of members) {
      r -= c.weight;
      if (r < 0) return c;
    }
    return members[members.length - 1] as BackendConfig;
  }

  private runtime(cfg: BackendConfig): Runtime {
    let rt = this.runtimes.get(cfg.name);
    if (rt) return rt;
    const created: Runtime = { state: "closed", pending: [], inFlight: 0, queued: 0 };
    rt = created;
    if (cfg.circuitBreaker) {
      const b = circuitBreaker(handleWhen(isRetryable), {
        halfOpenAfter: cfg.breakerHalfOpenMs ?? BREAKER_PAUSE_MS,
        breaker: new ConsecutiveBreaker(cfg.breakerThreshold ?? BREAKER_THRESHOLD),
      });
      b.onStateChange((s) => {
        const t: BreakerTransition = { backend: cfg.name, from: created.state, to: STATE_NAMES[s], at: Date.now() };
        created.state = t.to;
        if (t.to === "open") created.openedAt = t.at;
        created.pending.push(t);
        for (const l of this.breakerListeners) l(t);
      });
      rt.breaker = b;
    }
    // Waiting calls queue without bound: a run should wait for a slot, not fail for lack of one.
    if (cfg.maxConcurrency) rt.bulkhead = bulkhead(cfg.maxConcurrency, Number.MAX_SAFE_INTEGER);
    this.runtimes.set(cfg.name, rt);
    return rt;
  }

  private instance(cfg: BackendConfig, rt: Runtime): Backend {
    if (!rt.instance) {
      const factory = this.providers.get(cfg.provider);
      if (!factory) throw new BraidError("E_BACKEND_UNAVAILABLE", `provider "${cfg.provider}" is not available in this build yet (backend "${cfg.name}")`);
      rt.instance = factory(cfg);
    }
    return rt.instance;
  }

  /** One call with retries on this backend only. */
  private async callOne(cfg: BackendConfig, req: LlmRequest, ctx: CallContext, hooks: PoolCallHooks): Promise<PoolResult> {
    if (!cfg.enabled) throw new BraidError("E_BACKEND_UNAVAILABLE", `backend "${cfg.name}" is disabled`);
    const ttl = ResponseCache.ttlFor(cfg, req);
    const key = ttl > 0 ? ResponseCache.key(cfg, req) : undefined;
    const hit = key ? this.cache.get(key) : undefined;
    if (hit) {
      hooks.onCacheHit?.({ backend: cfg.name });
      this.stats.record(cfg.name, { ok: true, latencyMs: 0, cached: true });
      return { text: hit.text, usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 }, backend: cfg.name, model: hit.model, cached: true };
    }
    const rt = this.runtime(cfg);
    const backend = this.instance(cfg, rt);
    const policy = retry(handleWhen(isRetryable), { maxAttempts: cfg.retries, backoff: new JitterBackoff(retryTiming(cfg, backend.simulated)) });
    let retries = 0;
    let reached = false;
    const sub = policy.onRetry((e) => {
      retries++;
      const error = "error" in e ? String((e.error as Error)?.message ?? e.error) : "unexpected result";
      hooks.onRetry?.({ backend: cfg.name, attempt: e.attempt, delayMs: Math.round(e.delay), error });
    });
    const started = Date.now();
    try {
      const result = await policy.execute(async ({ attempt }) => {
        const attemptCtx: CallContext = { ...ctx, seedKey: attempt > 0 ? `${ctx.seedKey}#retry${attempt}` : ctx.seedKey };
        const call = async (): Promise<CompletionResult> => {
          rt.inFlight++;
          reached = true;
          try {
            return await backend.complete(req, attemptCtx);
          } catch (err) {
            if (isRetryable(err)) rt.lastFailure = describe(err);
            throw err;
          } finally {
            rt.inFlight--;
          }
        };
        // The breaker sits outside the concurrency limit, so an open circuit fails fast instead of queueing.
        const limited = rt.bulkhead ? () => queue(rt, rt.bulkhead as BulkheadPolicy, call, ctx.signal) : call;
        try {
          return rt.breaker ? await rt.breaker.execute(limited) : await limited();
        } catch (err) {
          if (err instanceof BrokenCircuitError) throw paused(cfg, rt);
          throw err;
        } finally {
          for (const t of rt.pending.splice(0)) hooks.onBreaker?.(t);
        }
      }, ctx.signal);
      const costUsd = roundCost(costOf(cfg, result.usage.inputTokens, result.usage.outputTokens));
      const usage: Usage = { ...result.usage, costUsd };
      this.stats.record(cfg.name, { ok: true, latencyMs: Date.now() - started, usage, retries });
      if (key && cacheable(req, result.text)) this.cache.set(key, result, ttl);
      return { text: result.text, usage, backend: cfg.name, model: result.model };
    } catch (err) {
      // A call the open breaker turned away never reached the backend: it is not a call, and its last real error stays visible.
      if (!isAbort(err, ctx.signal) && reached) this.stats.record(cfg.name, { ok: false, latencyMs: Date.now() - started, error: describe(err), retries });
      throw err;
    } finally {
      sub.dispose();
    }
  }

  /** Calls `name` (a backend or group), then its fallback chain, until one succeeds. */
  async call(name: string, req: LlmRequest, ctx: CallContext & { random: () => number }, hooks: PoolCallHooks = {}): Promise<PoolResult> {
    let cfg = this.resolve(name, ctx.random);
    const tried = new Set<string>();
    for (;;) {
      tried.add(cfg.name);
      try {
        return await this.callOne(cfg, req, ctx, hooks);
      } catch (err) {
        if (isAbort(err, ctx.signal)) throw abortError(ctx.signal);
        const next = cfg.fallback ? this.configs.get(cfg.fallback) : undefined;
        const reason = describe(err);
        if (!next || tried.has(next.name)) {
          if (err instanceof BraidError) throw err;
          const code = err instanceof BackendTimeoutError ? "E_BACKEND_TIMEOUT" : "E_BACKEND_FAILED";
          throw new BraidError(code, `backend "${cfg.name}" failed: ${reason}`, { cause: err });
        }
        hooks.onFallback?.({ from: cfg.name, to: next.name, reason });
        cfg = next;
      }
    }
  }
}

/**
 * Only answers worth repeating are cached: non-empty, and valid against the JSON spec when one was
 * asked for (after the local jsonrepair pass the runtime applies too, so such answers need no LLM repair).
 */
function cacheable(req: LlmRequest, text: string): boolean {
  if (text.trim() === "") return false;
  if (!req.json) return true;
  return parseModelOutput(text, req.json).ok;
}

/** Runs `call` within the backend's concurrency limit, counting the calls that wait for a slot. */
async function queue<T>(rt: Runtime, limit: BulkheadPolicy, call: () => Promise<T>, signal: AbortSignal): Promise<T> {
  let started = false;
  rt.queued++;
  try {
    return await abortable(
      limit.execute(() => {
        started = true;
        rt.queued--;
        return call();
      }, signal),
      signal,
    );
  } finally {
    if (!started) rt.queued--;
  }
}

/** Rejects as soon as the signal aborts (a call waiting for a concurrency slot must not outlive its run). */
function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

/**
 * What a call the open breaker turns away is told: that the backend is paused, for how long, and
 * the failure that paused it, so every record of a batch says why rather than only "open".
 */
function paused(cfg: BackendConfig, rt: Runtime): BraidError {
  const pauseMs = cfg.breakerHalfOpenMs ?? BREAKER_PAUSE_MS;
  const left = rt.openedAt === undefined ? pauseMs : Math.max(0, rt.openedAt + pauseMs - Date.now());
  const last = rt.lastFailure ? `; last failure: ${rt.lastFailure}` : "";
  return new BraidError(
    "E_BACKEND_FAILED",
    `backend "${cfg.name}" is paused after ${cfg.breakerThreshold ?? BREAKER_THRESHOLD} consecutive failures (circuit breaker open, next try in ${Math.ceil(left / 1000)} s)${last}`,
  );
}

function describe(err: unknown): string {
  if (err instanceof TaskCancelledError) return "cancelled";
  return err instanceof Error ? err.message : String(err);
}

function isAbort(err: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (err as { name?: string })?.name === "AbortError" || err instanceof TaskCancelledError;
}

export function abortError(signal?: AbortSignal): Error {
  const reason = signal?.reason;
  const e = new Error(typeof reason === "string" ? reason : reason instanceof Error ? reason.message : "aborted");
  e.name = "AbortError";
  return e;
}
