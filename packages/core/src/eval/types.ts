/** The evaluator types (a file of its own: the pipeline file schema lists them without importing the evaluators). */
export const EVALUATOR_TYPES = [
  "equals",
  "contains",
  "icontains",
  "contains-any",
  "contains-all",
  "regex",
  "starts-with",
  "is-json",
  "json-schema",
  "expression",
  "similar",
  "latency",
  "cost",
  "tokens",
  "critique-pass",
  "llm-rubric",
  "select-best",
] as const;
export type EvaluatorType = (typeof EVALUATOR_TYPES)[number];
