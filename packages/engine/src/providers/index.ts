import type { LatencyProfile, BackendConfig } from "@braid/core";
import { createPool, isomorphicProviders } from "../backends/default-pool.js";
import type { BackendPool, ProviderFactory } from "../backends/pool.js";
import { AnthropicBackend } from "./anthropic.js";
import type { ProviderDeps } from "./chat.js";
import { OllamaBackend } from "./ollama.js";
import { OpenAiBackend } from "./openai.js";

/** The real providers (OpenAI-compatible, Ollama native, Anthropic) plus the simulated one. */
export function createNodeProviders(deps: ProviderDeps = {}): Record<string, ProviderFactory> {
  return {
    ...isomorphicProviders,
    openai: (cfg) => new OpenAiBackend(cfg, deps),
    ollama: (cfg) => new OllamaBackend(cfg, deps),
    anthropic: (cfg) => new AnthropicBackend(cfg, deps),
  };
}

/** Every provider, in local single-user mode (egress open, keys from process.env). */
export const nodeProviders: Record<string, ProviderFactory> = createNodeProviders();

/** Like `createPool`, with the real providers. */
export function createNodePool(
  opts: { latency?: LatencyProfile; extra?: BackendConfig[]; deps?: ProviderDeps; providers?: Record<string, ProviderFactory> } = {},
): BackendPool {
  return createPool({
    ...(opts.latency ? { latency: opts.latency } : {}),
    extra: opts.extra ?? [],
    providers: { ...createNodeProviders(opts.deps ?? {}), ...opts.providers },
  });
}
