import { Validator } from "@cfworker/json-schema";

/**
 * Browser stand-in for Ajv (aliased in vite.config.ts). Ajv compiles validators with
 * `new Function`, which the server's Content-Security-Policy rightly forbids; this shim checks a
 * schema's structure the way Ajv's meta-schema check would, and validates data with an
 * interpreting validator. Only the surface the engine uses is provided.
 */
export interface ErrorObject {
  instancePath: string;
  message?: string;
}

export type ValidateFunction = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

const TYPES = new Set(["string", "number", "integer", "boolean", "object", "array", "null"]);
const SCHEMA_KEYS = [
  "additionalProperties",
  "items",
  "not",
  "if",
  "then",
  "else",
  "contains",
  "propertyNames",
  "additionalItems",
  "unevaluatedProperties",
  "unevaluatedItems",
];
const SCHEMA_MAPS = ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"];
const SCHEMA_LISTS = ["allOf", "anyOf", "oneOf", "prefixItems"];
const NUMBERS = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"];
const COUNTS = ["minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties", "minContains", "maxContains"];

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The first structural problem in a schema, in Ajv's words ("data/properties/x must be object,boolean"). */
export function schemaProblem(s: unknown, at = "data"): string | undefined {
  if (typeof s === "boolean") return undefined;
  if (!isObj(s)) return `${at} must be object,boolean`;
  const t = s.type;
  if (t !== undefined) {
    const list = Array.isArray(t) ? t : [t];
    if (!list.length || list.some((x) => typeof x !== "string" || !TYPES.has(x))) return `${at}/type must be equal to one of the allowed values`;
  }
  for (const k of SCHEMA_KEYS) {
    const v = s[k];
    if (v === undefined) continue;
    if (k === "items" && Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const p = schemaProblem(v[i], `${at}/items/${i}`);
        if (p) return p;
      }
      continue;
    }
    const p = schemaProblem(v, `${at}/${k}`);
    if (p) return p;
  }
  for (const k of SCHEMA_MAPS) {
    const v = s[k];
    if (v === undefined) continue;
    if (!isObj(v)) return `${at}/${k} must be object`;
    for (const [name, sub] of Object.entries(v)) {
      const p = schemaProblem(sub, `${at}/${k}/${name}`);
      if (p) return p;
    }
  }
  for (const k of SCHEMA_LISTS) {
    const v = s[k];
    if (v === undefined) continue;
    if (!Array.isArray(v) || (k !== "prefixItems" && v.length === 0)) return `${at}/${k} must be a non-empty array`;
    for (let i = 0; i < v.length; i++) {
      const p = schemaProblem(v[i], `${at}/${k}/${i}`);
      if (p) return p;
    }
  }
  for (const k of NUMBERS) if (s[k] !== undefined && typeof s[k] !== "number") return `${at}/${k} must be number`;
  for (const k of COUNTS) if (s[k] !== undefined && !(Number.isInteger(s[k]) && (s[k] as number) >= 0)) return `${at}/${k} must be a non-negative integer`;
  if (s.required !== undefined && !(Array.isArray(s.required) && s.required.every((r) => typeof r === "string")))
    return `${at}/required must be array of strings`;
  if (s.enum !== undefined && !Array.isArray(s.enum)) return `${at}/enum must be array`;
  if (s.pattern !== undefined) {
    if (typeof s.pattern !== "string") return `${at}/pattern must be string`;
    try {
      new RegExp(s.pattern, "u");
    } catch {
      return `${at}/pattern must be a valid regular expression`;
    }
  }
  return undefined;
}

export class Ajv {
  compile(schema: object): ValidateFunction {
    const problem = schemaProblem(schema);
    if (problem) throw new Error(`schema is invalid: ${problem}`);
    const validator = new Validator(schema as never, "2020-12", false);
    const validate: ValidateFunction = (data: unknown) => {
      const r = validator.validate(data);
      validate.errors = r.valid
        ? null
        : r.errors
            .filter((e) => e.keyword !== "properties" && e.keyword !== "items")
            .map((e) => ({ instancePath: e.instanceLocation.replace(/^#/, ""), message: e.error }));
      return r.valid;
    };
    return validate;
  }
}

export default Ajv;
