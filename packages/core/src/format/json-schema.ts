import { type OutputUnit, type Schema, dereference, validate } from "@cfworker/json-schema";
import { JSON_SCHEMA_2020_12_META } from "./json-schema-meta.js";

/**
 * JSON Schema checks for input schemas, output schemas and critiques: one interpreting validator
 * (@cfworker/json-schema, which never generates code, so it runs under the web app's CSP) and one
 * draft, 2020-12, on the server and in the browser alike. `format` is asserted for the formats the
 * validator knows (email, date-time, uri, uuid, …). Messages follow Ajv's wording and start with
 * the failing instance path: `/price must be >= 0`.
 */
export const JSON_SCHEMA_DRAFT = "2020-12";

export interface SchemaError {
  /** JSON Pointer of the failing value ("" for the root). */
  instancePath: string;
  message: string;
}

export type ValidateFunction = ((data: unknown) => boolean) & { errors?: SchemaError[] | null };

interface Compiled {
  schema: Schema | boolean;
  lookup: Record<string, Schema | boolean>;
}

/** Dereferences a copy (the validator annotates the schema objects it is given) and resolves every `$ref`. */
function prepare(schema: unknown): Compiled {
  const copy = JSON.parse(JSON.stringify(schema)) as Schema | boolean;
  const lookup = dereference(copy);
  const missing = unresolvedRef(copy, lookup);
  if (missing) throw new Error(`can't resolve reference ${missing}`);
  return { schema: copy, lookup };
}

const metaSchema = prepare(JSON_SCHEMA_2020_12_META);

/** Validators are cached by schema text: dereferencing and the meta-schema check are done once. */
const cache = new Map<string, ValidateFunction>();

/** A validator for a schema; throws `schema is invalid: …` when it is not a valid draft 2020-12 schema. */
export function compileJsonSchema(schema: unknown): ValidateFunction {
  const key = JSON.stringify(schema);
  let v = cache.get(key);
  if (!v) {
    const problems = run(metaSchema, schema);
    if (problems.length) throw new Error(`schema is invalid: ${problems.slice(0, 3).map(describe).join(", ")}`);
    const compiled = prepare(schema);
    const fn: ValidateFunction = (data: unknown) => {
      const errors = run(compiled, data);
      fn.errors = errors.length ? errors : null;
      return errors.length === 0;
    };
    v = fn;
    if (cache.size > 500) cache.clear();
    cache.set(key, v);
  }
  return v;
}

