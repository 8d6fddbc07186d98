/**
 * JSON Schema: the common subset, so that output validates for ordinary schemas.
 */
import { define, getOwn, hasOwn, isPlainObject, stableStringify } from "@braid/core";
import { intBetween, pick, type Rng, stringFromPattern } from "../rng.js";
import { clone } from "./tree.js";
import type { Topic } from "./topic.js";
import { booleanFor, company, contactEmail, type FillCtx, guessByName, isoDate, newCtx, numberFor, slug, stringFor, subCtx, uuid } from "./values.js";
import { NOUN } from "./words.js";

type Schema = Record<string, unknown>;
const finite = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const MAX_SCHEMA_DEPTH = 16;

/** Local `$ref`s only (`#/$defs/x`); a remote or broken ref is treated as the empty schema. */
function resolveRef(s: Schema, root: Schema): Schema {
  let cur = s;
  for (let hops = 0; hops < 8; hops++) {
    const ref = getOwn(cur, "$ref");
    if (typeof ref !== "string" || !ref.startsWith("#")) return cur;
    let target: unknown = root;
    for (const part of ref.slice(1).split("/").filter(Boolean)) target = getOwn(target, decodeURIComponent(part).replace(/~1/g, "/").replace(/~0/g, "~"));
    if (!isPlainObject(target)) return {};
    cur = target;
  }
  return cur;
}

/** Combine subschemas (allOf, or a chosen anyOf branch with its parent); properties and required union. */
function mergeSchemas(base: Schema, extra: Schema): Schema {
  const out: Schema = {};
  for (const [k, v] of Object.entries(base)) define(out, k, v);
  for (const [k, v] of Object.entries(extra)) {
    const prev = getOwn(out, k);
    if (k === "properties" && isPlainObject(prev) && isPlainObject(v)) define(out, k, mergeSchemas(prev, v));
    else if (k === "required" && Array.isArray(prev) && Array.isArray(v)) define(out, k, [...new Set([...prev, ...v])]);
    else define(out, k, v);
  }
  return out;
}

function schemaType(s: Schema): string | undefined {
  const t = getOwn(s, "type");
  if (typeof t === "string") return t;
  if (Array.isArray(t)) return (t.find((x) => x !== "null") ?? t[0]) as string | undefined;
  if (isPlainObject(getOwn(s, "properties")) || Array.isArray(getOwn(s, "required"))) return "object";
  if (hasOwn(s, "items") || hasOwn(s, "prefixItems")) return "array";
  return undefined;
}

function fillBySchema(key: string, s0: Schema, c: FillCtx, root: Schema, depth: number): unknown {
  const s = resolveRef(s0, root);
  if (hasOwn(s, "const")) return clone(getOwn(s, "const"));
  const en = getOwn(s, "enum");
  if (Array.isArray(en) && en.length > 0) return clone(pick(c.rng, en));
  for (const comb of ["anyOf", "oneOf"] as const) {
    const list = getOwn(s, comb);
    if (!Array.isArray(list) || list.length === 0) continue;
    // "Pick first", but skip a leading `{type:"null"}`: a nullable field should still show data.
    const branch = list.find((b) => isPlainObject(b) && getOwn(resolveRef(b, root), "type") !== "null") ?? list[0];
    const rest: Schema = {};
    for (const [k, v] of Object.entries(s)) if (k !== comb) define(rest, k, v);
    return fillBySchema(key, isPlainObject(branch) ? mergeSchemas(rest, resolveRef(branch, root)) : rest, c, root, depth);
  }
  const all = getOwn(s, "allOf");
  if (Array.isArray(all)) {
    let merged: Schema = {};
    for (const [k, v] of Object.entries(s)) if (k !== "allOf") define(merged, k, v);
    for (const sub of all) if (isPlainObject(sub)) merged = mergeSchemas(merged, resolveRef(sub, root));
    return fillBySchema(key, merged, c, root, depth);
  }
  const type = schemaType(s);
  if (depth > MAX_SCHEMA_DEPTH) return type === "array" ? [] : type === "object" ? {} : null;
  switch (type) {
    case "object":
      return fillObjectSchema(s, c, root, depth);
    case "array":
      return fillArraySchema(key, s, c, root, depth);
    case "string":
      return fillStringSchema(key, s, c);
    case "number":
    case "integer":
      return fillNumberSchema(key, s, c, type === "integer");
    case "boolean":
      return booleanFor(key, c.rng);
    case "null":
      return null;
    default:
      return guessByName(key, c);
  }
}

function fillObjectSchema(s: Schema, parent: FillCtx, root: Schema, depth: number): Record<string, unknown> {
  const props = getOwn(s, "properties");
  const propSchemas: Schema = isPlainObject(props) ? props : {};
  const required = getOwn(s, "required");
  const keys = [...Object.keys(propSchemas)];
  if (Array.isArray(required)) for (const k of required) if (typeof k === "string" && !keys.includes(k)) keys.push(k);
  const c = newCtx(parent.rng, keys, parent.topic, depth === 0);
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const sub = getOwn(propSchemas, key);
    if (sub === false) continue; // a forbidden property
    define(out, key, isPlainObject(sub) ? fillBySchema(key, sub, c, root, depth + 1) : guessByName(key, c));
  }
  return out;
}

