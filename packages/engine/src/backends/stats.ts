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
  lastError?: string;
}

const WINDOW = 1000;

/** Live per-backend counters; latency percentiles over the last WINDOW calls. */
export class BackendStats {
  private readonly byName = new Map<string, { calls: number; failures: number; latencies: number[]; usage: Usage; lastError?: string }>();

  record(name: string, r: { ok: boolean; latencyMs: number; usage?: Usage; error?: string }): void {
    let s = this.byName.get(name);
    if (!s) {
      s = { calls: 0, failures: 0, latencies: [], usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 } };
      this.byName.set(name, s);
    }
    s.calls++;
    if (!r.ok) {
      s.failures++;
      if (r.error !== undefined) s.lastError = r.error;
    }
    s.latencies.push(r.latencyMs);
    if (s.latencies.length > WINDOW) s.latencies.shift();
    if (r.usage) {
      s.usage.inputTokens += r.usage.inputTokens;
      s.usage.outputTokens += r.usage.outputTokens;
      s.usage.costUsd += r.usage.costUsd;
    }
  }

  calls(name: string): number {
    return this.byName.get(name)?.calls ?? 0;
  }

  snapshot(): BackendStatsSnapshot[] {
    return [...this.byName.entries()].map(([name, s]) => {
      const sorted = [...s.latencies].sort((a, b) => a - b);
      const pct = (p: number) => (sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0) : 0);
      const snap: BackendStatsSnapshot = {
        name,
        calls: s.calls,
        failures: s.failures,
        successRate: s.calls ? (s.calls - s.failures) / s.calls : 1,
        p50Ms: pct(0.5),
        p95Ms: pct(0.95),
        inputTokens: s.usage.inputTokens,
        outputTokens: s.usage.outputTokens,
        costUsd: Math.round(s.usage.costUsd * 1e8) / 1e8,
      };
      if (s.lastError !== undefined) snap.lastError = s.lastError;
      return snap;
    });
  }
}
