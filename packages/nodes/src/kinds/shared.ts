import { BRANCH_ID_PATTERN, NODE_ID_PATTERN } from "@braid/core";
import { z } from "zod";

// Field widgets travel as zod metadata (`.meta({ widget })`, see FieldWidget in @braid/core):
// the inspector reads them from the JSON Schema instead of guessing from field names.
export const BackendName = z.string().min(1, "choose a backend").meta({ widget: "backend" });
/** A `{{path}}` template string. */
export const Template = z.string().meta({ widget: "template" });
export const NodeRef = z.string().regex(NODE_ID_PATTERN, "must be a node id").meta({ widget: "nodeRef" });
export const BranchId = z.string().regex(BRANCH_ID_PATTERN, "letters, digits, '_' and '-' only");
/** Names one of this node's own branches. */
export const BranchRef = BranchId.meta({ widget: "branchRef" });
/** Any JSON value (an example shape). */
export const JsonValue = z.json();
export const JsonSchemaObject = z.record(z.string(), z.unknown());

/** Keys a node's JSON output will have, when its shape or schema says so. */
export function keysOf(shape: unknown, schema: Record<string, unknown> | undefined, count: number | undefined): string[] | undefined {
  if ((count ?? 1) > 1) return undefined;
  if (schema && typeof schema.properties === "object" && schema.properties !== null) return Object.keys(schema.properties);
  if (shape && typeof shape === "object" && !Array.isArray(shape)) return Object.keys(shape);
  return undefined;
}

export function asIssues(v: unknown): string[] {
  const issues = (v as { issues?: unknown } | null | undefined)?.issues;
  return Array.isArray(issues) ? issues.map(String) : [];
}
