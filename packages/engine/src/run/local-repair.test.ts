/**
 * Model JSON with common defects is mended locally (jsonrepair) before any paid LLM repair call:
 * the stub backend counts the requests it answers.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Stub, startOpenAiStub } from "../providers/testing/stubs.js";
import { pipeline, pool, run } from "../providers/testing/harness.js";
import { locallyRepaired, parseModelOutput } from "./llm-json.js";

const PERSON = { name: "string", age: 0 };
let stub: Stub;

beforeAll(async () => {
  stub = await startOpenAiStub({ reply: () => '{"name":"Ada","age":36}' });
});
afterAll(() => stub.close());
beforeEach(() => {
  stub.requests.length = 0;
});

const backend = { name: "real", provider: "openai" as const, model: "gpt-stub", baseUrl: "", timeoutMs: 400, retries: 0 };
const person = (over: Record<string, unknown> = {}) =>
  pipeline([{ id: "person", config: { backend: "real", prompt: "Invent a person.", shape: PERSON, ...over } }]);

describe("local JSON repair before the LLM repair call", () => {
  it.each([
    ["truncated", '{"name":"Ada","age":36'],
    ["truncated inside a string", '{"age":36,"name":"Ada'],
    ["trailing comma", '{"name":"Ada","age":36,}'],
    ["single quotes", "{'name': 'Ada', 'age': 36}"],
    ["unquoted keys in a fence with prose", 'Here you go:\n```json\n{name: "Ada", age: 36,}\n```\nEnjoy!'],
  ])("%s JSON is repaired without an LLM repair call", async (_label, content) => {
    stub.script({ type: "ok", content });
    const r = await run(person(), { pool: pool([{ ...backend, baseUrl: `${stub.url}/v1` }]) });
    expect(r.of("node_finished")[0]?.output).toEqual({ name: "Ada", age: 36 });
    expect(stub.requests).toHaveLength(1);
    expect(JSON.stringify(stub.requests[0]?.body)).not.toContain("You repair JSON");
  });

  it("a count of items truncated mid-array is repaired locally", async () => {
    stub.script({ type: "ok", content: '[{"name":"Ada","age":36},{"name":"Bo","age":4' });
    const r = await run(person({ count: 2 }), { pool: pool([{ ...backend, baseUrl: `${stub.url}/v1` }]) });
    expect(r.of("node_finished")[0]?.output).toEqual([
      { name: "Ada", age: 36 },
      { name: "Bo", age: 4 },
    ]);
    expect(stub.requests).toHaveLength(1);
  });

  it("falls back to the LLM repair call when the locally repaired JSON does not match the shape", async () => {
    stub.script({ type: "ok", content: '{"nom":"Ada",' });
    const r = await run(person(), { pool: pool([{ ...backend, baseUrl: `${stub.url}/v1` }]) });
    expect(r.of("node_finished")[0]?.output).toEqual({ name: "Ada", age: 36 });
    expect(stub.requests).toHaveLength(2);
    expect(stub.requests[1]?.body.messages[0].content).toContain("You repair JSON");
  });

  it("falls back to the LLM repair call for prose, which jsonrepair would turn into strings", async () => {
    stub.script({ type: "ok", content: "Sorry, I cannot do that." });
    const r = await run(pipeline([{ id: "person", config: { backend: "real", prompt: "x", schema: {} } }]), {
      pool: pool([{ ...backend, baseUrl: `${stub.url}/v1` }]),
    });
    expect(stub.requests).toHaveLength(2);
    expect(r.of("node_finished")[0]?.output).toEqual({ name: "Ada", age: 36 });
  });
});

describe("parseModelOutput", () => {
  it("leaves valid JSON alone and marks local repairs", () => {
    expect(parseModelOutput('{"a":1}', {})).toEqual({ ok: true, value: { a: 1 }, repaired: false });
    expect(parseModelOutput("{'a':1,", {})).toEqual({ ok: true, value: { a: 1 }, repaired: true });
  });

  it("checks the repaired value against a JSON Schema", () => {
    const schema = { type: "object", required: ["a"], properties: { a: { type: "integer", minimum: 5 } } };
    expect(parseModelOutput('{"a": 7,', { schema })).toMatchObject({ ok: true, value: { a: 7 } });
    expect(parseModelOutput('{"a": 1,', { schema })).toMatchObject({ ok: false, code: "E_LLM_OUTPUT" });
    expect(parseModelOutput('{"a": 1}', { schema })).toMatchObject({ ok: false, code: "E_OUTPUT_SHAPE" });
  });

  it("never repairs plain prose into JSON", () => {
    expect(locallyRepaired("Sorry, I cannot do that.")).toEqual([]);
    expect(parseModelOutput("no json here", {})).toMatchObject({ ok: false, code: "E_LLM_OUTPUT" });
  });
});
