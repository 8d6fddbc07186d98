import { type LatencyProfile, defaultBackendConfigs, mergeBackendConfigs, type BackendConfig } from "@braid/core";
import { BackendPool, type ProviderFactory } from "./pool.js";
import { SimulatedBackend } from "./simulated.js";

/** Providers available in every environment. Real providers are added by the Node-only entry. */
export const isomorphicProviders: Record<string, ProviderFactory> = {
  simulated: (cfg) => new SimulatedBackend(cfg),
};

/** The default simulated tiers, overridden or extended by `extra` (a backends file). */
export function createPool(opts: { latency?: LatencyProfile; extra?: BackendConfig[]; providers?: Record<string, ProviderFactory> } = {}): BackendPool {
  const configs = mergeBackendConfigs(defaultBackendConfigs(opts.latency ?? "realistic"), opts.extra ?? []);
  return new BackendPool(configs, { ...isomorphicProviders, ...opts.providers });
}
