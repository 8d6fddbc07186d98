import Ajv from "ajv";
import { describe, expect, it } from "vitest";
import { fillSchema, fillShape, findDefects, fixDefects, injectDefect } from "./fake-data.js";
import { createRng, hashString, stringFromPattern } from "./rng.js";

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;
const seeds = Array.from({ length: 40 }, (_, i) => `seed-${i}`);
const obj = (v: unknown): Record<string, unknown> => {
  expect(v).toBeTypeOf("object");
  return v as Record<string, unknown>;
};

describe("rng", () => {
  it("is deterministic per key and spreads over [0,1)", () => {
    const a = createRng("k");
    const b = createRng("k");
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
    expect(createRng("k#1")()).not.toBe(createRng("k#2")());
    expect(hashString("abc")).toBe(hashString("abc"));
    expect(hashString("abc")).not.toBe(hashString("abd"));
  });

  it("generates strings for simple patterns and gives up on unsupported ones", () => {
    const rng = createRng("p");
    for (const p of ["^[A-Z]{3}-\\d{4}$", "^(red|green|blue)$", "^\\w+@example\\.com$", "^[^0-9]{2,5}$"]) {
      const s = stringFromPattern(p, rng);
      expect(s, p).toBeTypeOf("string");
      expect(new RegExp(p, "u").test(s as string), `${p} -> ${s}`).toBe(true);
    }
    expect(stringFromPattern("^(?=.*\\d)\\w+$", rng)).toBeUndefined();
    expect(stringFromPattern("(unclosed", rng)).toBeUndefined();
  });
});

