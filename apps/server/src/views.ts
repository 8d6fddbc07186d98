import type { BackendPool, StatsWindow, Usage } from "@braid/engine";
import type { RunRecord, RunStore } from "./store/runs.js";

/**
 * A run's usage as users see it: the row's totals, plus `estimated` (some provider reported no
 * usage, so the tokens are Braid's estimate) from the run's final event, which the row has no
 * column for. A run that has not ended reports the row as it is.
 */
export async function runUsage(runs: RunStore, run: Pick<RunRecord, "id" | "usage">): Promise<Usage> {
  const last = (await runs.events(run.id, Math.max(0, (await runs.lastSeq(run.id)) - 1), 1))[0]?.event;
  const estimated = last !== undefined && "usage" in last && last.usage.estimated === true;
  return estimated ? { ...run.usage, estimated: true } : run.usage;
}

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
