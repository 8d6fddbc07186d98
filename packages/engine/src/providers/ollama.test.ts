/** Ollama's native API (/api/chat, NDJSON) against a loopback stub, through real pipeline runs. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Stub, startOllamaStub } from "./testing/stubs.js";
import { pipeline, pool, run } from "./testing/harness.js";

let stub: Stub;
beforeAll(async () => {
  stub = await startOllamaStub({ reply: () => '{"city":"Lisbon","population":545000}', usage: { input: 31, output: 9 } });
});
afterAll(() => stub.close());
beforeEach(() => {
  stub.requests.length = 0;
});

const local = (over: Record<string, unknown> = {}) => ({
  name: "local",
  provider: "ollama" as const,
  model: "llama3.2",
  baseUrl: stub.url,
  timeoutMs: 400,
  retries: 2,
  retryDelayMs: 5,
  ...over,
});
const city = pipeline([
  {
    id: "city",
    config: { backend: "local", prompt: "A city by the sea, for {{input.topic}}.", system: "You are terse.", shape: { city: "string", population: 0 } },
  },
]);

describe("Ollama native provider", () => {
  it("streams NDJSON into token events, takes prompt_eval_count/eval_count as usage, and asks for format json", async () => {
    const r = await run(city, { pool: pool([local({ pricing: { input: 0, output: 0 } })]) });
    expect(r.types).toEqual(["run_started", "node_started", "token", "token", "token", "node_finished", "run_finished"]);
    expect(r.of("node_finished")[0]).toMatchObject({
      output: { city: "Lisbon", population: 545000 },
      usage: { inputTokens: 31, outputTokens: 9, costUsd: 0 },
      backend: "local",
      model: "llama3.2",
    });
    const body = stub.requests[0]?.body;
    expect(stub.requests[0]?.path).toBe("/api/chat");
    expect(body).toMatchObject({ model: "llama3.2", stream: true, format: "json", options: { temperature: 0.7, num_predict: 2048 } });
    expect(body.messages[0]).toMatchObject({ role: "system" });
    expect(body.messages[0].content).toContain("You are terse.");
    expect(body.messages[1]).toEqual({ role: "user", content: "A city by the sea, for otters." });
    expect(stub.requests[0]?.headers.authorization).toBeUndefined();
  });

  it("estimates usage when Ollama reports no counts", async () => {
    stub.script({ type: "ok", usage: false });
    const r = await run(city, { pool: pool([local()]) });
    expect(r.of("node_finished")[0]?.usage.estimated).toBe(true);
  });

  it("503, then a dropped stream: two retries, then a whole answer", async () => {
    stub.script({ type: "status", status: 503 }, { type: "drop", afterChunks: 1 });
    const r = await run(city, { pool: pool([local()]) });
    expect(r.of("retry").map((e) => e.error)).toEqual(["HTTP 503: stub error 503", expect.stringMatching(/connection failed|Did not receive done/)]);
    expect(r.last.type).toBe("run_finished");
    expect(r.of("run_finished")[0]?.usage).toMatchObject({ inputTokens: 31, outputTokens: 9 });
  });

  it("a slow first byte past the timeout fails the node with E_BACKEND_TIMEOUT when retries run out", async () => {
    stub.script({ type: "slow", delayMs: 2000 }, { type: "slow", delayMs: 2000 });
    const r = await run(city, { pool: pool([local({ timeoutMs: 150, retries: 1 })]) });
    expect(r.types).toEqual(["run_started", "node_started", "retry", "node_failed", "run_failed"]);
    expect(r.last).toMatchObject({ type: "run_failed", error: { code: "E_BACKEND_TIMEOUT" } });
  });

  it("404 (model not pulled) is not retried and says so", async () => {
    stub.script({ type: "status", status: 404, message: 'model "llama3.2" not found, try pulling it first' });
    const r = await run(city, { pool: pool([local()]) });
    expect(r.types).toEqual(["run_started", "node_started", "node_failed", "run_failed"]);
    expect(r.of("node_failed")[0]?.error.message).toContain('HTTP 404: model "llama3.2" not found');
  });
});
