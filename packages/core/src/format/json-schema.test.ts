import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { JSON_SCHEMA_DRAFT, checkJsonSchema, compileJsonSchema, validateAgainstSchema } from "./json-schema.js";

/** The reference: Ajv's draft 2020-12 validator (tests only; it compiles with `new Function`). */
const ajv = new Ajv2020({ strict: false, allErrors: true });

const key = fc.constantFrom("a", "b", "c");
const scalar = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom(0.5, -1.5, 2.5),
  fc.constantFrom("", "a", "ab", "ba", "abc", "é", "ß😀"),
  fc.boolean(),
  fc.constant(null),
);
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(key, tie("value"), { maxKeys: 3, noNullPrototype: true }),
  ),
}));
const typeName = fc.constantFrom("string", "number", "integer", "boolean", "object", "array", "null");
const bound = fc.oneof(fc.integer({ min: -2, max: 3 }), fc.constant(0.5));

/** Schemas of one to three keywords each, nested through properties, items and the combinators. */
const { schema } = fc.letrec((tie) => {
  const sub = tie("schema");
  const keyword = fc.oneof(
    fc.record({ type: fc.oneof(typeName, fc.uniqueArray(typeName, { minLength: 1, maxLength: 3 })) }),
    fc.record({ required: fc.uniqueArray(key, { minLength: 1, maxLength: 2 }) }),
    fc.record({ properties: fc.dictionary(key, sub, { minKeys: 1, maxKeys: 2, noNullPrototype: true }) }),
    fc.record({ additionalProperties: fc.oneof(fc.boolean(), sub) }),
    fc.record({ enum: fc.array(value, { minLength: 1, maxLength: 3 }) }),
    fc.record({ const: value }),
    fc.record({ minimum: bound }),
    fc.record({ maximum: bound }),
    fc.record({ exclusiveMinimum: bound }),
    fc.record({ exclusiveMaximum: bound }),
    fc.record({ minLength: fc.nat(3) }),
    fc.record({ maxLength: fc.nat(3) }),
    fc.record({ pattern: fc.constantFrom("^a", "b$", "^[ab]*$", "c", "^.$", "\\p{L}") }),
    fc.record({ items: sub }),
    fc.record({ minItems: fc.nat(3) }),
    fc.record({ maxItems: fc.nat(3) }),
    fc.record({ anyOf: fc.array(sub, { minLength: 1, maxLength: 3 }) }),
    fc.record({ oneOf: fc.array(sub, { minLength: 1, maxLength: 3 }) }),
    fc.record({ allOf: fc.array(sub, { minLength: 1, maxLength: 3 }) }),
    fc.record({ not: sub }),
  );
  return {
    schema: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.array(keyword, { minLength: 1, maxLength: 3 }).map((parts) => Object.assign({}, ...parts) as Record<string, unknown>),
      fc.boolean(),
    ),
  };
});

/** Instances for a schema: random values, plus its own const/enum values (and their parts) so valid cases occur. */
const instancesFor = (s: unknown) => {
  const own = typeof s === "object" && s !== null ? [(s as { const?: unknown }).const, ...((s as { enum?: unknown[] }).enum ?? [])] : [];
  const from = own.filter((v) => v !== undefined);
  return fc.array(from.length ? fc.oneof(value, fc.constantFrom(...from)) : value, { minLength: 4, maxLength: 8 });
};

/** Whether a JSON Pointer names a place inside the value (the root is ""). */
function pointsInto(data: unknown, pointer: string): boolean {
  if (pointer === "") return true;
  let node = data;
  for (const raw of pointer.slice(1).split("/")) {
    const seg = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (node === null || typeof node !== "object" || !Object.hasOwn(node, seg)) return false;
    node = (node as Record<string, unknown>)[seg];
  }
  return true;
}

