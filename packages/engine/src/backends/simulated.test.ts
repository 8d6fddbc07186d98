import Ajv from "ajv";
import { afterEach, describe, expect, it, vi } from "vitest";
import { findDefects } from "./fake-data.js";
import { SimulatedBackend, repairJson } from "./simulated.js";
import { BackendConfigSchema, type AnyNodeKind, type CallContext, type LlmRequest, RetryableError, type Simulation, estimateTokens } from "@braid/core";
import { critiqueKind, generateKind, mergeKind, routeKind } from "@braid/nodes";

const backend = (simulation?: Partial<Simulation>, name = "fast"): SimulatedBackend =>
  new SimulatedBackend(BackendConfigSchema.parse({ name, provider: "simulated", model: "sim-fast", simulation }));
const ctx = (seedKey: string, extra: Partial<CallContext> = {}): CallContext => ({ signal: new AbortController().signal, seedKey, ...extra });
const gen = (json?: LlmRequest["json"], prompt = "Create a user profile"): LlmRequest => ({ prompt, json, task: { type: "generate" } });
/** The request as the runner sends it for a node of this kind: answered by the kind's `simulate`. */
const viaKind = (kind: AnyNodeKind, req: LlmRequest): LlmRequest => ({ ...req, simulate: (sim) => kind.simulate?.(req, sim) ?? sim.defaultAnswer() });
const parse = (text: string): Record<string, unknown> => JSON.parse(text) as Record<string, unknown>;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;
const shape = { name: "string", email: "string", age: 0, price: 0 };

afterEach(() => vi.restoreAllMocks());