describe("fillShape", () => {
  it("fills the background documents' example: string name, age 18..90, string tags", () => {
    for (const s of seeds) {
      const v = obj(fillShape({ name: "string", age: 0, tags: ["string"] }, createRng(s)));
      expect(typeof v.name).toBe("string");
      expect(v.name).not.toBe("string");
      expect((v.name as string).length).toBeGreaterThan(2);
      expect(Number.isInteger(v.age)).toBe(true);
      expect(v.age).toBeGreaterThanOrEqual(18);
      expect(v.age).toBeLessThanOrEqual(90);
      expect(Array.isArray(v.tags)).toBe(true);
      const tags = v.tags as unknown[];
      expect(tags.length).toBeGreaterThanOrEqual(1);
      expect(tags.length).toBeLessThanOrEqual(4);
      for (const t of tags) expect(typeof t).toBe("string");
      expect(new Set(tags).size).toBe(tags.length);
    }
  });

  it("chooses values by field name", () => {
    const shape = {
      firstName: "string",
      lastName: "string",
      email: "string",
      phone: "string",
      createdAt: "string",
      website: "",
      id: "",
      isActive: true,
      city: "",
      country: "",
    };
    for (const s of seeds) {
      const v = obj(fillShape(shape, createRng(s)));
      expect(v.email).toMatch(EMAIL);
      // Email is derived from the same person as the name fields.
      expect(v.email as string).toContain((v.firstName as string).toLowerCase());
      expect(v.phone).toMatch(/^\+1-555-01\d\d$/);
      expect(Number.isNaN(Date.parse(v.createdAt as string))).toBe(false);
      expect(v.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(v.website).toMatch(/^https:\/\/[a-z0-9-]+\.example\.com$/);
      expect(v.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(typeof v.isActive).toBe("boolean");
      expect(v.city).not.toBe("");
    }
  });

  it("gives prices as positive decimals even though the example 0.0 parses as 0", () => {
    const shape = JSON.parse('{"name":"string","price":0.0,"stock":0,"rating":0,"sku":"string","category":"string"}');
    let decimals = 0;
    for (const s of seeds) {
      const v = obj(fillShape(shape, createRng(s)));
      expect(v.price).toBeGreaterThan(0);
      expect(Math.round((v.price as number) * 100)).toBeCloseTo((v.price as number) * 100, 6);
      if (!Number.isInteger(v.price)) decimals++;
      expect(Number.isInteger(v.stock)).toBe(true);
      expect(v.stock).toBeGreaterThan(0);
      expect(v.rating).toBeGreaterThanOrEqual(1);
      expect(v.rating).toBeLessThanOrEqual(5);
      expect(v.sku).toMatch(/^SKU-\d{4}-[0-9A-F]{2}$/);
    }
    expect(decimals).toBeGreaterThan(seeds.length / 2);
  });

  it("keeps numbers near a non-zero example and keeps integer-ness", () => {
    for (const s of seeds) {
      const v = obj(fillShape({ widgets: 1000, ratio: 2.5 }, createRng(s)));
      expect(Number.isInteger(v.widgets)).toBe(true);
      expect(v.widgets).toBeGreaterThanOrEqual(500);
      expect(v.widgets).toBeLessThanOrEqual(1500);
      expect(v.ratio).toBeGreaterThanOrEqual(0);
      expect(v.ratio).toBeLessThanOrEqual(3.75);
    }
  });

  it("fills nested objects and arrays of objects recursively", () => {
    const shape = {
      customer: { name: "string", email: "string", address: { street: "", city: "", zip: "" } },
      items: [{ product: "string", quantity: 0, price: 0 }],
      notes: [],
    };
    const v = obj(fillShape(shape, createRng("nested")));
    const customer = obj(v.customer);
    expect(customer.email).toMatch(EMAIL);
    expect(obj(customer.address).zip).toMatch(/^\d{5}$/);
    const items = v.items as Record<string, unknown>[];
    expect(items.length).toBeGreaterThanOrEqual(1);
    for (const it of items) {
      expect(typeof it.product).toBe("string");
      expect(Number.isInteger(it.quantity)).toBe(true);
      expect(it.price).toBeGreaterThan(0);
    }
    expect(Array.isArray(v.notes)).toBe(true);
    expect(findDefects(v, [])).toEqual([]);
  });

  it("is deterministic for a seed and varies across seeds", () => {
    const shape = { name: "string", email: "", age: 0 };
    expect(JSON.stringify(fillShape(shape, createRng("x")))).toBe(JSON.stringify(fillShape(shape, createRng("x"))));
    const distinct = new Set(seeds.map((s) => JSON.stringify(fillShape(shape, createRng(s)))));
    expect(distinct.size).toBeGreaterThan(seeds.length * 0.9);
  });

  it("keeps hostile keys as plain data and never pollutes prototypes", () => {
    const shape = JSON.parse('{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"prototype":"string","name":"string"}');
    const v = obj(fillShape(shape, createRng("evil")));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as unknown as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.hasOwn(v, "__proto__")).toBe(true);
    expect(Object.hasOwn(v, "constructor")).toBe(true);
    expect(typeof v.name).toBe("string");
    const fixed = obj(fixDefects(v, ['__proto__ is empty (rubric: "constructor must be non-empty")']));
    expect(Object.getPrototypeOf(fixed)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(JSON.parse(JSON.stringify(v)), "__proto__")?.value).toBeTypeOf("object");
  });
});

describe("fillSchema", () => {
  const ajv = new Ajv({ allErrors: true });
  // ajv ships no formats; these mirror ajv-formats closely enough for the check.
  ajv.addFormat("email", EMAIL);
  ajv.addFormat("date-time", (s: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)));
  ajv.addFormat("date", /^\d{4}-\d{2}-\d{2}$/);
  ajv.addFormat("uri", /^https?:\/\/[^\s/]+\.[^\s]+$/);
  ajv.addFormat("uuid", /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);

  const schemas: Record<string, Record<string, unknown>> = {
    profile: {
      type: "object",
      required: ["id", "name", "email", "age", "tags"],
      additionalProperties: false,
      properties: {
        id: { type: "string", format: "uuid" },
        name: { type: "string", minLength: 3, maxLength: 40 },
        email: { type: "string", format: "email" },
        age: { type: "integer", minimum: 21, maximum: 65 },
        signup: { type: "string", format: "date-time" },
        birthday: { type: "string", format: "date" },
        homepage: { type: "string", format: "uri" },
        tier: { enum: ["free", "pro", "enterprise"] },
        kind: { const: "user" },
        tags: { type: "array", items: { type: "string" }, minItems: 2, maxItems: 3, uniqueItems: true },
        nickname: { type: ["string", "null"], maxLength: 5 },
        verified: { type: "boolean" },
      },
    },
    product: {
      type: "object",
      required: ["sku", "price", "stock", "dimensions"],
      properties: {
        sku: { type: "string", pattern: "^[A-Z]{3}-\\d{4}$" },
        price: { type: "number", exclusiveMinimum: 0, maximum: 50 },
        stock: { type: "integer", minimum: 0, multipleOf: 5 },
        discount: { type: "number", minimum: 0.1, maximum: 0.3 },
        dimensions: { $ref: "#/definitions/dims" },
        variant: { anyOf: [{ type: "null" }, { type: "object", required: ["color"], properties: { color: { type: "string" } } }] },
        warehouse: {
          allOf: [
            { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
            { type: "object", properties: { code: { type: "string", minLength: 6 } }, required: ["code"] },
          ],
        },
        weird: { type: "string", pattern: "^(?=.*\\d)\\w+$" },
      },
      definitions: {
        dims: { type: "object", required: ["width", "height"], properties: { width: { type: "number", minimum: 1 }, height: { type: "number", minimum: 1 } } },
      },
    },
    list: {
      type: "array",
      minItems: 5,
      maxItems: 5,
      items: {
        type: "object",
        properties: { email: { type: "string", format: "email" }, score: { type: "number", minimum: 0, maximum: 1 } },
        required: ["email", "score"],
      },
    },
  };

  for (const [name, schema] of Object.entries(schemas)) {
    it(`produces values valid against the ${name} schema`, () => {
      const validate = ajv.compile(schema);
      for (const s of seeds) {
        const v = fillSchema(schema, createRng(s));
        if (name === "product") {
          // The lookahead pattern is outside the supported subset: it may fail, but must not crash.
          delete (v as Record<string, unknown>).weird;
        }
        const ok = validate(v);
        expect(ok, `${s}: ${JSON.stringify(validate.errors)} ${JSON.stringify(v)}`).toBe(true);
      }
    });
  }

  it("uses field names inside schemas too", () => {
    const v = obj(
      fillSchema({ type: "object", properties: { firstName: { type: "string" }, email: { type: "string" }, createdAt: { type: "string" } } }, createRng("s")),
    );
    expect(v.email).toMatch(EMAIL);
    expect(v.email as string).toContain((v.firstName as string).toLowerCase());
    expect(Number.isNaN(Date.parse(v.createdAt as string))).toBe(false);
  });
});

describe("defects", () => {
  const shape = { name: "string", email: "string", age: 0, price: 0.0, bio: "string" };

  it("injects exactly one defect that findDefects reports and fixDefects repairs", () => {
    const kinds = new Set<string>();
    for (const s of seeds) {
      const clean = fillShape(shape, createRng(s));
      expect(findDefects(clean, [])).toEqual([]);
      const bad = fillShape(shape, createRng(s), { defect: true });
      const issues = findDefects(bad, []);
      expect(issues, JSON.stringify(bad)).toHaveLength(1);
      kinds.add((issues[0] as string).split(" ")[0] as string);
      const fixed = fixDefects(bad, issues);
      expect(findDefects(fixed, [])).toEqual([]);
      expect(findDefects(bad, [])).toHaveLength(1); // fixDefects returns a copy
    }
    // The defect lands on different fields across seeds (email, age, price).
    expect(kinds.size).toBeGreaterThanOrEqual(2);
  });

  it("falls back to emptying a string when no number or email can be spoiled", () => {
    const v = { title: "A fine day", summary: "Calm." };
    const { value, path } = injectDefect(v, createRng("t"));
    expect(path === "title" || path === "summary").toBe(true);
    expect(findDefects(value, [])).toEqual([`${path} is empty`]);
  });

  it("reports negative amounts, bad emails, empty strings, nulls, NaN and bad dates", () => {
    const issues = findDefects(
      { price: -12.5, email: "not-an-email", name: "", nickname: null, total: Number.NaN, createdAt: "2024-13-45", temperature: -4 },
      [],
    );
    expect(issues).toEqual([
      "price is -12.5 (must not be negative)",
      'email is "not-an-email" (not a valid email)',
      "name is empty",
      "nickname is null",
      "total is NaN (not a finite number)",
      'createdAt is "2024-13-45" (not a valid date)',
    ]);
    expect(findDefects({ due: "2024-02-30" }, [])).toEqual(['due is "2024-02-30" (not a valid date)']);
  });

  it("reads the rubric: fields named in it (camelCase split), and the checks it asks for", () => {
    const v = { firstName: "", price: 0, age: 150, email: "x@y", items: [{ unitPrice: 3.5 }, { unitPrice: -1 }], title: "string", score: 7.5 };
    const rubric = [
      "Price is positive",
      "first name must be non-empty",
      "age between 18 and 90",
      "unit price greater than 0",
      "no placeholder values",
      "score must be an integer",
    ];
    const issues = findDefects(v, rubric);
    expect(issues).toContain('price is 0 (rubric: "Price is positive")');
    expect(issues.find((i) => i.startsWith("items[1].unitPrice is -1"))).toContain('"unit price greater than 0"');
    expect(issues).toContain('title is "string" (rubric: "no placeholder values")');
    expect(issues).toContain('score is 7.5 (rubric: "score must be an integer")');
    // A field breaking several lines cites each of them, so one revision can satisfy them all.
    expect(issues).toContain('age is 150 (rubric: "age between 18 and 90"; "no placeholder values")');
    expect(issues.find((i) => i.startsWith("firstName"))).toContain('"first name must be non-empty"');
    expect(issues.some((i) => i.startsWith("email"))).toBe(true);
    expect(issues.some((i) => i.startsWith("items[0]"))).toBe(false);
    // One issue per field, so the score reflects how many fields are wrong.
    expect(new Set(issues.map((i) => i.split(" ")[0])).size).toBe(issues.length);
  });

  it("fixes rubric violations when the issues are fed back", () => {
    const rubric = ["price is positive and realistic", "age between 18 and 90", "email must be valid", "tags must be unique", "summary under 30 characters"];
    const v = { name: "Maya Chen", email: "maya at example", price: -5, age: 150, tags: ["a", "a", "b"], summary: "A very long summary that goes on and on" };
    const issues = findDefects(v, rubric);
    expect(issues.length).toBe(5);
    const fixed = obj(fixDefects(v, issues));
    expect(findDefects(fixed, rubric)).toEqual([]);
    expect(fixed.email as string).toMatch(/^maya\.chen@/);
    expect(fixed.price).toBe(5);
    expect(fixed.age).toBe(90);
    expect(fixed.tags).toEqual(["a", "b"]);
    expect(v.price).toBe(-5);
    expect(JSON.stringify(fixDefects(v, issues))).toBe(JSON.stringify(fixed));
  });
});
