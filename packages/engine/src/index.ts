// The isomorphic engine: no DOM, no HTTP, no Node-only imports. The browser lints, previews
// and exports with this same code.
export * from "./errors.js";
export * from "./events.js";
export * from "./json.js";
export * from "./format/schema.js";
export * from "./format/parse.js";
export * from "./format/migrate.js";
export * from "./format/diagnostics.js";
export * from "./format/lint.js";
export * from "./format/json-schema.js";
export * from "./template/template.js";
export * from "./template/expression.js";
export * from "./kinds.js";
export * from "./graph.js";
export * from "./analysis/complexity.js";
export * from "./backends/types.js";
export * from "./backends/pool.js";
export * from "./backends/stats.js";
export * from "./backends/config.js";
export { SimulatedBackend } from "./backends/simulated.js";
export * from "./backends/rng.js";
export * from "./backends/fake-data.js";
export * from "./backends/default-pool.js";
export * from "./compile/compile.js";
export * from "./run/context.js";
export * from "./run/run.js";
export * from "./run/llm-json.js";
export * from "./mermaid/index.js";
