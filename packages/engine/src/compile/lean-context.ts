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

let installed = false;

const hasTracer = (callbacks: unknown): boolean => {
  const handlers = Array.isArray(callbacks) ? callbacks : ((callbacks as { handlers?: unknown[] } | undefined)?.handlers ?? []);
  return handlers.some((h) => (h as { name?: string } | undefined)?.name === "langchain_tracer");
};

/** Installs the lean path once per process; idempotent. */
export function useLeanRunnableContext(): void {
  if (installed) return;
  installed = true;
  const provider = AsyncLocalStorageProviderSingleton as Provider & { runWithConfig: RunWithConfig };
  const original = provider.runWithConfig.bind(provider);
  provider.runWithConfig = ((config, callback, avoidCreatingRootRunTree) => {
    if (hasTracer(config?.callbacks)) return original(config, callback, avoidCreatingRootRunTree);
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
}
