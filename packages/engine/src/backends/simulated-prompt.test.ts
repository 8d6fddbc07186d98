/**
 * The simulated backend reads its prompt (issue 12, item 25): the answer is seeded by the resolved
 * prompt and task data as well as the call's seed, fields that ask for names, categories, topics,
 * titles or tags take the prompt's words, and values fit their field names.
 */
import { describe, expect, it } from "vitest";
import { BackendConfigSchema, type CallContext, type LlmRequest, type Pipeline } from "@braid/core";
import { topicOf } from "./fake-data.js";
import { SimulatedBackend } from "./simulated.js";
import { FIRST, LAST } from "./fake-data/words.js";
import { gen, ofType, pipeline, run, zeroPool } from "../pipeline-tests/helpers.js";

const backend = (simulation: Record<string, number> = {}) =>
  new SimulatedBackend(BackendConfigSchema.parse({ name: "fast", provider: "simulated", simulation }));
const ctx = (seedKey: string): CallContext => ({ signal: new AbortController().signal, seedKey });
const ask = async (prompt: string, json: LlmRequest["json"], seed = "s1", simulation: Record<string, number> = {}): Promise<Record<string, unknown>> =>
  JSON.parse((await backend(simulation).complete({ prompt, json, task: { type: "generate" } }, ctx(seed))).text) as Record<string, unknown>;
const seeds = Array.from({ length: 30 }, (_, i) => `seed-${i}`);
/** Lower-case words of a text, for "is made of the prompt's words" checks. */
const wordsOf = (s: string): string[] =>
  s
    .toLowerCase()
    .split(/[^\p{L}\p{N}-]+/u)
    .filter(Boolean);
const PERSON_NAME = new RegExp(`^(${FIRST.join("|")}) (${LAST.join("|")})$`);

describe("the simulated answer follows the prompt", () => {
  const shape = { name: "string", price: 0.0, tags: ["string"] };

  it("(a) is identical for the same seed, prompt and input", async () => {
    for (const s of seeds.slice(0, 10))
      expect(await ask("Describe the desk lamp DL-7", { shape }, s)).toEqual(await ask("Describe the desk lamp DL-7", { shape }, s));
  });

  it("(b) changes when the prompt changes, on the same seed", async () => {
    let differ = 0;
    for (const s of seeds) {
      const a = await ask("Describe the desk lamp DL-7", { shape }, s);
      const b = await ask("Describe the floor lamp FL-9", { shape }, s);
      if (JSON.stringify(a) !== JSON.stringify(b)) differ++;
    }
    expect(differ).toBe(seeds.length);
  });

  it("(b) a system-prompt edit or different task data changes the answer too", async () => {
    const complete = (req: LlmRequest) => backend().complete(req, ctx("k"));
    const base: LlmRequest = { prompt: "Describe the desk lamp", json: { shape }, task: { type: "generate" } };
    const plain = (await complete(base)).text;
    expect((await complete({ ...base, system: "You are terse." })).text).not.toBe(plain);
    expect((await complete({ ...base, task: { type: "generate", note: "other input" } })).text).not.toBe(plain);
    expect((await complete(base)).text).toBe(plain);
  });

  it("keeps timing, failures and defects tied to the seed alone, so prompt versions meet the same faults", async () => {
    const outcome = async (prompt: string, s: string) =>
      backend({ failureRate: 0.3 })
        .complete({ prompt, task: { type: "generate" } }, ctx(s))
        .then(
          () => "ok",
          () => "failed",
        );
    const defective = async (prompt: string, s: string) => {
      let seen = false;
      await backend({ defectRate: 0.5 }).complete(
        {
          prompt,
          task: { type: "generate" },
          simulate: (sim) => {
            seen = sim.defective;
            return "x";
          },
        },
        ctx(s),
      );
      return seen;
    };
    for (const s of seeds) {
      expect(await outcome("version one", s)).toBe(await outcome("version two, edited", s));
      expect(await defective("version one", s)).toBe(await defective("version two, edited", s));
    }
  });

  it("(c) names, categories and topics reuse the input's words; categories is never empty", async () => {
    const schema = {
      type: "object",
      required: ["name", "categories", "topic"],
      properties: { name: { type: "string" }, categories: { type: "array", items: { type: "string" } }, topic: { type: "string" } },
    };
    const prompt = "Write about sourdough bread baking for home cooks";
    const input = new Set(wordsOf(prompt));
    for (const s of seeds) {
      for (const json of [{ schema }, { shape: { name: "string", categories: ["string"], topic: "string" } }]) {
        const v = await ask(prompt, json, s);
        expect(
          wordsOf(v.name as string).some((w) => input.has(w)),
          JSON.stringify(v),
        ).toBe(true);
        expect(Array.isArray(v.categories) && v.categories.length).toBeGreaterThan(0);
        for (const c of v.categories as string[])
          expect(
            wordsOf(c).every((w) => input.has(w)),
            JSON.stringify(v),
          ).toBe(true);
        expect(
          wordsOf(v.topic as string).every((w) => input.has(w)),
          JSON.stringify(v),
        ).toBe(true);
      }
    }
  });

  it("(d) `since` gets a date, `founded` a year, and a price asked for as a string is a number", async () => {
    for (const s of seeds) {
      const v = await ask(
        "Generate a customer record with address history",
        { shape: { addresses: [{ street: "string", since: "string" }], founded: "string", price: "string" } },
        s,
      );
      for (const a of v.addresses as Array<{ since: string }>) expect(a.since).toMatch(/^(19|20)\d{2}-\d{2}-\d{2}$/);
      expect(v.founded).toMatch(/^(19|20)\d{2}$/);
      expect(Number.isFinite(Number(v.price))).toBe(true);
      const schemaAnswer = await ask("A member", { schema: { type: "object", required: ["memberSince"], properties: { memberSince: { type: "string" } } } }, s);
      expect(schemaAnswer.memberSince).toMatch(/^(19|20)\d{2}-\d{2}-\d{2}$/);
    }
  });

  it("names a product like a product when the prompt is about one, whatever the other keys", async () => {
    for (const s of seeds) {
      // {name, price, email} reads as a customer by its keys; the prompt says it is a product.
      const sku = await ask("Describe the product WM-123", { shape: { name: "string", price: 0.0, email: "string", tags: ["string"] } }, s);
      expect(sku.name).not.toMatch(PERSON_NAME);
      expect(sku.name).toContain("WM-123");
      expect(sku.email).toMatch(/^[a-z]+@[a-z0-9-]+\.example\.com$/);
      const named = await ask("Describe the wireless mouse with SKU WM-123.", { shape: { name: "string", description: "string", category: "string" } }, s);
      expect(named.name).toMatch(/ Wireless Mouse$/);
      expect(String(named.category).toLowerCase()).toContain("mouse");
    }
    // A person prompt still gives people.
    const person = await ask("Create a realistic user profile", { shape: { name: "string", email: "string" } });
    expect(person.name).toMatch(PERSON_NAME);
  });
});

