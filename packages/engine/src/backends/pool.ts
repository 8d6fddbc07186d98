import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  type IBackoff,
  type IBackoffFactory,
  type IRetryBackoffContext,
  TaskCancelledError,
  circuitBreaker,
  handleWhen,
  retry,
} from "cockatiel";
import { BraidError } from "../errors.js";
import { type Usage, roundCost } from "../events.js";
import { BackendStats } from "./stats.js";
import { type Backend, type BackendConfig, type CallContext, type LlmRequest, RetryableError, costOf } from "./types.js";

export type ProviderFactory = (config: BackendConfig) => Backend;

export interface PoolCallHooks {
  onRetry?(info: { backend: string; attempt: number; delayMs: number; error: string }): void;
  onFallback?(info: { from: string; to: string; reason: string }): void;
}

export interface PoolResult {
  text: string;
  usage: Usage;
  backend: string;
  model: string;
}

/** Whether a backend can be called here, and why not. Lint uses this to explain. */
export interface BackendAvailability {
  name: string;
  provider: string;
  simulated: boolean;
  enabled: boolean;
  available: boolean;
  reason?: string;
  group?: string;
}

const isRetryable = (err: unknown): boolean => err instanceof RetryableError;

/** Exponential backoff with jitter that honours a provider's Retry-After. */
class RetryAfterBackoff implements IBackoffFactory<IRetryBackoffContext<unknown>> {
  constructor(private readonly base: IBackoffFactory<unknown>) {}
  next(context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> {
    const inner = this.base.next(context);
    const err = "error" in context.result ? context.result.error : undefined;
    const after = err instanceof RetryableError ? err.retryAfterMs : undefined;
    const duration = after !== undefined ? Math.min(after, 60_000) : inner.duration;
    return { duration, next: (c) => new RetryAfterBackoff(inner).next(c) };
  }
}

/**
 * The backends a run may call: lookup by name or group (weighted pick), enabled flags, retries
 * with backoff, a circuit breaker per backend, and a fallback chain. Built on cockatiel.
 */
export class BackendPool {
  private readonly configs = new Map<string, BackendConfig>();
  private readonly instances = new Map<string, Backend>();
  private readonly breakers = new Map<string, CircuitBreakerPolicy>();
  private readonly providers: Map<string, ProviderFactory>;
  readonly stats = new BackendStats();

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

  breakerState(name: string): "closed" | "open" | "half-open" | "isolated" {
    const b = this.breakers.get(name);
    if (!b) return "closed";
    return ({ [CircuitState.Closed]: "closed", [CircuitState.Open]: "open", [CircuitState.HalfOpen]: "half-open", [CircuitState.Isolated]: "isolated" } as const)[b.state];
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

  private instance(cfg: BackendConfig): Backend {
    let b = this.instances.get(cfg.name);
    if (!b) {
      const factory = this.providers.get(cfg.provider);
      if (!factory) throw new BraidError("E_BACKEND_UNAVAILABLE", `provider "${cfg.provider}" is not available in this build yet (backend "${cfg.name}")`);
      b = factory(cfg);
      this.instances.set(cfg.name, b);
    }
    return b;
  }

  private breaker(cfg: BackendConfig): CircuitBreakerPolicy | undefined {
    if (!cfg.circuitBreaker) return undefined;
    let b = this.breakers.get(cfg.name);
    if (!b) {
      b = circuitBreaker(handleWhen(isRetryable), { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) });
      this.breakers.set(cfg.name, b);
    }
    return b;
  }

  /** One call with retries on this backend only. */
  private async callOne(cfg: BackendConfig, req: LlmRequest, ctx: CallContext, hooks: PoolCallHooks): Promise<PoolResult> {
    if (!cfg.enabled) throw new BraidError("E_BACKEND_UNAVAILABLE", `backend "${cfg.name}" is disabled`);
    const backend = this.instance(cfg);
    const policy = retry(handleWhen(isRetryable), {
      maxAttempts: cfg.retries,
      backoff: new RetryAfterBackoff(new ExponentialBackoff({ initialDelay: backend.simulated ? 20 : 250, maxDelay: 10_000 })),
    });
    const sub = policy.onRetry((e) => {
      const error = "error" in e ? String((e.error as Error)?.message ?? e.error) : "unexpected result";
      hooks.onRetry?.({ backend: cfg.name, attempt: e.attempt, delayMs: Math.round(e.delay), error });
    });
    const breaker = this.breaker(cfg);
    const started = Date.now();
    try {
      const result = await policy.execute(async ({ attempt }) => {
        const attemptCtx: CallContext = { ...ctx, seedKey: attempt > 0 ? `${ctx.seedKey}#retry${attempt}` : ctx.seedKey };
        return breaker ? breaker.execute(() => backend.complete(req, attemptCtx)) : backend.complete(req, attemptCtx);
      }, ctx.signal);
      const costUsd = roundCost(costOf(cfg, result.usage.inputTokens, result.usage.outputTokens));
      const usage: Usage = { ...result.usage, costUsd };
      this.stats.record(cfg.name, { ok: true, latencyMs: Date.now() - started, usage });
      return { text: result.text, usage, backend: cfg.name, model: result.model };
    } catch (err) {
      if (!isAbort(err, ctx.signal)) this.stats.record(cfg.name, { ok: false, latencyMs: Date.now() - started, error: describe(err) });
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
          throw new BraidError("E_BACKEND_FAILED", `backend "${cfg.name}" failed: ${reason}`, { cause: err });
        }
        hooks.onFallback?.({ from: cfg.name, to: next.name, reason });
        cfg = next;
      }
    }
  }
}

function describe(err: unknown): string {
  if (err instanceof BrokenCircuitError) return "circuit breaker is open";
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
