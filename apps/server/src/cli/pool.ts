import { type BackendPool, type LatencyProfile, createPool } from "@braid/engine";
import { loadBackendsFile } from "../files.js";
import { UsageError } from "./args.js";

export function loadPool(backendsFile: string | undefined, latency: string = "realistic"): BackendPool {
  if (latency !== "realistic" && latency !== "zero") throw new UsageError(`--latency must be "realistic" or "zero", got "${latency}"`);
  return createPool({ latency: latency as LatencyProfile, extra: backendsFile ? loadBackendsFile(backendsFile) : [] });
}
