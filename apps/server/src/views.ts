import type { BackendPool, StatsWindow } from "@braid/engine";

/** Backends as shown to users: configuration without secrets, a simulated flag, live stats (over `window`). */
export function backendViews(pool: BackendPool, window: StatsWindow = "all") {
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
      stats: pool.stats.one(a.name, window),
    };
  });
}
