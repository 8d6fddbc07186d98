import { z } from "zod";
import type { Diagnostic } from "../format/diagnostics.js";
import { checkJsonSchema } from "../format/json-schema.js";
import { issuePath } from "../format/parse.js";
import { checkExpression } from "../template/expression.js";
import { toRe2 } from "../template/regex.js";
import { EVALUATOR_TYPES, type EvaluatorType } from "./types.js";

/**
 * Evaluator configurations (the pipeline's optional `evaluation.evaluators`, or an evaluators file),
 * modelled on promptfoo's assertions. Every evaluator scores a record 0..1 and passes when the
 * score (inverted first with `not`) reaches its `threshold`.
 */
export { EVALUATOR_TYPES, type EvaluatorType };

/** Types that score on a scale; the others score 0 or 1. */
export const SCORED_TYPES: ReadonlySet<EvaluatorType> = new Set(["expression", "similar", "llm-rubric"]);
/** Default pass mark: a 0/1 evaluator must be right; a scored one must reach the middle of its scale. */
export const defaultThreshold = (type: EvaluatorType): number => (SCORED_TYPES.has(type) ? 0.5 : 1);

const base = {
  name: z.string().min(1).optional(),
  weight: z.number().min(0).optional(),
  threshold: z.number().min(0).max(1).optional(),
  not: z.boolean().optional(),
  /** JSONata over `{input, output, expected, run}` choosing what is tested (default: `output`). */
  path: z.string().min(1).optional(),
};
const text = z.string();
const positive = z.number().positive();

export const EvaluatorSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("equals"), ...base, value: z.unknown().optional() }),
  z.strictObject({ type: z.literal("contains"), ...base, value: text.optional() }),
  z.strictObject({ type: z.literal("icontains"), ...base, value: text.optional() }),
  z.strictObject({ type: z.literal("contains-any"), ...base, value: z.array(text).min(1).optional() }),
  z.strictObject({ type: z.literal("contains-all"), ...base, value: z.array(text).min(1).optional() }),
  z.strictObject({
    type: z.literal("regex"),
    ...base,
    value: text.min(1),
    flags: z
      .string()
      .regex(/^[ims]*$/, "may hold only i, m and s")
      .optional(),
  }),
  z.strictObject({ type: z.literal("starts-with"), ...base, value: text.optional() }),
  z.strictObject({ type: z.literal("is-json"), ...base }),
  z.strictObject({ type: z.literal("json-schema"), ...base, schema: z.record(z.string(), z.unknown()).optional() }),
  z.strictObject({ type: z.literal("expression"), ...base, value: text.min(1) }),
  z.strictObject({ type: z.literal("similar"), ...base, value: text.optional() }),
  z.strictObject({ type: z.literal("latency"), ...base, value: positive }),
  z.strictObject({ type: z.literal("cost"), ...base, value: positive }),
  z.strictObject({ type: z.literal("tokens"), ...base, value: z.number().int().positive() }),
  z.strictObject({ type: z.literal("critique-pass"), ...base, node: z.string().min(1).optional() }),
  z.strictObject({ type: z.literal("llm-rubric"), ...base, value: text.min(1), backend: z.string().min(1).optional() }),
  z.strictObject({ type: z.literal("select-best"), ...base, value: text.optional(), backend: z.string().min(1).optional() }),
]);
export type EvaluatorConfig = z.infer<typeof EvaluatorSchema>;

/** The `evaluation` section: evaluators and gate expressions. */
export interface EvaluationSection {
  evaluators: EvaluatorConfig[];
  gates?: string[];
}

/**
 * Checks raw evaluator configs; each problem is an E_EVALUATOR diagnostic whose path names the
 * field (`evaluation.evaluators[2].value`). `at` is the path prefix of the list.
 */
export function checkEvaluators(raw: unknown, at = "evaluation.evaluators"): { evaluators: EvaluatorConfig[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const evaluators: EvaluatorConfig[] = [];
  const problem = (path: string, message: string) => diagnostics.push({ code: "E_EVALUATOR", severity: "error", path, message: `${path}: ${message}` });
  if (!Array.isArray(raw)) {
    problem(at, "must be a list of evaluators");
    return { evaluators, diagnostics };
  }
  const names = new Map<string, number>();
  raw.forEach((item, i) => {
    const here = `${at}[${i}]`;
    const type = (item as { type?: unknown } | null)?.type;
    if (typeof type !== "string" || !(EVALUATOR_TYPES as readonly string[]).includes(type)) {
      problem(`${here}.type`, `unknown evaluator type ${JSON.stringify(type)}; known types: ${EVALUATOR_TYPES.join(", ")}`);
      return;
    }
    const r = EvaluatorSchema.safeParse(item);
    if (!r.success) {
      for (const issue of r.error.issues) {
        const field = issuePath(issue.path);
        problem(field ? `${here}.${field}` : here, issue.message);
      }
      return;
    }
    const ev = r.data;
    const before = diagnostics.length;
    const bad = (field: string, message: string | undefined) => message && problem(`${here}.${field}`, message);
    if (ev.path) bad("path", checkExpression(ev.path));
    if (ev.type === "expression") bad("value", checkExpression(ev.value));
    if (ev.type === "regex") bad("value", regexProblem(ev.value, ev.flags));
    if (ev.type === "json-schema" && ev.schema) bad("schema", checkJsonSchema(ev.schema));
    const name = evaluatorName(ev);
    const seen = names.get(name);
    if (seen !== undefined) problem(`${here}.name`, `"${name}" is also the name of evaluator ${seen}; give one a distinct name`);
    else names.set(name, i);
    if (diagnostics.length === before) evaluators.push(ev);
  });
  return { evaluators, diagnostics };
}

/** The name results and gates use: `name`, else the type. */
export const evaluatorName = (ev: EvaluatorConfig): string => ev.name ?? ev.type;

function regexProblem(pattern: string, flags: string | undefined): string | undefined {
  try {
    toRe2(new RegExp(pattern, flags ?? ""));
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
