import { Ajv, type ValidateFunction } from "ajv";

/** One shared Ajv: compiling is the expensive part, so validators are cached by schema text. */
const ajv = new Ajv({ allErrors: true, strict: false });
const cache = new Map<string, ValidateFunction>();

export function compileJsonSchema(schema: unknown): ValidateFunction {
  const key = JSON.stringify(schema);
  let v = cache.get(key);
  if (!v) {
    v = ajv.compile(schema as object);
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
  const validate = compileJsonSchema(schema);
  if (validate(data)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || "(root)"} ${e.message ?? "is invalid"}`);
}