describe("SimulatedBackend", () => {
  it("is labelled simulated and defaults its settings when simulation is absent", async () => {
    const b = backend();
    expect(b.simulated).toBe(true);
    const r = await b.complete(gen({ shape }), ctx("s"));
    expect(r.model).toBe("sim-fast");
    expect(parse(r.text).email).toMatch(EMAIL);
  });

  it("returns byte-identical text for the same inputs and seed, different text for other seeds", async () => {
    const req = gen({ shape: { name: "string", age: 0, tags: ["string"] } });
    const a = await backend().complete(req, ctx("run1/gen#1/a1"));
    const b = await backend().complete(req, ctx("run1/gen#1/a1"));
    expect(a.text).toBe(b.text);
    const texts = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        backend()
          .complete(req, ctx(`run1/gen#1/a${i}`))
          .then((r) => r.text),
      ),
    );
    expect(new Set(texts).size).toBeGreaterThanOrEqual(18);
    const other = await backend({}, "premium").complete(req, ctx("run1/gen#1/a1"));
    expect(other.text).not.toBe(a.text);
  });

  it("writes a short paragraph that mentions the prompt when no JSON is asked for", async () => {
    const prompt = "Explain photosynthesis in chloroplasts for beginners";
    const texts = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        backend()
          .complete(gen(undefined, prompt), ctx(`p${i}`))
          .then((r) => r.text),
      ),
    );
    for (const t of texts) {
      expect(/photosynthesis|chloroplasts|beginners|explain/i.test(t), t).toBe(true);
      const sentences = t.split(/(?<=\.)\s+/).length;
      expect(sentences).toBeGreaterThanOrEqual(1);
      expect(sentences).toBeLessThanOrEqual(3);
    }
  });

  it("returns an array of `count` filled items", async () => {
    const r = await backend().complete(gen({ shape, count: 5 }), ctx("c"));
    const items = JSON.parse(r.text) as Record<string, unknown>[];
    expect(items).toHaveLength(5);
    for (const it of items) {
      expect(it.email).toMatch(EMAIL);
      expect(it.age).toBeGreaterThanOrEqual(18);
      expect(it.price).toBeGreaterThan(0);
    }
    expect(new Set(items.map((i) => i.email)).size).toBeGreaterThan(1);
  });

  it("fills a JSON Schema with output that ajv accepts", async () => {
    const schema = {
      type: "object",
      required: ["name", "age", "status", "orders"],
      properties: {
        name: { type: "string", minLength: 2 },
        age: { type: "integer", minimum: 18, maximum: 30 },
        status: { enum: ["new", "vip"] },
        orders: { type: "array", minItems: 1, items: { type: "object", required: ["total"], properties: { total: { type: "number", minimum: 1 } } } },
      },
      additionalProperties: false,
    };
    const validate = new Ajv({ allErrors: true }).compile(schema);
    for (let i = 0; i < 20; i++) {
      const v = JSON.parse((await backend().complete(gen({ schema }), ctx(`schema${i}`))).text);
      expect(validate(v), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it("with defectRate 1, a draft has one defect; critique finds it; revise fixes it; critique then passes", async () => {
    const b = backend({ defectRate: 1 });
    const rubric = ["price is positive", "email is valid", "age is realistic"];
    for (let i = 0; i < 10; i++) {
      const draft = JSON.parse((await b.complete(gen({ shape }), ctx(`d${i}`))).text);
      expect(findDefects(draft, [])).toHaveLength(1);
      const crit = parse(
        (await b.complete(viaKind(critiqueKind, { prompt: "review", task: { type: "critique", subject: draft, rubric } }), ctx(`d${i}/c`))).text,
      );
      expect(crit.passed).toBe(false);
      expect(crit.score).toBeLessThanOrEqual(0.75);
      expect(crit.issues).toHaveLength(1);
      const revised = (
        await b.complete(viaKind(generateKind, { prompt: "fix", task: { type: "revise", previous: draft, issues: crit.issues as string[] } }), ctx(`d${i}/r`))
      ).text;
      const again = parse(
        (await b.complete(viaKind(critiqueKind, { prompt: "review", task: { type: "critique", subject: revised, rubric } }), ctx(`d${i}/c2`))).text,
      );
      expect(again.issues).toEqual([]);
      expect(again.passed).toBe(true);
      expect(again.score).toBeGreaterThanOrEqual(0.9);
      expect(again.score).toBeLessThanOrEqual(1);
    }
  });

  it("scores critiques by content: more defects, lower score", async () => {
    const b = backend();
    const score = async (subject: unknown): Promise<number> =>
      parse((await b.complete(viaKind(critiqueKind, { prompt: "r", task: { type: "critique", subject, rubric: ["price is positive"] } }), ctx("same"))).text)
        .score as number;
    const clean = await score({ name: "Ava Chen", email: "ava@example.com", price: 10 });
    const one = await score({ name: "Ava Chen", email: "ava@example.com", price: -10 });
    const two = await score({ name: "", email: "ava@example.com", price: -10 });
    expect(clean).toBeGreaterThanOrEqual(0.9);
    expect(one).toBeLessThanOrEqual(0.75);
    expect(one).toBeGreaterThanOrEqual(0.7);
    expect(two).toBeLessThan(one);
    expect(two).toBeLessThanOrEqual(0.5);
  });

  it("classifies by complexity: simple subjects get the first label, complex ones the last", async () => {
    const b = backend();
    const labels = ["fast", "quality", "premium"];
    const classify = async (subject: unknown): Promise<Record<string, unknown>> =>
      parse((await b.complete(viaKind(routeKind, { prompt: "route", task: { type: "classify", labels, subject } }), ctx("cls"))).text);
    const simple = await classify({ name: "Ava" });
    const complex = await classify({
      user: { profile: { name: "A", tags: ["x"], address: { city: "B", geo: { lat: 1, lng: 2 } } } },
      orders: [{ items: [{ sku: "a", qty: 1 }] }],
      rules: ["a", "b"],
      meta: { a: 1, b: 2, c: 3, d: 4 },
    });
    expect(simple.label).toBe("fast");
    expect(complex.label).toBe("premium");
    expect(String(complex.reason)).toMatch(/complexity \d+/);
    expect(await classify({ name: "Ava" })).toEqual(simple);
  });

  it("synthesizes by deep-merging objects and keeping other inputs", async () => {
    const inputs = JSON.parse(
      '{"details":{"name":"Lamp","specs":{"watts":9}},"pricing":"{\\"price\\":20,\\"specs\\":{\\"lumens\\":800}}","note":"bright","evil":{"__proto__":{"polluted":"yes"}}}',
    );
    const r = parse((await backend().complete(viaKind(mergeKind, { prompt: "merge", task: { type: "synthesize", inputs } }), ctx("m"))).text);
    expect(r.name).toBe("Lamp");
    expect(r.price).toBe(20);
    expect(r.specs).toEqual({ watts: 9, lumens: 800 });
    expect(r.extras).toEqual(["bright"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("answers with the request's simulate when given, else the generic answer; names no kind", async () => {
    const seen: unknown[] = [];
    const r = await backend().complete(
      {
        prompt: "p",
        task: { type: "anything" },
        simulate: (sim) => {
          seen.push(sim.defective);
          return "from the kind";
        },
      },
      ctx("k"),
    );
    expect(r.text).toBe("from the kind");
    expect(seen).toEqual([false]);
    const plain = await backend().complete({ prompt: "p", json: { shape: { name: "string" } }, task: { type: "anything" } }, ctx("k"));
    expect(typeof parse(plain.text).name).toBe("string");
  });

  it("repairs broken JSON by extracting a balanced block", async () => {
    const repair = async (broken: string): Promise<string> => (await backend().complete({ prompt: "fix", task: { type: "repair", broken } }, ctx("rp"))).text;
    expect(JSON.parse(await repair('Sure! Here it is:\n```json\n{"a": [1, 2], "b": "}"}\n```'))).toEqual({ a: [1, 2], b: "}" });
    expect(JSON.parse(await repair("[1, 2, 3,] trailing"))).toEqual([1, 2, 3]);
    expect(JSON.parse(await repair('{"name": "Ava", "tags": ["x", "y'))).toEqual({ name: "Ava", tags: ["x", "y"] });
    expect(await repair("no json here")).toBe("{}");
    expect(repairJson("{{{")).toBe("{}");
  });

  it("revises plain text into tidied text", async () => {
    const r = await backend().complete(
      viaKind(generateKind, { prompt: "fix", task: { type: "revise", previous: "the draft.  it   rambles", issues: ["too loose"] } }),
      ctx("rv"),
    );
    expect(r.text.startsWith("The draft. It rambles.")).toBe(true);
  });

  it("reports usage from its own token counts", async () => {
    const req: LlmRequest = { system: "You are terse.", prompt: "Make a product", json: { shape: { name: "string", price: 0 } }, task: { type: "generate" } };
    const r = await backend().complete(req, ctx("u"));
    expect(r.usage).toEqual({ inputTokens: estimateTokens("You are terse.Make a product"), outputTokens: estimateTokens(r.text), estimated: false });
  });

  it("never uses a timer at zero latency", async () => {
    const spy = vi.spyOn(globalThis, "setTimeout");
    const tokens: string[] = [];
    await backend({ streamChunks: 4 }).complete(gen({ shape }), ctx("z", { onToken: (t) => tokens.push(t) }));
    expect(spy).not.toHaveBeenCalled();
    expect(tokens).toHaveLength(4);
  });

  it("waits for the configured latency, with deterministic jitter", async () => {
    const b = backend({ latencyMs: 60 });
    const t0 = performance.now();
    await b.complete(gen({ shape }), ctx("l"));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(55);
    const spy = vi.spyOn(globalThis, "setTimeout");
    await backend({ latencyMs: 40, jitterMs: 30 }).complete(gen({ shape }), ctx("j"));
    await backend({ latencyMs: 40, jitterMs: 30 }).complete(gen({ shape }), ctx("j"));
    const delays = spy.mock.calls.map((c) => c[1] as number);
    expect(delays).toHaveLength(2);
    expect(delays[0]).toBe(delays[1]);
    expect(delays[0]).toBeGreaterThanOrEqual(10);
    expect(delays[0]).toBeLessThanOrEqual(70);
  });

  it("rejects with AbortError promptly when aborted during the latency", async () => {
    const ac = new AbortController();
    const p = backend({ latencyMs: 5000 }).complete(gen({ shape }), { signal: ac.signal, seedKey: "a" });
    setTimeout(() => ac.abort(), 20);
    const t0 = performance.now();
    await expect(p).rejects.toMatchObject({ name: "AbortError" });
    const waited = performance.now() - t0;
    expect(waited).toBeLessThan(20 + 50);
  });

  it("rejects at once when the signal is already aborted", async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(backend().complete(gen({ shape }), { signal: ac.signal, seedKey: "a" })).rejects.toMatchObject({ name: "AbortError" });
  });

  it("throws RetryableError (503) at failureRate 1 and never at 0; partial rates are seeded", async () => {
    const err = await backend({ failureRate: 1 })
      .complete(gen({ shape }), ctx("f"))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect((err as RetryableError).status).toBe(503);
    const ok = await backend({ failureRate: 0 }).complete(gen({ shape }), ctx("f"));
    expect(ok.model).toBe("sim-fast");
    expect(Object.keys(parse(ok.text)).sort()).toEqual(Object.keys(shape).sort());
    const outcomes = async (): Promise<boolean[]> =>
      Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          backend({ failureRate: 0.3 })
            .complete(gen({ shape }), ctx(`f${i}`))
            .then(
              () => true,
              () => false,
            ),
        ),
      );
    const first = await outcomes();
    const failures = first.filter((ok) => !ok).length;
    expect(failures).toBeGreaterThan(30);
    expect(failures).toBeLessThan(90);
    expect(await outcomes()).toEqual(first);
  });

  it("streams chunks that concatenate to the text, spread over the latency", async () => {
    const times: number[] = [];
    const tokens: string[] = [];
    const t0 = performance.now();
    const r = await backend({ streamChunks: 5, latencyMs: 50 }).complete(
      gen({ shape, count: 2 }),
      ctx("st", {
        onToken: (t) => {
          tokens.push(t);
          times.push(performance.now() - t0);
        },
      }),
    );
    expect(tokens).toHaveLength(5);
    expect(tokens.join("")).toBe(r.text);
    expect(times[0]).toBeLessThan(40);
    expect(times[4]).toBeGreaterThanOrEqual(45);
    const plain = await backend().complete(gen({ shape, count: 2 }), ctx("st"));
    expect(plain.text).toBe(r.text);
  });

  it("keeps hostile shape keys as data through the backend", async () => {
    const hostile = JSON.parse('{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"email":"string"}');
    const r = await backend({ defectRate: 1 }).complete(gen({ shape: hostile }), ctx("h"));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(JSON.parse(r.text), "__proto__")).toBe(true);
  });
});
