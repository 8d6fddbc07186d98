// The runtime: compile to LangGraph, run, the backend pool and the simulated provider. It
// re-exports the browser-safe core so server code has one import; the browser imports
// "@braid/core" directly and never this entry. Real providers are in "./node".
export * from "@braid/core";
export * from "./backends/pool.js";
export * from "./backends/cache.js";
export { SimulatedBackend } from "./backends/simulated.js";
export * from "./backends/rng.js";
export * from "./backends/fake-data.js";
export * from "./backends/default-pool.js";
export * from "./compile/compile.js";
export { useLeanRunnableContext } from "./compile/lean-context.js";
export * from "./run/context.js";
export * from "./run/run.js";
export * from "./run/llm-json.js";
export * from "./run/reuse.js";
export * from "./run/approval.js";
export * from "./run/single.js";