describe("JSON Schema validation (@cfworker/json-schema, draft 2020-12)", () => {
  it("uses one draft", () => {
    expect(JSON_SCHEMA_DRAFT).toBe("2020-12");
  });

  it("agrees with Ajv 2020-12 on valid/invalid for generated schemas and instances, and names real instance paths", () => {
    let valid = 0;
    let invalid = 0;
    fc.assert(
      fc.property(
        schema.chain((s) => fc.tuple(fc.constant(s), instancesFor(s))),
        ([s, instances]) => {
          const reference = ajv.compile(s as object);
          const ours = compileJsonSchema(s);
          for (const data of instances) {
            const expected = reference(data);
            expect({ schema: s, data, valid: ours(data) }).toEqual({ schema: s, data, valid: expected });
            if (expected) {
              valid++;
              expect(validateAgainstSchema(s, data)).toEqual([]);
            } else {
              invalid++;
              const problems = validateAgainstSchema(s, data);
              expect(problems.length).toBeGreaterThan(0);
              for (const e of ours.errors ?? [])
                expect({ path: e.instancePath, ok: pointsInto(data, e.instancePath) }).toEqual({ path: e.instancePath, ok: true });
              for (const p of problems) expect(p).toMatch(/^(\(root\)|\/\S*) \S/);
            }
          }
        },
      ),
      { numRuns: 400, seed: 20_201_200 },
    );
    // Both verdicts occur often enough for the comparison to mean something.
    expect(valid).toBeGreaterThan(300);
    expect(invalid).toBeGreaterThan(300);
  });

  it("agrees with Ajv on which schemas compile", () => {
    const cases: unknown[] = [
      { type: "banana" },
      { type: [] },
      { type: ["string", "string"] },
      { properties: { a: 3 } },
      { required: "a" },
      { required: ["a", "a"] },
      { anyOf: [] },
      { minLength: -1 },
      { maxItems: 1.5 },
      { multipleOf: 0 },
      { pattern: "(" },
      { items: [{ type: "string" }] },
      { enum: "a" },
      { $defs: { x: 1 } },
      { not: "x" },
      { $ref: "#/$defs/missing" },
      { type: ["string", "null"], items: { type: "string" } },
      { type: "object", properties: { a: { $ref: "#/$defs/a" } }, $defs: { a: { type: "integer" } } },
      { $schema: "https://json-schema.org/draft/2020-12/schema", prefixItems: [{ type: "string" }], unevaluatedItems: false },
      { const: { anything: [1, 2] }, examples: [1], title: "t", description: "d", deprecated: true },
    ];
    for (const s of cases) {
      let reference = true;
      try {
        ajv.compile(s as object);
      } catch {
        reference = false;
      }
      expect({ schema: s, valid: checkJsonSchema(s) === undefined }).toEqual({ schema: s, valid: reference });
    }
  });

  it("reports failures with the instance path and Ajv's wording", () => {
    const s = {
      type: "object",
      required: ["name"],
      additionalProperties: false,
      properties: {
        name: { type: "string", minLength: 2 },
        price: { type: "number", minimum: 0 },
        tags: { type: "array", items: { type: "string", pattern: "^a" }, maxItems: 2 },
        "my key": { $ref: "#/$defs/positive" },
      },
      $defs: { positive: { type: "integer", exclusiveMinimum: 0 } },
    };
    expect(validateAgainstSchema(s, { price: -1, tags: ["ab", "b", "ac"], "my key": 0, extra: 1 })).toEqual([
      "(root) must have required property 'name'",
      "/price must be >= 0",
      "/tags must NOT have more than 2 items",
      '/tags/1 must match pattern "^a"',
      "/my key must be > 0",
      "(root) must NOT have additional properties ('extra')",
    ]);
    expect(validateAgainstSchema({ type: "object", properties: { country: { type: "string" } } }, { country: 7 })).toEqual(["/country must be string"]);
    expect(checkJsonSchema({ $ref: "#/$defs/missing" })).toMatch(/can't resolve reference #\/\$defs\/missing/);
    expect(checkJsonSchema({ type: "banana" })).toMatch(/^schema is invalid: \/type /);
  });

  it("does not change the schema objects it is given", () => {
    const s = { type: "object", properties: { a: { $ref: "#/$defs/a" } }, $defs: { a: { type: "string" } } };
    const before = JSON.stringify(s);
    validateAgainstSchema(s, { a: 1 });
    expect(JSON.stringify(s)).toBe(before);
    expect(Object.getOwnPropertyNames(s.properties.a)).toEqual(["$ref"]);
  });

  it("has no eval or new Function on the validator path (the web app's CSP forbids both)", () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const lib = join(here, "../../node_modules/@cfworker/json-schema/dist/esm");
    const files = [
      join(here, "json-schema.ts"),
      join(here, "json-schema-meta.ts"),
      ...readdirSync(lib)
        .filter((f) => f.endsWith(".js"))
        .map((f) => join(lib, f)),
    ];
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) expect({ f, hit: /new Function|\beval\(/.test(readFileSync(f, "utf8")) }).toEqual({ f, hit: false });
  });
});