function fillArraySchema(key: string, s: Schema, c: FillCtx, root: Schema, depth: number): unknown[] {
  const items = getOwn(s, "items");
  const prefixRaw = getOwn(s, "prefixItems") ?? (Array.isArray(items) ? items : undefined);
  const prefix = Array.isArray(prefixRaw) ? prefixRaw : undefined;
  const minItems = finite(getOwn(s, "minItems")) ?? 0;
  const maxItems = finite(getOwn(s, "maxItems"));
  if (maxItems === 0) return [];
  const lo = Math.max(1, minItems);
  const hi = Math.max(lo, Math.min(maxItems ?? 4, Math.max(lo, 4)));
  let n = intBetween(c.rng, lo, hi);
  // A tuple without extra items is exactly as long as its prefix.
  if (prefix && (Array.isArray(items) || items === false || prefix === items)) n = Math.min(n, prefix.length);
  const unique = getOwn(s, "uniqueItems") === true;
  const seen = new Set<string>();
  const out: unknown[] = [];
  for (let attempt = 0; out.length < n && attempt < n * 4; attempt++) {
    const sub = prefix?.[out.length] ?? items;
    const v = isPlainObject(sub) ? fillBySchema(key, sub, subCtx(c), root, depth + 1) : stringFor(key, subCtx(c));
    const id = stableStringify(v);
    if (unique && seen.has(id)) continue;
    seen.add(id);
    out.push(v);
  }
  return out;
}

function fillStringSchema(key: string, s: Schema, c: FillCtx): string {
  const r = c.rng;
  let v: string;
  switch (getOwn(s, "format")) {
    case "email":
    case "idn-email":
      v = contactEmail(c);
      break;
    case "date-time":
      v = isoDate(r, false);
      break;
    case "date":
      v = isoDate(r, true);
      break;
    case "time":
      v = `${String(intBetween(r, 8, 18)).padStart(2, "0")}:${pick(r, ["00", "15", "30", "45"])}:00Z`;
      break;
    case "uri":
    case "url":
    case "iri":
    case "uri-reference":
      v = `https://${slug(company(c))}.example.com/${slug(pick(r, NOUN))}`;
      break;
    case "uuid":
      v = uuid(r);
      break;
    case "hostname":
      v = `${slug(pick(r, NOUN))}.example.com`;
      break;
    case "ipv4":
      v = `192.0.2.${intBetween(r, 1, 254)}`;
      break;
    default:
      v = stringFor(key, c);
  }
  const pattern = getOwn(s, "pattern");
  if (typeof pattern === "string") {
    let re: RegExp | undefined;
    try {
      re = new RegExp(pattern, "u");
    } catch {
      re = undefined; // an invalid pattern is the schema author's problem; keep the plain value
    }
    if (re && !re.test(v)) v = stringFromPattern(pattern, r) ?? v;
  }
  const min = finite(getOwn(s, "minLength")) ?? 0;
  const max = finite(getOwn(s, "maxLength"));
  while (v.length < min) v += `${v ? " " : ""}${pick(r, NOUN)}`;
  if (max !== undefined && v.length > max) {
    v = v.slice(0, max);
    if (v.trimEnd().length >= min) v = v.trimEnd();
  }
  return v;
}

function fillNumberSchema(key: string, s: Schema, c: FillCtx, integer: boolean): number {
  const lo = Math.max(finite(getOwn(s, "minimum")) ?? -Infinity, finite(getOwn(s, "exclusiveMinimum")) ?? -Infinity);
  const hi = Math.min(finite(getOwn(s, "maximum")) ?? Infinity, finite(getOwn(s, "exclusiveMaximum")) ?? Infinity);
  const xlo = finite(getOwn(s, "exclusiveMinimum"));
  const xhi = finite(getOwn(s, "exclusiveMaximum"));
  const ok = (x: number): boolean =>
    x >= lo && x <= hi && (xlo === undefined || x > xlo) && (xhi === undefined || x < xhi) && (!integer || Number.isInteger(x));
  let v = numberFor(key, c, 0, integer);
  if (!ok(v)) {
    // Name-based value falls outside the bounds: draw inside them instead.
    const span = Number.isFinite(lo) && Number.isFinite(hi) ? hi - lo : Math.max(10, Math.abs(Number.isFinite(lo) ? lo : hi));
    const raw = Number.isFinite(lo) ? lo + c.rng() * span : Number.isFinite(hi) ? hi - c.rng() * span : 0;
    const cands = integer
      ? [Math.round(raw), Math.ceil(raw), Math.floor(raw), Math.floor(lo) + 1, Math.ceil(hi) - 1]
      : [Math.round(raw * 100) / 100, raw, (lo + hi) / 2];
    v = cands.find(ok) ?? raw;
  }
  const m = finite(getOwn(s, "multipleOf"));
  if (m !== undefined && m > 0) {
    const k = Math.round(v / m);
    const dec = (String(m).split(".")[1] ?? "").length;
    const snapped = [k, k + 1, k - 1].map((j) => Number((j * m).toFixed(dec))).find(ok);
    if (snapped !== undefined) v = snapped;
  }
  return v;
}

/** Fill a JSON Schema with plausible, valid data (common subset: see module notes). */
export function fillSchema(schema: Record<string, unknown>, rng: Rng, topic?: Topic): unknown {
  return fillBySchema("", schema, newCtx(rng, [], topic), schema, 0);
}
