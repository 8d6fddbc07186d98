import type { BackendPool, LatencyProfile } from "@braid/engine";
import { egressPolicyFromEnv } from "@braid/engine/node";
import { createCheckedPool, unknownBackend } from "../backend-policy.js";
import { disableLangSmithTracing } from "../config.js";
import { loadBackendsFile } from "../files.js";
import { UsageError } from "./args.js";

export function loadPool(backendsFile: string | undefined, latency: string = "realistic"): BackendPool {
  if (latency !== "realistic" && latency !== "zero") throw new UsageError(`--latency must be "realistic" or "zero", got "${latency}"`);
  // The CLI runs as its user, on their machine: local single-user mode (BRAID_EGRESS_ALLOW still applies when set).
  disableLangSmithTracing();
  const extra = backendsFile ? loadBackendsFile(backendsFile) : [];
  return createCheckedPool({ latency: latency as LatencyProfile, extra, egress: egressPolicyFromEnv(process.env, false) });
}

/** `--backend NAME`: every LLM node runs on this backend or group; an unknown name is a usage error that lists the configured ones. */
export function backendOption(pool: BackendPool, name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const problem = unknownBackend(pool, name);
  if (problem) throw new UsageError(`--backend: ${problem} (add it with --backends FILE)`);
  return name;
}

/** Whether every backend a run may call is simulated: all of them, or only the override's (a backend or a group's members). */
export function allSimulated(pool: BackendPool, backend: string | undefined): boolean {
  const used = backend === undefined ? pool.list() : pool.list().filter((b) => b.name === backend || b.group === backend);
  return used.every((b) => b.provider === "simulated");
}