export function checkJsonSchema(schema: unknown): string | undefined {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) return "a JSON Schema must be an object";
  try {
    compileJsonSchema(schema);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Validates data; returns readable problems (`/price must be >= 0`) or an empty list. */
export function validateAgainstSchema(schema: unknown, data: unknown): string[] {
  const validateData = compileJsonSchema(schema);
  if (validateData(data)) return [];
  return (validateData.errors ?? []).map(describe);
}

const describe = (e: SchemaError) => `${e.instancePath || "(root)"} ${e.message}`;

function run(compiled: Compiled, data: unknown): SchemaError[] {
  // The validator takes JSON values only; anything else is judged as the JSON it would be stored as.
  if (data === undefined) return [{ instancePath: "", message: "must be a JSON value" }];
  const value = isJsonSafe(data) ? data : JSON.parse(JSON.stringify(data));
  const result = validate(value, compiled.schema, JSON_SCHEMA_DRAFT, compiled.lookup, false);
  return result.valid ? [] : toErrors(result.errors, compiled);
}

function isJsonSafe(v: unknown): boolean {
  if (v === null || typeof v === "string" || typeof v === "boolean") return true;
  if (typeof v === "number") return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(isJsonSafe);
  if (typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) return Object.values(v).every(isJsonSafe);
  return false;
}

/**
 * The validator's output units as Ajv-style messages. Units that only say "a subschema had errors"
 * ($ref, allOf, properties, items, …) are dropped: the units for the actual failures follow them.
 */
function toErrors(units: OutputUnit[], compiled: Compiled): SchemaError[] {
  const out: SchemaError[] = [];
  for (let i = 0; i < units.length; i++) {
    const u = units[i] as OutputUnit;
    const value = u.keyword === "false" ? false : schemaAt(compiled, u.keywordLocation);
    let message: string | undefined;
    if (EXTRA_VALUE_KEYWORDS.has(u.keyword)) {
      // `false` forbids the extra value outright (one unit for it follows); a schema reports its own failures.
      if (value === false) {
        message = u.keyword.endsWith("Items") ? "must NOT have more items" : `must NOT have additional properties ('${quoted(u.error)}')`;
        if (units[i + 1]?.keyword === "false") i++;
      }
    } else if (!WRAPPER_KEYWORDS.has(u.keyword)) {
      message = MESSAGES[u.keyword]?.(value, u.error) ?? u.error;
    }
    if (message !== undefined) out.push({ instancePath: instancePath(u.instanceLocation), message });
  }
  return out;
}

/** Ajv's wording per keyword, from the keyword's schema value and the validator's own message. */
const MESSAGES: Record<string, (value: unknown, error: string) => string> = {
  type: (v) => `must be ${Array.isArray(v) ? v.join(",") : String(v)}`,
  const: () => "must be equal to constant",
  enum: () => "must be equal to one of the allowed values",
  required: (_v, e) => `must have required property '${quoted(e)}'`,
  dependentRequired: dependencyMessage,
  dependencies: dependencyMessage,
  minimum: (v) => `must be >= ${v}`,
  maximum: (v) => `must be <= ${v}`,
  exclusiveMinimum: (v) => `must be > ${v}`,
  exclusiveMaximum: (v) => `must be < ${v}`,
  multipleOf: (v) => `must be multiple of ${v}`,
  minLength: (v) => `must NOT have fewer than ${v} characters`,
  maxLength: (v) => `must NOT have more than ${v} characters`,
  pattern: (v) => `must match pattern "${v}"`,
  format: (v) => `must match format "${v}"`,
  minItems: (v) => `must NOT have fewer than ${v} items`,
  maxItems: (v) => `must NOT have more than ${v} items`,
  uniqueItems: () => "must NOT have duplicate items",
  minProperties: (v) => `must NOT have fewer than ${v} properties`,
  maxProperties: (v) => `must NOT have more than ${v} properties`,
  contains: () => "must contain at least 1 valid item(s)",
  minContains: (v) => `must contain at least ${v} valid item(s)`,
  maxContains: (v) => `must contain at most ${v} valid item(s)`,
  not: () => "must NOT be valid",
  anyOf: () => "must match a schema in anyOf",
  oneOf: () => "must match exactly one schema in oneOf",
  if: (_v, e) => `must match "${e.includes('"else"') ? "else" : "then"}" schema`,
  propertyNames: (_v, e) => `property name '${quoted(e)}' is invalid`,
  false: () => "boolean schema is false",
};

function dependencyMessage(_v: unknown, error: string): string {
  const [has, missing] = [...error.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
  return missing === undefined ? error : `must have property ${missing} when property ${has} is present`;
}

/** Keywords about values beyond the listed ones; only a `false` schema there is itself the failure. */
const EXTRA_VALUE_KEYWORDS = new Set(["additionalProperties", "unevaluatedProperties", "additionalItems", "unevaluatedItems"]);
/** Units that only say "a subschema had errors": the units for the actual failures follow them. */
const WRAPPER_KEYWORDS = new Set(["$ref", "$recursiveRef", "allOf", "properties", "patternProperties", "dependentSchemas", "items", "prefixItems"]);

/** The first double-quoted name in a validator message (`… property "name".`). */
const quoted = (error: string): string => /"([^"]*)"/.exec(error)?.[1] ?? "";

/** `#/a%20b/0` → `/a b/0` (JSON Pointer, as Ajv reports it). */
const instancePath = (location: string): string => safeDecode(location.replace(/^#/, ""));

/** The schema value at a keyword location, following `$ref` steps through the lookup. */
function schemaAt(compiled: Compiled, location: string): unknown {
  let node: unknown = compiled.schema;
  for (const raw of location.replace(/^#\/?/, "").split("/")) {
    if (raw === "") continue;
    if (node === null || typeof node !== "object") return undefined;
    const s = node as Schema;
    if (raw === "$ref" && typeof s.__absolute_ref__ === "string") {
      node = compiled.lookup[s.__absolute_ref__];
      continue;
    }
    const segment = safeDecode(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The first `$ref` in a dereferenced schema that points nowhere. */
function unresolvedRef(node: unknown, lookup: Record<string, Schema | boolean>): string | undefined {
  if (node === null || typeof node !== "object") return undefined;
  if (Array.isArray(node)) {
    for (const item of node) {
      const missing = unresolvedRef(item, lookup);
      if (missing) return missing;
    }
    return undefined;
  }
  const s = node as Schema;
  if (typeof s.__absolute_ref__ === "string" && lookup[s.__absolute_ref__] === undefined) return String(s.$ref);
  for (const [key, value] of Object.entries(s)) {
    if (key === "const" || key === "enum" || key === "default" || key === "examples") continue;
    const missing = unresolvedRef(value, lookup);
    if (missing) return missing;
  }
  return undefined;
}
