import { percentile } from "../analysis/stats.js";
import type { Usage } from "../events.js";

export interface BackendStatsSnapshot {
  name: string;
  calls: number;
  failures: number;
  successRate: number;
  p50Ms: number;
  p95Ms: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** Calls answered from the response cache (not counted in `calls`). */
  cacheHits: number;
  /** Retries made inside the counted calls. */
  retries: number;
  lastError?: string;
  lastErrorAt?: number;
}

/** The windows the monitor offers; `all` is since the process started. */
export const STATS_WINDOWS = { "5m": 5 * 60_000, "1h": 60 * 60_000, all: Number.POSITIVE_INFINITY } as const;
export type StatsWindow = keyof typeof STATS_WINDOWS;

/** Samples kept per backend for windows and percentiles; totals for `all` are exact regardless. */
const KEEP = 10_000;

interface Sample {
  at: number;
  ok: boolean;
  latencyMs: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  retries: number;
  cached: boolean;
}

interface Totals {
  calls: number;
  failures: number;
  usage: Usage;
  cacheHits: number;
  retries: number;
  samples: Sample[];
  lastError?: string;
  lastErrorAt?: number;
}

/** Live per-backend counters, over a selectable window (last 5 minutes, last hour, or all). */
export class BackendStats {
  private readonly byName = new Map<string, Totals>();

  constructor(private readonly now: () => number = Date.now) {}

  private totals(name: string): Totals {
    let s = this.byName.get(name);
    if (!s) {
      s = { calls: 0, failures: 0, usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 }, cacheHits: 0, retries: 0, samples: [] };
      this.byName.set(name, s);
    }
    return s;
  }

  record(name: string, r: { ok: boolean; latencyMs: number; usage?: Usage; error?: string; retries?: number; cached?: boolean }): void {
    const s = this.totals(name);
    const at = this.now();
    const cached = r.cached === true;
    if (cached) s.cacheHits++;
    else s.calls++;
    if (!r.ok) {
      s.failures++;
      if (r.error !== undefined) {
        s.lastError = r.error;
        s.lastErrorAt = at;
      }
    }
    s.retries += r.retries ?? 0;
    if (r.usage) {
      s.usage.inputTokens += r.usage.inputTokens;
      s.usage.outputTokens += r.usage.outputTokens;
      s.usage.costUsd += r.usage.costUsd;
    }
    s.samples.push({
      at,
      ok: r.ok,
      latencyMs: r.latencyMs,
      inputTokens: r.usage?.inputTokens ?? 0,
      outputTokens: r.usage?.outputTokens ?? 0,
      costUsd: r.usage?.costUsd ?? 0,
      retries: r.retries ?? 0,
      cached,
    });
    if (s.samples.length > KEEP) s.samples.splice(0, s.samples.length - KEEP);
  }

  calls(name: string): number {
    return this.byName.get(name)?.calls ?? 0;
  }

  snapshot(window: StatsWindow = "all"): BackendStatsSnapshot[] {
    return [...this.byName.keys()].map((name) => this.one(name, window));
  }

  /** One backend's figures; zeros when it was never called. */
  one(name: string, window: StatsWindow = "all"): BackendStatsSnapshot {
    const s = this.byName.get(name);
    if (!s) return { name, calls: 0, failures: 0, successRate: 1, p50Ms: 0, p95Ms: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, cacheHits: 0, retries: 0 };
    const since = this.now() - STATS_WINDOWS[window];
    const inWindow = window === "all" ? s.samples : s.samples.filter((x) => x.at >= since);
    const real = inWindow.filter((x) => !x.cached);
    const latencies = real.map((x) => x.latencyMs);
    const pct = (p: number) => (latencies.length ? percentile(latencies, p) : 0);
    const sum = (f: (x: Sample) => number) => inWindow.reduce((t, x) => t + f(x), 0);
    const all = window === "all";
    const calls = all ? s.calls : real.length;
    const failures = all ? s.failures : real.filter((x) => !x.ok).length;
    const snap: BackendStatsSnapshot = {
      name,
      calls,
      failures,
      successRate: calls ? (calls - failures) / calls : 1,
      p50Ms: pct(0.5),
      p95Ms: pct(0.95),
      inputTokens: all ? s.usage.inputTokens : sum((x) => x.inputTokens),
      outputTokens: all ? s.usage.outputTokens : sum((x) => x.outputTokens),
      costUsd: Math.round((all ? s.usage.costUsd : sum((x) => x.costUsd)) * 1e8) / 1e8,
      cacheHits: all ? s.cacheHits : inWindow.length - real.length,
      retries: all ? s.retries : sum((x) => x.retries),
    };
    if (s.lastError !== undefined) snap.lastError = s.lastError;
    if (s.lastErrorAt !== undefined) snap.lastErrorAt = s.lastErrorAt;
    return snap;
  }
}
