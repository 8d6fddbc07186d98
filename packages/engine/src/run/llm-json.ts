import { validateAgainstSchema } from "../format/json-schema.js";
import { isPlainObject } from "../json.js";

export type JsonSpec = { shape?: unknown; schema?: Record<string, unknown>; count?: number };

/** Pulls JSON out of model text: bare JSON, a ```json fence, or the first balanced {...}/[...] block. */
export function extractJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  const trimmed = text.trim();
  const candidates: string[] = [trimmed];
  const fence = /```(?:json)?\s*([\s\S]*?)```/i.exec(trimmed);
  if (fence?.[1]) candidates.push(fence[1].trim());
  const block = firstBalancedBlock(trimmed);
  if (block) candidates.push(block);
  for (const c of candidates) {
    try {
      return { ok: true, value: JSON.parse(c) };
    } catch {
      // try the next candidate
    }
  }
  return { ok: false, error: `not valid JSON: ${trimmed.slice(0, 80)}${trimmed.length > 80 ? "…" : ""}` };
}

function firstBalancedBlock(s: string): string | undefined {
  const start = s.search(/[[{]/);
  if (start < 0) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = start; i < s.length; i++) {
    const ch = s[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === "{" || ch === "[") depth++;
    else if (ch === "}" || ch === "]") {
      depth--;
      if (depth === 0) return s.slice(start, i + 1);
    }
  }
  return undefined;
}

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
