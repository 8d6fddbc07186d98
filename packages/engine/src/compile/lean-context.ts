/**
 * LangChain carries a runnable's config to its callees in an AsyncLocalStorage store. When no
 * LangChain tracer is configured, `runWithConfig` still builds a langsmith `RunTree` per call
 * just to hold that config: a UUIDv7 (crypto random), a timestamp string and an environment
 * lookup each, and LangGraph calls it for every node, every channel write and every branch. In a
 * zero-latency batch that was ~17 % of all CPU (profile of bench/batch-child.ts). With no tracer
 * the store only has to hold the config (read back by `getRunnableConfig`, which `interrupt()`
 * and `getConfig()` use) and the context variables, so this keeps exactly those in a plain
 * object. With a LangChain tracer among the callbacks, LangChain's own code runs unchanged.
 */
import { AsyncLocalStorageProviderSingleton } from "@langchain/core/singletons";

// The keys @langchain/core uses (global symbols, so these are the same ones).
const CHILD_CONFIG = Symbol.for("lc:child_config");
const CONTEXT_VARIABLES = Symbol.for("lc:context_variables");

type Provider = typeof AsyncLocalStorageProviderSingleton;
type RunWithConfig = Provider["runWithConfig"];

const hasTracer = (callbacks: unknown): boolean => {
  const handlers = Array.isArray(callbacks) ? callbacks : ((callbacks as { handlers?: unknown[] } | undefined)?.handlers ?? []);
  return handlers.some((h) => (h as { name?: string } | undefined)?.name === "langchain_tracer");
};

const provider = AsyncLocalStorageProviderSingleton as Provider & { runWithConfig: RunWithConfig };
const langChains: RunWithConfig = provider.runWithConfig.bind(provider);

const lean: RunWithConfig = ((config, callback, avoidCreatingRootRunTree) => {
  if (hasTracer(config?.callbacks)) return langChains(config, callback, avoidCreatingRootRunTree);
  const storage = provider.getInstance();
  const previous = storage.getStore() as Record<symbol, unknown> | undefined;
  // As LangChain does: no root store when asked to avoid one, but context variables carry on.
  let store: Record<string | symbol, unknown> | undefined = avoidCreatingRootRunTree ? undefined : { extra: { [CHILD_CONFIG]: config } };
  if (previous?.[CONTEXT_VARIABLES] !== undefined) {
    store ??= {};
    store[CONTEXT_VARIABLES] = previous[CONTEXT_VARIABLES];
  }
  return storage.run(store, callback);
}) as RunWithConfig;

/**
 * Installs the lean path (compile() does, once per process), or with `false` puts LangChain's own
 * back: the benchmarks measure plain LangGraph as it ships.
 */
export function useLeanRunnableContext(on = true): void {
  provider.runWithConfig = on ? lean : langChains;
}
