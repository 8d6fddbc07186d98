// Evaluation: datasets, evaluators, experiment metrics, A/B comparison and quality gates. Pure and
// browser-safe: running records belongs to the caller, and LLM judges are injected.
export * from "./dataset.js";
export * from "./evaluators.js";
export * from "./evaluate.js";
export * from "./run-facts.js";
export * from "./metrics.js";
export * from "./compare.js";
export * from "./gates.js";
export * from "./pipeline.js";
