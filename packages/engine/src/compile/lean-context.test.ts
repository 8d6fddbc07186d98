import { AsyncLocalStorageProviderSingleton } from "@langchain/core/singletons";
import { AsyncLocalStorage } from "node:async_hooks";
import { describe, expect, it } from "vitest";
import { useLeanRunnableContext } from "./lean-context.js";

/** langsmith is LangChain's dependency, not ours: tell a RunTree by its class name. */
const className = (v: unknown) => (v as { constructor?: { name?: string } } | undefined)?.constructor?.name;

describe("lean runnable context (no RunTree per call without a tracer)", () => {
  AsyncLocalStorageProviderSingleton.initializeGlobalInstance(new AsyncLocalStorage());
  useLeanRunnableContext();
  const provider = AsyncLocalStorageProviderSingleton;

  it("without a tracer, the config is carried in a plain store that getRunnableConfig reads", async () => {
    const config = { tags: ["x"], configurable: { thread_id: "t" } };
    const seen = await provider.runWithConfig(config, async () => ({ store: provider.getInstance().getStore(), config: provider.getRunnableConfig() }));
    expect(seen.config).toBe(config);
    expect(className(seen.store)).toBe("Object");
  });

  it("context variables carry into nested calls; avoidCreatingRootRunTree keeps no config, as LangChain does", async () => {
    const vars = Symbol.for("lc:context_variables");
    const outer = provider.getInstance();
    const seen = await outer.run({ [vars]: { who: "outer" } }, () =>
      provider.runWithConfig({}, () => (provider.getInstance().getStore() as Record<symbol, unknown>)[vars], true),
    );
    expect(seen).toEqual({ who: "outer" });
    expect(await provider.runWithConfig({ tags: ["y"] }, async () => provider.getRunnableConfig(), true)).toBeUndefined();
  });

  it("with a LangChain tracer among the callbacks, LangChain's own path runs (a RunTree holds the config)", async () => {
    const tracer = { name: "langchain_tracer", getRunTreeWithTracingConfig: () => undefined };
    const store = await provider.runWithConfig({ callbacks: [tracer] as never }, async () => provider.getInstance().getStore());
    expect(className(store)).toBe("RunTree");
  });

  it("turned off, LangChain's own path is back (the benchmarks' plain LangGraph)", async () => {
    useLeanRunnableContext(false);
    try {
      expect(className(await provider.runWithConfig({}, async () => provider.getInstance().getStore()))).toBe("RunTree");
    } finally {
      useLeanRunnableContext();
    }
  });
});