describe("topicOf", () => {
  it("reads the things a prompt names, its codes and its kind; JSON keys and type words are not topics", () => {
    expect(topicOf("Describe the wireless mouse with SKU WM-123.")).toEqual({
      kind: "product",
      phrases: ["wireless mouse"],
      words: ["wireless", "mouse"],
      codes: ["WM-123"],
    });
    expect(topicOf("Create a realistic user profile of one of the small business owners in Ukraine: name, email, age.")).toMatchObject({
      kind: "person",
      phrases: ["small business owners", "Ukraine"],
    });
    expect(topicOf('Generate data for this shape: {"user":{"name":"string","orders":[{"id":"string","total":0}]}}').phrases).toEqual([]);
    expect(topicOf('Fit this person: {"name":"Ava Chen","email":"ava.chen@example.com"}').phrases).toEqual(["Ava Chen"]);
  });
});

describe("in a pipeline", () => {
  const doc = (prompt: string): Pipeline =>
    pipeline(
      [gen("g", { backend: "generator", prompt, shape: { title: "string", summary: "string", tags: ["string"] } })],
      [
        ["in", "g"],
        ["g", "out"],
      ],
    );
  const outputOf = async (p: Pipeline, input: Record<string, unknown>, seed = 11) => {
    const { events } = await run(p, { input, seed, pool: zeroPool() });
    return ofType(events, "node_finished").find((e) => e.nodeId === "g")?.output;
  };

  it("a re-run with an edited prompt or another input gives another output; the same one gives the same", async () => {
    const first = await outputOf(doc("Write about {{input.topic}}"), { topic: "tidal energy" });
    expect(await outputOf(doc("Write about {{input.topic}}"), { topic: "tidal energy" })).toEqual(first);
    expect(await outputOf(doc("Write a short guide to {{input.topic}}"), { topic: "tidal energy" })).not.toEqual(first);
    expect(await outputOf(doc("Write about {{input.topic}}"), { topic: "urban beekeeping" })).not.toEqual(first);
    expect(JSON.stringify(first).toLowerCase()).toMatch(/tidal|energy/);
  });

  it("fields that ask for a name, categories or a topic take the run input's words, as rendered into the prompt", async () => {
    const p = pipeline(
      [gen("g", { backend: "generator", prompt: "Plan a workshop on {{input.topic}}", shape: { name: "string", categories: ["string"], topic: "string" } })],
      [
        ["in", "g"],
        ["g", "out"],
      ],
    );
    const said = new Set(wordsOf("Plan a workshop on urban beekeeping"));
    let aboutInput = 0;
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const { events } = await run(p, { input: { topic: "urban beekeeping" }, seed, pool: zeroPool() });
      const v = ofType(events, "node_finished").find((e) => e.nodeId === "g")?.output as { name: string; categories: string[]; topic: string };
      for (const text of [v.name, v.topic, ...v.categories])
        expect(
          wordsOf(text).every((w) => said.has(w)),
          JSON.stringify(v),
        ).toBe(true);
      expect(v.categories.length).toBeGreaterThan(0);
      if (JSON.stringify(v).toLowerCase().includes("urban beekeeping")) aboutInput++;
    }
    expect(aboutInput).toBeGreaterThanOrEqual(6);
  });
});
