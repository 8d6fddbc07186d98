import { type BackendConfig, RetryableError } from "@braid/core";
import type { IBackoff, IBackoffFactory, IRetryBackoffContext } from "cockatiel";

/** Defaults: a real backend's first retry waits up to 1 s, then 2 s, 4 s…; no wait is longer than a minute (a per-minute limit fits). */
export const DEFAULT_RETRY_BASE_MS = 1000;
export const SIMULATED_RETRY_BASE_MS = 20;
export const DEFAULT_RETRY_MAX_MS = 60_000;

export interface RetryTiming {
  baseMs: number;
  maxMs: number;
}

export const retryTiming = (cfg: BackendConfig, simulated: boolean): RetryTiming => ({
  baseMs: cfg.retryDelayMs ?? (simulated ? SIMULATED_RETRY_BASE_MS : DEFAULT_RETRY_BASE_MS),
  maxMs: cfg.retryMaxDelayMs ?? DEFAULT_RETRY_MAX_MS,
});

/**
 * The wait before retry number `attempt` (1-based): what the server asked for (Retry-After, the
 * rate-limit reset headers), else exponential backoff with full jitter, a random time up to
 * base × 2^(attempt-1). Either way never more than the ceiling.
 */
export function retryDelay(attempt: number, timing: RetryTiming, random: () => number, serverAskedMs?: number): number {
  if (serverAskedMs !== undefined) return Math.min(Math.max(0, serverAskedMs), timing.maxMs);
  const window = Math.min(timing.maxMs, timing.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(random() * window);
}

/** The cockatiel backoff for one call's retries, with retryDelay's rule. */
export class JitterBackoff implements IBackoffFactory<IRetryBackoffContext<unknown>> {
  constructor(
    private readonly timing: RetryTiming,
    private readonly random: () => number = Math.random,
    private readonly attempt = 1,
  ) {}

  next(context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> {
    const err = "error" in context.result ? context.result.error : undefined;
    const asked = err instanceof RetryableError ? err.retryAfterMs : undefined;
    return {
      duration: retryDelay(this.attempt, this.timing, this.random, asked),
      next: (c) => new JitterBackoff(this.timing, this.random, this.attempt + 1).next(c),
    };
  }
}
