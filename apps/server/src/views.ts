import type { BackendPool } from "@braid/engine";

/** Backends as shown to users: configuration without secrets, a simulated flag, live stats. */
export function backendViews(pool: BackendPool) {
  const stats = new Map(pool.stats.snapshot().map((s) => [s.name, s]));
  return pool.availability().map((a) => {
    const c = pool.get(a.name);
    return {
      name: a.name,
      provider: a.provider,
      simulated: a.simulated,
      model: c?.model ?? "",
      enabled: a.enabled,
      available: a.available,
      ...(a.reason ? { reason: a.reason } : {}),
      ...(c?.group ? { group: c.group } : {}),
      ...(c?.fallback ? { fallback: c.fallback } : {}),
      ...(c?.description ? { description: c.description } : {}),
      ...(c?.apiKeyEnv ? { apiKeyEnv: c.apiKeyEnv } : {}),
      pricing: c?.pricing ?? { input: 0, output: 0 },
      latencyMs: c?.simulation?.latencyMs,
      breaker: pool.breakerState(a.name),
      stats: stats.get(a.name) ?? { name: a.name, calls: 0, failures: 0, successRate: 1, p50Ms: 0, p95Ms: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 },
    };
  });
}
