/**
 * Errors a server sends inside a 200 answer (after the stream has started, or as a JSON body
 * `{"error": …}`) are classified like HTTP errors: a transient one (429, 5xx, overloaded) is
 * retried and counts in the circuit breaker, a 400 about JSON mode turns JSON mode off, and a
 * client error fails at once with the server's message.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Stub, startAnthropicStub, startOllamaStub, startOpenAiStub } from "./testing/stubs.js";
import { pipeline, pool, run } from "./testing/harness.js";

const VALID = '{"name":"Ada","age":36}';
const person = pipeline([
  { id: "person", config: { backend: "real", prompt: "Invent a person who likes {{input.topic}}.", shape: { name: "string", age: 0 } } },
]);
const stubs: Record<string, Stub> = {};
beforeAll(async () => {
  stubs.openai = await startOpenAiStub({ reply: () => VALID });
  stubs.anthropic = await startAnthropicStub({ reply: () => VALID });
  stubs.ollama = await startOllamaStub({ reply: () => VALID });
});
afterAll(async () => {
  for (const s of Object.values(stubs)) await s.close();
});
beforeEach(() => {
  for (const s of Object.values(stubs)) s.requests.length = 0;
});

type P = "openai" | "anthropic" | "ollama";
const real = (provider: P, over: Record<string, unknown> = {}) => ({
  name: "real",
  provider,
  model: "m",
  baseUrl: provider === "openai" ? `${stubs.openai?.url}/v1` : stubs[provider]?.url,
  timeoutMs: 2000,
  retries: 2,
  retryDelayMs: 1,
  ...over,
});

describe.each([
  ["openai", "HTTP 429 (inside a 200 answer): Rate limit reached for requests"],
  ["anthropic", "HTTP 529 (inside a 200 answer): Overloaded"],
  ["ollama", "HTTP 503 (inside a 200 answer): server busy, please try again"],
] as const)("%s: a transient error inside the stream", (provider, message) => {
  it("after a token is retried like the HTTP error, and the run completes", async () => {
    stubs[provider]?.script({ type: "stream-error", afterChunks: 1 });
    const r = await run(person, { pool: pool([real(provider)]) });
    expect(r.of("retry").map((e) => e.error)).toEqual([message]);
    expect(r.last.type).toBe("run_finished");
    expect(r.of("node_finished")[0]?.output).toEqual({ name: "Ada", age: 36 });
    expect(stubs[provider]?.requests).toHaveLength(2);
  });

  it("counts in the circuit breaker", async () => {
    stubs[provider]?.script({ type: "stream-error" }, { type: "stream-error" });
    const p = pool([real(provider, { retries: 1, breakerThreshold: 2, breakerHalfOpenMs: 60_000 })]);
    const r = await run(person, { pool: p });
    expect(r.of("breaker")[0]).toMatchObject({ from: "closed", to: "open" });
    expect(p.breakerState("real")).toBe("open");
    expect(r.of("node_failed")[0]?.error.message).toContain(message);
  });
});

describe("OpenAI-compatible gateways: other in-stream error forms", () => {
  it.each([
    [
      "`event: error` with a numeric code",
      { type: "stream-error", sseEvent: true, error: { message: "upstream unavailable", code: 503 } },
      "HTTP 503 (inside a 200 answer): upstream unavailable",
    ],
    ['a string status code ("500")', { type: "stream-error", error: { message: "boom", type: "None", code: "500" } }, "HTTP 500 (inside a 200 answer): boom"],
    [
      "an error nobody explained (taken as a 500)",
      { type: "stream-error", afterChunks: 2, error: { message: "something broke" } },
      "HTTP 500 (inside a 200 answer): something broke",
    ],
  ] as const)("%s is retried", async (_what, fault, message) => {
    stubs.openai?.script(fault);
    const r = await run(person, { pool: pool([real("openai")]) });
    expect(r.of("retry").map((e) => e.error)).toEqual([message]);
    expect(r.last.type).toBe("run_finished");
  });

  it("a client error inside the stream fails at once with the server's message", async () => {
    stubs.openai?.script({
      type: "stream-error",
      error: { message: "This model's maximum context length is 8192 tokens", type: "invalid_request_error", code: "context_length_exceeded" },
    });
    const r = await run(person, { pool: pool([real("openai")]) });
    expect(r.types).toEqual(["run_started", "node_started", "node_failed", "run_failed"]);
    expect(r.of("node_failed")[0]?.error.message).toBe(
      'backend "real" failed: HTTP 400 (inside a 200 answer): This model\'s maximum context length is 8192 tokens',
    );
    expect(stubs.openai?.requests).toHaveLength(1);
  });

  it("a 400 about response_format inside the stream turns JSON mode off, as an HTTP 400 does", async () => {
    stubs.openai?.script({ type: "stream-error", error: { message: "response_format is not supported by this model", type: "invalid_request_error" } });
    const r = await run(person, { pool: pool([real("openai")]) });
    expect(r.last.type).toBe("run_finished");
    expect(stubs.openai?.requests.map((q) => q.body.response_format?.type ?? "none")).toEqual(["json_object", "none"]);
  });
});

describe("a 200 JSON body that is an error (plain, non-streaming calls)", () => {
  it.each(["openai", "anthropic", "ollama"] as const)("%s: classified and retried like the HTTP error", async (provider) => {
    stubs[provider]?.script({ type: "stream-error" });
    const p = pool([real(provider)]);
    const retries: string[] = [];
    const r = await p.call(
      "real",
      { prompt: "hi", task: { type: "generate" } },
      { signal: new AbortController().signal, seedKey: "k", random: () => 0 },
      {
        onRetry: (e) => retries.push(e.error),
      },
    );
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatch(/^HTTP (429|529|503) \(inside a 200 answer\): /);
    expect(r.text).toBe(VALID);
  });
});
