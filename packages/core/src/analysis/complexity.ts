import { isPlainObject } from "../json.js";

export interface ComplexityBreakdown {
  score: number;
  fields: number;
  depth: number;
  arrays: boolean;
  rules: number;
}

/**
 * The background documents' complexity analyser, on a 0–10 scale: field count (0–3, one point per
 * five top-level fields), nesting depth (0–3), arrays (2) and one point per validation rule.
 */
export function complexityScore(subject: unknown, rules = 0): ComplexityBreakdown {
  const fields = isPlainObject(subject) ? Object.keys(subject).length : 0;
  const depth = maxDepth(subject);
  const arrays = containsArray(subject);
  const raw = Math.min(fields / 5, 3) + Math.min(depth, 3) + (arrays ? 2 : 0) + rules;
  return { score: Math.round(Math.min(raw, 10) * 100) / 100, fields, depth, arrays, rules };
}

function maxDepth(v: unknown, guard = 0): number {
  if (guard > 64) return guard;
  if (Array.isArray(v)) return v.reduce((m: number, x) => Math.max(m, maxDepth(x, guard + 1)), 0);
  if (isPlainObject(v)) return 1 + Object.values(v).reduce((m: number, x) => Math.max(m, maxDepth(x, guard + 1)), 0);
  return 0;
}

function containsArray(v: unknown, guard = 0): boolean {
  if (guard > 64) return false;
  if (Array.isArray(v)) return true;
  if (isPlainObject(v)) return Object.values(v).some((x) => containsArray(x, guard + 1));
  return false;
}
