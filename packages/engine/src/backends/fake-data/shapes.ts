/**
 * Filling example shapes in the background documents' style (`{"name":"string","age":0}`).
 */
import { define, getOwn, isPlainObject } from "@braid/core";
import { intBetween, type Rng } from "../rng.js";
import { injectDefect } from "./checks.js";
import { isMoneyKey } from "./keys.js";
import type { Topic } from "./topic.js";
import { booleanFor, type FillCtx, guessByName, newCtx, numberFor, stringFor, subCtx } from "./values.js";

const MAX_DEPTH = 32;

export function fillValue(key: string, ex: unknown, c: FillCtx, depth: number): unknown {
  if (depth > MAX_DEPTH) return null;
  if (typeof ex === "string") {
    const t = ex.trim().toLowerCase();
    if (t === "number" || t === "float" || t === "decimal") return numberFor(key, c, isMoneyKey(key) ? 0.5 : 0);
    if (t === "integer" || t === "int") return numberFor(key, c, 0, true);
    if (t === "boolean" || t === "bool") return booleanFor(key, c.rng);
    return stringFor(key, c, ex);
  }
  if (typeof ex === "number") return numberFor(key, c, Number.isFinite(ex) ? ex : 0);
  if (typeof ex === "boolean") return booleanFor(key, c.rng);
  if (Array.isArray(ex)) {
    const elem = ex.length > 0 ? ex[0] : "string";
    const n = intBetween(c.rng, 1, 4);
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) {
      // Each element is its own thing: a list of emails is several people's emails.
      let v = fillValue(key, elem, subCtx(c), depth + 1);
      // String lists (tags, hobbies) read better without repeats; a few redraws suffice.
      for (let t = 0; t < 3 && typeof v === "string" && out.includes(v); t++) v = fillValue(key, elem, subCtx(c), depth + 1);
      if (typeof v === "string" && out.includes(v)) continue;
      out.push(v);
    }
    return out;
  }
  if (isPlainObject(ex)) return fillObject(ex, c, depth + 1);
  return guessByName(key, c);
}

function fillObject(shape: Record<string, unknown>, parent: FillCtx, depth: number): Record<string, unknown> {
  const keys = Object.keys(shape);
  const c = newCtx(parent.rng, keys, parent.topic, depth === 1);
  const out: Record<string, unknown> = {};
  for (const key of keys) define(out, key, fillValue(key, getOwn(shape, key), c, depth));
  return out;
}

/**
 * Fill an example shape in the background documents' style (`{"name":"string","age":0}`).
 * With `defect`, exactly one field is made plausibly wrong (see injectDefect); with `topic`, fields
 * that ask for names, categories, titles or tags take the prompt's words.
 */
export function fillShape(shape: unknown, rng: Rng, opts: { defect?: boolean; topic?: Topic } = {}): unknown {
  const value = fillValue("", shape, newCtx(rng, [], opts.topic), 0);
  if (opts.defect) return injectDefect(value, rng).value;
  return value;
}
