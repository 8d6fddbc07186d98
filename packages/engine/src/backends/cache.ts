import type { BackendConfig, CompletionResult, LlmRequest } from "@braid/core";

/** Default TTL when a node asks for caching and its backend sets none. */
export const DEFAULT_CACHE_TTL_MS = 15 * 60_000;

/**
 * The response cache (the background documents' `$cache`): completions keyed by backend, model,
 * system, prompt and parameters (temperature, max tokens, JSON spec), each with a TTL. In memory,
 * bounded, least recently used first out. Hits cost nothing and show in the trace as `cache_hit`.
 */
export class ResponseCache {
  private readonly entries = new Map<string, { value: CompletionResult; expires: number }>();

  constructor(
    private readonly maxEntries = 1000,
    private readonly now: () => number = Date.now,
  ) {}

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

  get(key: string): CompletionResult | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    // Refresh recency.
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.value;
  }

  set(key: string, value: CompletionResult, ttlMs: number): void {
    if (ttlMs <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expires: this.now() + ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
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
