/**
 * JSON parsing that treats everything as data: `__proto__` keys become own properties
 * (JSON.parse already does that) and are never merged into prototypes by our own code, and
 * LangChain-style `{"lc":1,"type":"constructor"}` payloads stay plain objects because nothing
 * here revives them. Cloning goes through JSON so class instances never leak in.
 */
export function safeJsonParse(text: string): unknown {
  return JSON.parse(text);
}

/** How deeply JSON from outside may nest: far past any real pipeline or input, far below what recursive code survives. */
export const MAX_JSON_DEPTH = 100;

/**
 * Nesting depth of a JSON value (a scalar is 0, `[]` and `{}` are 1), walked with an explicit
 * stack so that measuring a hostile 100,000-level value cannot itself overflow the call stack.
 * Stops as soon as the depth passes `limit`, returning `limit + 1`.
 */
export function jsonDepth(value: unknown, limit = Number.POSITIVE_INFINITY): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== "object") continue;
    const depth = d + 1;
    if (depth > max) max = depth;
    if (max > limit) return limit + 1;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === "object") stack.push([child, depth]);
  }
  return max;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Own-property lookup: never walks into `__proto__`, `constructor` or other inherited keys. */
export function getOwn(obj: unknown, key: string | number): unknown {
  if (obj === null || typeof obj !== "object") return undefined;
  return Object.hasOwn(obj, key) ? (obj as Record<string | number, unknown>)[key] : undefined;
}

export function hasOwn(obj: unknown, key: string | number): boolean {
  return obj !== null && typeof obj === "object" && Object.hasOwn(obj, key);
}

/** Stable JSON: object keys sorted, so equal values give equal text (used for hashing and caches). */
export function stableStringify(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(",")}]`;
  const keys = Object.keys(v).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify((v as Record<string, unknown>)[k])}`).join(",")}}`;
}

/**
 * Deep merge for the merge node's `object` strategy. Builds a null-prototype-free plain object
 * with defineProperty, so a `__proto__` key from model output is stored as data, not as a prototype.
 */
export function deepMerge(a: unknown, b: unknown): unknown {
  if (!isPlainObject(a) || !isPlainObject(b)) return b === undefined ? a : b;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(a)) define(out, k, v);
  for (const [k, v] of Object.entries(b)) define(out, k, Object.hasOwn(out, k) ? deepMerge(out[k], v) : v);
  return out;
}

export function define(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
