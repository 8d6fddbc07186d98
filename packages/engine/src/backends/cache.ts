import type { BackendConfig, CompletionResult, LlmRequest } from "@braid/core";
import { LRUCache } from "lru-cache";

/** Default TTL when a node asks for caching and its backend sets none. */
export const DEFAULT_CACHE_TTL_MS = 15 * 60_000;

/**
 * The response cache (the background documents' `$cache`): completions keyed by backend, model,
 * system, prompt and parameters (temperature, max tokens, JSON spec), each with a TTL. In memory,
 * bounded, least recently used first out. Hits cost nothing and show in the trace as `cache_hit`.
 */
export class ResponseCache {
  private readonly entries: LRUCache<string, CompletionResult>;

  constructor(maxEntries = 1000, now: () => number = Date.now) {
    // lru-cache reads time through `perf`; it must never be 0 (a start of 0 means "no TTL"), so the
    // clock is measured from just before construction. No debouncing: an injected clock is exact.
    const origin = now() - 1;
    this.entries = new LRUCache<string, CompletionResult>({ max: maxEntries, ttlResolution: 0, perf: { now: () => now() - origin } });
  }

  /** The TTL for this call, or 0 when it must not be cached. A node's `cache: false` always wins. */
  static ttlFor(cfg: BackendConfig, req: LlmRequest): number {
    if (req.cache === false) return 0;
    if (cfg.cacheTtlMs) return cfg.cacheTtlMs;
    return req.cache === true ? DEFAULT_CACHE_TTL_MS : 0;
  }

  static key(cfg: BackendConfig, req: LlmRequest): string {
    return JSON.stringify([
      cfg.name,
      cfg.provider,
      cfg.model,
      cfg.baseUrl ?? "",
      req.system ?? "",
      req.prompt,
      req.temperature ?? cfg.temperature,
      req.maxTokens ?? cfg.maxTokens,
      req.json ?? null,
      req.task.type,
    ]);
  }

  /** The cached completion, or undefined when there is none or it expired; a hit becomes the most recently used. */
  get(key: string): CompletionResult | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: CompletionResult, ttlMs: number): void {
    if (ttlMs <= 0) return;
    this.entries.set(key, value, { ttl: ttlMs });
  }

  /** Drops every entry of one backend (its configuration changed). */
  dropBackend(name: string): void {
    const prefix = JSON.stringify([name]).slice(0, -1);
    for (const k of [...this.entries.keys()]) if (k.startsWith(`${prefix},`)) this.entries.delete(k);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
