import type { Diagnostic } from "../format/diagnostics.js";
import type { Pipeline } from "../format/schema.js";
import { isPlainObject } from "../json.js";
import { parseTemplate } from "../template/template.js";
import { type EvaluatorConfig, checkEvaluators, evaluatorName } from "./evaluators.js";
import { GateError, checkGate } from "./gates.js";

/** The metric names gates may use (ExperimentMetrics' numbers) besides `passRate("<evaluator>")`. */
export const GATE_METRICS = ["records", "score", "passRate", "errorRate", "p50LatencyMs", "p95LatencyMs", "meanLatencyMs", "tokensPer1k", "costPer1k"] as const;

/**
 * A pipeline's optional `evaluation` section, checked: the evaluators that are valid and a
 * coded diagnostic for every problem, with a path naming the field (`evaluation.evaluators[2].value`,
 * `evaluation.gates[0]`). Gates may not use `baseline.`: a pipeline file has no baseline of its own.
 */
export function evaluationOf(pipeline: Pipeline): { evaluators: EvaluatorConfig[]; gates: string[]; diagnostics: Diagnostic[] } {
  const section = (pipeline as { evaluation?: unknown }).evaluation;
  if (section === undefined) return { evaluators: [], gates: [], diagnostics: [] };
  if (!isPlainObject(section))
    return { evaluators: [], gates: [], diagnostics: [problem("E_EVALUATOR", "evaluation", "must be an object { evaluators, gates? }")] };
  const { evaluators, diagnostics } = checkEvaluators(section.evaluators ?? [], "evaluation.evaluators");
  const rawEvaluators = Array.isArray(section.evaluators) ? section.evaluators : [];
  rawEvaluators.forEach((ev, i) => {
    const node = isPlainObject(ev) && ev.type === "critique-pass" ? ev.node : undefined;
    if (typeof node === "string" && !pipeline.nodes.some((n) => n.id === node))
      diagnostics.push(problem("E_EVALUATOR", `evaluation.evaluators[${i}].node`, `no node is named "${node}"`));
  });
  const gates: string[] = [];
  const raw = section.gates ?? [];
  if (!Array.isArray(raw)) diagnostics.push(problem("E_GATE", "evaluation.gates", "must be a list of gate expressions"));
  else
    raw.forEach((g, i) => {
      const at = `evaluation.gates[${i}]`;
      if (typeof g !== "string") {
        diagnostics.push(problem("E_GATE", at, 'must be a string such as "score >= 0.8"'));
        return;
      }
      try {
        checkGate(g, { metrics: GATE_METRICS, evaluators: evaluators.map(evaluatorName), baseline: false });
        gates.push(g);
      } catch (err) {
        if (!(err instanceof GateError)) throw err;
        diagnostics.push(problem("E_GATE", at, err.message));
      }
    });
  return { evaluators, gates, diagnostics };
}

function problem(code: "E_EVALUATOR" | "E_GATE", path: string, message: string): Diagnostic {
  return { code, severity: "error", path, message: `${path}: ${message}` };
}

/**
 * The JSON Schema of what the pipeline outputs, when it can be known: the output node's `value`
 * is one `{{node}}` hole naming a node with a `schema` or an example `shape` (as the engine reads
 * shapes: every example key required with its JSON type; extra keys allowed).
 */
export function outputSchemaOf(pipeline: Pipeline): Record<string, unknown> | undefined {
  const out = pipeline.nodes.find((n) => n.kind === "output");
  const value = out?.config?.value;
  if (typeof value !== "string") return undefined;
  const { parts } = parseTemplate(value);
  const hole = parts.length === 1 ? parts[0] : undefined;
  if (!hole || typeof hole === "string" || hole.kind !== "path" || hole.segments.length > 0) return undefined;
  const source = pipeline.nodes.find((n) => n.id === hole.head)?.config;
  if (!source) return undefined;
  const item = isPlainObject(source.schema) ? source.schema : source.shape !== undefined ? shapeToSchema(source.shape) : undefined;
  if (!item) return undefined;
  const count = typeof source.count === "number" ? source.count : 1;
  return count > 1 ? { type: "array", minItems: count, maxItems: count, items: item } : item;
}

export function shapeToSchema(shape: unknown): Record<string, unknown> {
  if (Array.isArray(shape)) return shape.length > 0 ? { type: "array", items: shapeToSchema(shape[0]) } : { type: "array" };
  if (isPlainObject(shape)) {
    const properties: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(shape)) Object.defineProperty(properties, k, { value: shapeToSchema(v), enumerable: true });
    return { type: "object", required: Object.keys(shape), properties };
  }
  if (typeof shape === "string") return { type: "string" };
  if (typeof shape === "number") return { type: "number" };
  if (typeof shape === "boolean") return { type: "boolean" };
  return {};
}
