import { z } from "zod";
import { EVALUATOR_TYPES } from "../eval/types.js";

export const FORMAT_V1 = "braid/pipeline@1" as const;
export const NODE_ID_PATTERN = /^[A-Za-z][A-Za-z0-9_-]*$/;
/** A route's or critique's branch id (`pass`, `tier-2`, `3`): like a node id, but it may start with a digit. */
export const BRANCH_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

export const PositionSchema = z.object({ x: z.number(), y: z.number() });

/** The fixed core of a node. Kind-specific `config` is checked by the kind's own schema in lint. */
export const PipelineNodeSchema = z.looseObject({
  id: z.string().regex(NODE_ID_PATTERN, "must start with a letter and contain only letters, digits, '_' and '-'"),
  kind: z.string().min(1),
  label: z.string().optional(),
  position: PositionSchema.optional(),
  config: z.record(z.string(), z.unknown()).optional(),
});

export const PipelineEdgeSchema = z.looseObject({
  from: z.string().min(1),
  to: z.string().min(1),
  branch: z.string().min(1).optional(),
});

export const PipelineInputSchema = z.looseObject({
  example: z.unknown().optional(),
  /** Optional JSON Schema that a run's input must satisfy. */
  schema: z.record(z.string(), z.unknown()).optional(),
});

/**
 * Optional evaluation section (an addition to v1; files without it stay valid). Evaluator configs
 * are checked in detail by lint (E_EVALUATOR, naming the field), so the file schema only fixes
 * the outline.
 */
export const PipelineEvaluationSchema = z.looseObject({
  evaluators: z.array(z.looseObject({ type: z.string().describe(`one of: ${EVALUATOR_TYPES.join(", ")}`) })).optional(),
  /** Quality gates over the experiment's metrics: `score >= 0.8`, `passRate("json-schema") >= 0.99`. */
  gates: z.array(z.string()).optional(),
});

/**
 * Version 1 of the pipeline file (see shared docs `pipeline-format.md`). Objects are loose:
 * the format allows added keys, and a round trip must keep them.
 */
export const PipelineSchema = z.looseObject({
  format: z.literal(FORMAT_V1),
  name: z.string(),
  description: z.string().optional(),
  input: PipelineInputSchema.optional(),
  nodes: z.array(PipelineNodeSchema),
  edges: z.array(PipelineEdgeSchema),
  evaluation: PipelineEvaluationSchema.optional(),
});

export type Pipeline = z.infer<typeof PipelineSchema>;
export type PipelineNode = z.infer<typeof PipelineNodeSchema>;
export type PipelineEdge = z.infer<typeof PipelineEdgeSchema>;

/** JSON Schema of the file format, for editors and other tools. */
export function pipelineJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(PipelineSchema, { target: "draft-2020-12", unrepresentable: "any" }) as Record<string, unknown>;
  return { $id: "https://braid.dev/schema/pipeline.schema.json", title: "Braid pipeline (format braid/pipeline@1)", ...schema };
}
