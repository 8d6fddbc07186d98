// The browser-safe core: format, lint, graph, templates, Mermaid, run view, share links. No
// LangGraph, no DOM, no Node-only module (core.test.ts checks the import graph). The web imports
// this package; the runtime (@braid/engine) builds on it.
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
export * from "./analysis/stats.js";
export * from "./analysis/pipeline-diff.js";
export * from "./backends/types.js";
export * from "./backends/config.js";
export * from "./backends/stats.js";
export * from "./mermaid/index.js";
export * from "./view/run-view.js";
export * from "./share/secrets.js";
export * from "./share/link.js";
export * from "./json-extract.js";
export * from "./eval/index.js";
export * from "./audit.js";
