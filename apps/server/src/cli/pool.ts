import type { BackendPool, LatencyProfile } from "@braid/engine";
import { createNodePool, egressPolicyFromEnv } from "@braid/engine/node";
import { disableLangSmithTracing } from "../config.js";
import { loadBackendsFile } from "../files.js";
import { UsageError } from "./args.js";

export function loadPool(backendsFile: string | undefined, latency: string = "realistic"): BackendPool {
  if (latency !== "realistic" && latency !== "zero") throw new UsageError(`--latency must be "realistic" or "zero", got "${latency}"`);
  // The CLI runs as its user, on their machine: local single-user mode (BRAID_EGRESS_ALLOW still applies when set).
  disableLangSmithTracing();
  const extra = backendsFile ? loadBackendsFile(backendsFile) : [];
  return createNodePool({ latency: latency as LatencyProfile, extra, deps: { egress: egressPolicyFromEnv(process.env, false) } });
}
