import { validateAgainstSchema, isPlainObject } from "@braid/core";

export type JsonSpec = { shape?: unknown; schema?: Record<string, unknown>; count?: number };

/**
 * Checks a value against a background-documents-style example shape: every key of the example
 * must be present with the same JSON type; arrays check each item against the first example item.
 * Extra keys are allowed (models add them and they do no harm).
 */
export function shapeProblems(value: unknown, shape: unknown, path = ""): string[] {
  const at = path || "(root)";
  if (shape === null || shape === undefined) return [];
  if (Array.isArray(shape)) {
    if (!Array.isArray(value)) return [`${at} should be an array`];
    const item = shape[0];
    return item === undefined ? [] : value.flatMap((v, i) => shapeProblems(v, item, `${path}[${i}]`));
  }
  if (isPlainObject(shape)) {
    if (!isPlainObject(value)) return [`${at} should be an object`];
    return Object.keys(shape).flatMap((k) =>
      Object.hasOwn(value, k) ? shapeProblems(value[k], shape[k], path ? `${path}.${k}` : k) : [`${path ? `${path}.` : ""}${k} is missing`],
    );
  }
  const want = typeof shape;
  if (want === "string" && typeof value !== "string") return [`${at} should be a string`];
  if (want === "number" && typeof value !== "number") return [`${at} should be a number`];
  if (want === "boolean" && typeof value !== "boolean") return [`${at} should be a boolean`];
  return [];
}

/** Problems with parsed model output against the node's JSON spec (shape or schema, and count). */
export function outputProblems(value: unknown, spec: JsonSpec): string[] {
  const count = spec.count ?? 1;
  if (count > 1) {
    if (!Array.isArray(value)) return [`expected an array of ${count} items`];
    if (value.length !== count) return [`expected ${count} items, got ${value.length}`];
    return value.flatMap((v, i) => itemProblems(v, spec).map((p) => `[${i}] ${p}`));
  }
  return itemProblems(value, spec);
}

function itemProblems(value: unknown, spec: JsonSpec): string[] {
  if (spec.schema) return validateAgainstSchema(spec.schema, value);
  if (spec.shape !== undefined) return shapeProblems(value, spec.shape);
  return [];
}
