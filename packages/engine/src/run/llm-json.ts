import { extractJson, validateAgainstSchema, isPlainObject } from "@braid/core";
import { jsonrepair } from "jsonrepair";

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

export type ParsedOutput = { ok: true; value: unknown; repaired: boolean } | { ok: false; code: "E_LLM_OUTPUT" | "E_OUTPUT_SHAPE"; error: string };

/**
 * Parses model output and checks it against the node's JSON spec. When the text is not valid JSON
 * (or its JSON does not match), common defects — truncation, trailing commas, single quotes,
 * unquoted keys, comments, a ```json fence — are repaired locally with jsonrepair first, so a paid
 * LLM repair call is only needed when that does not give matching JSON either.
 */
export function parseModelOutput(text: string, spec: JsonSpec): ParsedOutput {
  const parsed = extractJson(text);
  const problems = parsed.ok ? outputProblems(parsed.value, spec) : [];
  if (parsed.ok && problems.length === 0) return { ok: true, value: parsed.value, repaired: false };
  for (const value of locallyRepaired(text)) {
    if (outputProblems(value, spec).length === 0) return { ok: true, value, repaired: true };
  }
  if (!parsed.ok) return { ok: false, code: "E_LLM_OUTPUT", error: parsed.error };
  return { ok: false, code: "E_OUTPUT_SHAPE", error: `output does not match: ${problems.slice(0, 5).join("; ")}` };
}

/**
 * The values jsonrepair makes of the text's JSON-looking parts: a fenced block, and the text from
 * its first `{`/`[` (to the end, for truncated output, and to the last `}`/`]`, for trailing prose).
 * Only parts that start like JSON are repaired: on plain prose jsonrepair would invent strings.
 */
export function locallyRepaired(text: string): unknown[] {
  const trimmed = text.trim();
  const parts: string[] = [];
  const fence = /```(?:json)?\s*([\s\S]*?)(?:```|$)/i.exec(trimmed);
  if (fence?.[1]) parts.push(fromFirstBracket(fence[1]));
  const start = fromFirstBracket(trimmed);
  parts.push(start);
  const end = Math.max(start.lastIndexOf("}"), start.lastIndexOf("]"));
  if (end > 0) parts.push(start.slice(0, end + 1));
  const values: unknown[] = [];
  for (const part of new Set(parts)) {
    if (!/^[[{]/.test(part)) continue;
    try {
      values.push(JSON.parse(jsonrepair(part)));
    } catch {
      // not repairable this way; try the next part
    }
  }
  return values;
}

function fromFirstBracket(s: string): string {
  const i = s.search(/[[{]/);
  return i < 0 ? "" : s.slice(i).trim();
}
