/**
 * The OpenAI-compatible provider against a loopback server that speaks the wire protocol, with
 * faults injected per request. Each case runs a real pipeline through startRun and asserts the
 * events, the final status, and that the event log is whole (see checkComplete).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Stub, startOpenAiStub } from "./testing/stubs.js";
import { pipeline, pool, run } from "./testing/harness.js";

const PERSON = { name: "string", age: 0 };
const VALID = '{"name":"Ada","age":36}';

let main: Stub;
let backup: Stub;

beforeAll(async () => {
  main = await startOpenAiStub({ reply: () => VALID });
  backup = await startOpenAiStub({ reply: () => '{"name":"Grace","age":45}', usage: { input: 20, output: 8 } });
});
afterAll(async () => {
  await main.close();
  await backup.close();
});
beforeEach(() => {
  main.requests.length = 0;
  backup.requests.length = 0;
});

const real = (over: Record<string, unknown> = {}) => ({
  name: "real",
  provider: "openai" as const,
  model: "gpt-stub",
  baseUrl: `${main.url}/v1`,
  timeoutMs: 400,
  retries: 2,
  retryDelayMs: 5,
  pricing: { input: 0.001, output: 0.002 },
  ...over,
});
const spare = () => ({
  name: "spare",
  provider: "openai" as const,
  model: "gpt-spare",
  baseUrl: `${backup.url}/v1`,
  timeoutMs: 400,
  retries: 0,
  pricing: { input: 0.001, output: 0.002 },
});
const person = (over: Record<string, unknown> = {}) =>
  pipeline([{ id: "person", config: { backend: "real", prompt: "Invent a person who likes {{input.topic}}.", shape: PERSON, ...over } }]);

describe("OpenAI-compatible provider: the happy path", () => {
  it("streams tokens into events, reads the usage chunk, prices it, and asks for JSON mode", async () => {
    const r = await run(person(), { pool: pool([real()]) });
    expect(r.types).toEqual(["run_started", "node_started", "token", "token", "token", "node_finished", "run_finished"]);
    const done = r.of("node_finished")[0];
    expect(done?.output).toEqual({ name: "Ada", age: 36 });
    expect(done?.usage).toEqual({ inputTokens: 12, outputTokens: 5, costUsd: 0.000022 });
    expect(done?.backend).toBe("real");
    expect(done?.model).toBe("gpt-stub");
    const body = main.requests[0]?.body;
    expect(body).toMatchObject({ model: "gpt-stub", stream: true, stream_options: { include_usage: true }, response_format: { type: "json_object" } });
    expect(body.messages[0].role).toBe("system");
    expect(body.messages[0].content).toContain('{"name":"string","age":0}');
    expect(main.requests[0]?.headers.authorization).toBe("Bearer not-needed");
  });

  it("marks usage as estimated when the server sends no usage chunk", async () => {
    main.script({ type: "ok", usage: false });
    const r = await run(person(), { pool: pool([real()]) });
    expect(r.of("node_finished")[0]?.usage.estimated).toBe(true);
    expect(r.of("run_finished")[0]?.usage.estimated).toBe(true);
  });

  it("sends the key from apiKeyEnv, read at call time, and names a missing variable without a value", async () => {
    const env: Record<string, string | undefined> = {};
    const p = pool([real({ apiKeyEnv: "STUB_OPENAI_KEY", retries: 0 })], { env });
    const missing = await run(person(), { pool: p });
    expect(missing.last.type).toBe("run_failed");
    const failed = missing.of("node_failed")[0];
    expect(failed?.error.code).toBe("E_BACKEND_FAILED");
    expect(failed?.error.message).toContain("STUB_OPENAI_KEY");
    expect(main.requests).toHaveLength(0);
    env.STUB_OPENAI_KEY = "sk-test-0123456789abcdef";
    const ok = await run(person(), { pool: p });
    expect(ok.last.type).toBe("run_finished");
    expect(main.requests[0]?.headers.authorization).toBe("Bearer sk-test-0123456789abcdef");
  });
});

describe("OpenAI-compatible provider: injected faults", () => {
  it("429 with Retry-After: one retry event that waits what the server asked, then success", async () => {
    main.script({ type: "status", status: 429, retryAfter: "1" });
    const r = await run(person(), { pool: pool([real()]) });
    expect(r.types).toEqual(["run_started", "node_started", "retry", "token", "token", "token", "node_finished", "run_finished"]);
    expect(r.of("retry")[0]).toMatchObject({ backend: "real", attempt: 1, delayMs: 1000 });
    expect(r.of("retry")[0]?.error).toContain("HTTP 429");
    expect(r.of("run_finished")[0]?.usage).toMatchObject({ inputTokens: 12, outputTokens: 5 });
  });

  it("429 with retry-after-ms (OpenAI's header) is honoured too", async () => {
    main.script({ type: "status", status: 429, retryAfterMs: 60 });
    const r = await run(person(), { pool: pool([real()]) });
    expect(r.of("retry").map((e) => e.delayMs)).toEqual([60]);
    expect(r.last.type).toBe("run_finished");
  });

  it("500 then 503: two retries, then success; only the answered call is billed", async () => {
    main.script({ type: "status", status: 500 }, { type: "status", status: 503 });
    const r = await run(person(), { pool: pool([real()]) });
    expect(r.of("retry").map((e) => [e.attempt, e.error])).toEqual([
      [1, "HTTP 500: stub error 500"],
      [2, "HTTP 503: stub error 503"],
    ]);
    expect(r.last).toMatchObject({ type: "run_finished", usage: { inputTokens: 12, outputTokens: 5 } });
    expect(main.requests).toHaveLength(3);
  });

  it("503 on every attempt: retries exhausted, then the fallback backend answers", async () => {
    main.script({ type: "status", status: 503 }, { type: "status", status: 503 }, { type: "status", status: 503 });
    const r = await run(person(), { pool: pool([real({ fallback: "spare" }), spare()]) });
    expect(r.types).toEqual(["run_started", "node_started", "retry", "retry", "fallback", "token", "token", "token", "node_finished", "run_finished"]);
    expect(r.of("fallback")[0]).toMatchObject({ from: "real", to: "spare" });
    expect(r.of("fallback")[0]?.reason).toContain("HTTP 503");
    expect(r.of("node_finished")[0]).toMatchObject({ backend: "spare", output: { name: "Grace", age: 45 }, usage: { inputTokens: 20, outputTokens: 8 } });
  });

  it("500 on every attempt with no fallback: node_failed E_BACKEND_FAILED and a failed run", async () => {
    main.script({ type: "status", status: 500 }, { type: "status", status: 500 }, { type: "status", status: 500 });
    const r = await run(person(), { pool: pool([real({ circuitBreaker: false })]) });
    expect(r.types).toEqual(["run_started", "node_started", "retry", "retry", "node_failed", "run_failed"]);
    expect(r.of("node_failed")[0]?.error).toMatchObject({ code: "E_BACKEND_FAILED", nodeId: "person" });
    expect(r.of("node_failed")[0]?.error.message).toContain("HTTP 500");
    expect(r.last).toMatchObject({ type: "run_failed", error: { code: "E_BACKEND_FAILED" }, usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 } });
  });

  it("slow first byte past the timeout: the attempt is abandoned and retried", async () => {
    main.script({ type: "slow", delayMs: 2000 });
    const r = await run(person(), { pool: pool([real({ timeoutMs: 250 })]) });
    expect(r.types).toEqual(["run_started", "node_started", "retry", "token", "token", "token", "node_finished", "run_finished"]);
    expect(r.of("retry")[0]?.error).toContain("timeout");
  });

  it("a timeout on every attempt: node_failed E_BACKEND_TIMEOUT", async () => {
    main.script({ type: "slow", delayMs: 2000 }, { type: "slow", delayMs: 2000 });
    const r = await run(person(), { pool: pool([real({ timeoutMs: 150, retries: 1 })]) });
    expect(r.types).toEqual(["run_started", "node_started", "retry", "node_failed", "run_failed"]);
    expect(r.last).toMatchObject({ type: "run_failed", error: { code: "E_BACKEND_TIMEOUT" } });
  });

  it("connection dropped mid-stream: the partial tokens stay in the log, a retry follows, the answer is whole", async () => {
    main.script({ type: "drop", afterChunks: 1 });
    const r = await run(person(), { pool: pool([real()]) });
    const types = r.types;
    const retryAt = types.indexOf("retry");
    expect(types.slice(0, retryAt)).toEqual(["run_started", "node_started", "token"]);
    expect(r.of("retry")[0]?.error).toMatch(/connection failed/);
    expect(types.slice(retryAt + 1)).toEqual(["token", "token", "token", "node_finished", "run_finished"]);
    expect(r.of("node_finished")[0]?.output).toEqual({ name: "Ada", age: 36 });
    expect(r.of("run_finished")[0]?.usage).toMatchObject({ inputTokens: 12, outputTokens: 5 });
  });

  it("malformed JSON content: one repair call fixes it, and both calls are billed", async () => {
    main.script({ type: "malformed" });
    const r = await run(person(), { pool: pool([real()]) });
    expect(r.types.filter((t) => t !== "token")).toEqual(["run_started", "node_started", "node_finished", "run_finished"]);
    expect(main.requests).toHaveLength(2);
    expect(main.requests[1]?.body.messages[0].content).toContain("You repair JSON");
    expect(r.of("node_finished")[0]?.output).toEqual({ name: "Ada", age: 36 });
    expect(r.last).toMatchObject({ type: "run_finished", usage: { inputTokens: 24, outputTokens: 10, costUsd: 0.000044 } });
  });

  it("malformed JSON twice: node_failed E_LLM_OUTPUT after the repair attempt; the spend is still counted", async () => {
    main.script({ type: "malformed" }, { type: "malformed" });
    const r = await run(person(), { pool: pool([real()]) });
    expect(r.types.filter((t) => t !== "token")).toEqual(["run_started", "node_started", "node_failed", "run_failed"]);
    expect(r.of("node_failed")[0]?.error.code).toBe("E_LLM_OUTPUT");
    expect(r.of("node_failed")[0]?.error.message).toContain("after one repair attempt");
    expect(r.last).toMatchObject({ type: "run_failed", usage: { inputTokens: 24, outputTokens: 10 } });
  });

  it("empty choices: not retried (nothing to gain), falls back; without a fallback the node fails clearly", async () => {
    main.script({ type: "empty" });
    const r = await run(person(), { pool: pool([real({ fallback: "spare" }), spare()]) });
    expect(r.types.filter((t) => t !== "token")).toEqual(["run_started", "node_started", "fallback", "node_finished", "run_finished"]);
    expect(r.of("fallback")[0]?.reason).toContain("answered HTTP 200 without choices[0].message.content");
    main.script({ type: "empty" });
    const alone = await run(person(), { pool: pool([real()]) });
    expect(alone.types).toEqual(["run_started", "node_started", "node_failed", "run_failed"]);
    expect(alone.of("node_failed")[0]?.error.message).toMatch(/without choices\[0\]\.message\.content; it sent: data: \{.*"choices":\[\]/);
  });

  it("a 400 is not retried: the message is the server's, the code E_BACKEND_FAILED", async () => {
    main.script({ type: "status", status: 400, message: "model gpt-stub does not support this" });
    const r = await run(person(), { pool: pool([real()]) });
    expect(r.types).toEqual(["run_started", "node_started", "node_failed", "run_failed"]);
    expect(r.of("node_failed")[0]?.error.message).toContain("HTTP 400: model gpt-stub does not support this");
    expect(main.requests).toHaveLength(1);
  });

  it("401 names the key variable and never shows the key", async () => {
    const env = { STUB_OPENAI_KEY: "sk-live-abcdef0123456789" };
    main.script({ type: "status", status: 401, message: "Incorrect API key provided: sk-live-abcdef0123456789" });
    const r = await run(person(), { pool: pool([real({ apiKeyEnv: "STUB_OPENAI_KEY" })], { env }) });
    const msg = r.of("node_failed")[0]?.error.message ?? "";
    expect(msg).toContain("check the key in STUB_OPENAI_KEY");
    expect(JSON.stringify(r.events)).not.toContain("abcdef0123456789");
  });

  it("the circuit breaker opens after consecutive failures (an event), then fails fast to the fallback without calling", async () => {
    const p = pool([real({ retries: 1, breakerThreshold: 2, breakerHalfOpenMs: 60_000, fallback: "spare" }), spare()]);
    main.script({ type: "status", status: 502 }, { type: "status", status: 502 });
    const first = await run(person(), { pool: p });
    expect(first.types.filter((t) => t !== "token")).toEqual(["run_started", "node_started", "retry", "breaker", "fallback", "node_finished", "run_finished"]);
    expect(first.of("breaker")[0]).toMatchObject({ backend: "real", from: "closed", to: "open" });
    expect(p.breakerState("real")).toBe("open");
    const calls = main.requests.length;
    const second = await run(person(), { pool: p });
    expect(main.requests.length).toBe(calls);
    expect(second.of("fallback")[0]?.reason).toBe(
      'backend "real" is paused after 2 consecutive failures (circuit breaker open, next try in 60 s); last failure: HTTP 502: stub error 502',
    );
    expect(second.last.type).toBe("run_finished");
  });

  it("the breaker half-opens after its pause and closes again on success (both transitions are events)", async () => {
    const p = pool([real({ retries: 0, breakerThreshold: 1, breakerHalfOpenMs: 50 })]);
    main.script({ type: "status", status: 500 });
    const first = await run(person(), { pool: p });
    expect(first.of("breaker").map((e) => `${e.from}>${e.to}`)).toEqual(["closed>open"]);
    await new Promise((r) => setTimeout(r, 80));
    const second = await run(person(), { pool: p });
    expect(second.of("breaker").map((e) => `${e.from}>${e.to}`)).toEqual(["open>half-open", "half-open>closed"]);
    expect(second.last.type).toBe("run_finished");
    expect(p.breakerState("real")).toBe("closed");
  });

  it("cancelling during a slow call ends the run as cancelled, promptly", async () => {
    main.script({ type: "slow", delayMs: 5000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort("stop"), 100);
    const t0 = Date.now();
    const r = await run(person(), { pool: pool([real({ timeoutMs: 10_000 })]), signal: controller.signal });
    expect(r.last.type).toBe("run_cancelled");
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});

describe("OpenAI-compatible provider: cache, concurrency, text", () => {
  it("a node with cache: true answers the second run from the cache, at zero cost, with a cache_hit event", async () => {
    const p = pool([real()]);
    const first = await run(person({ cache: true }), { pool: p });
    const second = await run(person({ cache: true }), { pool: p });
    expect(main.requests).toHaveLength(1);
    expect(first.of("cache_hit")).toHaveLength(0);
    expect(second.types).toEqual(["run_started", "node_started", "cache_hit", "node_finished", "run_finished"]);
    expect(second.of("node_finished")[0]).toMatchObject({ output: { name: "Ada", age: 36 }, usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 } });
    expect(p.stats.one("real").cacheHits).toBe(1);
    // Without the flag (and no cacheTtlMs on the backend) nothing is cached.
    await run(person(), { pool: p });
    expect(main.requests).toHaveLength(2);
  });

  it('the background documents\' "$cache" in a shape turns the cache on and is not part of the output', async () => {
    const p = pool([real()]);
    await run(person({ shape: { $cache: 10, ...PERSON } }), { pool: p });
    const again = await run(person({ shape: { $cache: 10, ...PERSON } }), { pool: p });
    expect(again.of("cache_hit")).toHaveLength(1);
    expect(main.requests).toHaveLength(1);
    expect(main.requests[0]?.body.messages[0].content).not.toContain("$cache");
  });

  it("maxConcurrency limits the calls in flight on one backend (three parallel nodes)", async () => {
    const three = pipeline(["a", "b", "c"].map((id) => ({ id, config: { backend: "real", prompt: `${id} {{input.topic}}`, shape: PERSON } })));
    const inFlight = async (maxConcurrency?: number) => {
      const stub = await startOpenAiStub({ reply: () => VALID });
      stub.script({ type: "slow", delayMs: 60 }, { type: "slow", delayMs: 60 }, { type: "slow", delayMs: 60 });
      try {
        const r = await run(three, { pool: pool([real({ baseUrl: `${stub.url}/v1`, ...(maxConcurrency ? { maxConcurrency } : {}) })]) });
        expect(r.last.type).toBe("run_finished");
        expect(stub.requests).toHaveLength(3);
        return stub.maxInFlight;
      } finally {
        await stub.close();
      }
    };
    expect(await inFlight()).toBe(3);
    expect(await inFlight(1)).toBe(1);
  });

  it("plain text nodes get no JSON mode and no JSON instructions", async () => {
    main.script({ type: "ok", content: "Otters hold hands while they sleep." });
    const r = await run(pipeline([{ id: "fact", config: { backend: "real", prompt: "One fact about {{input.topic}}." } }]), { pool: pool([real()]) });
    expect(r.of("node_finished")[0]?.output).toBe("Otters hold hands while they sleep.");
    expect(main.requests[0]?.body.response_format).toBeUndefined();
    expect(main.requests[0]?.body.messages).toEqual([{ role: "user", content: "One fact about otters." }]);
  });

  it("count > 1 asks for an array by instructions (JSON mode would force an object)", async () => {
    main.script({ type: "ok", content: `[${VALID},${VALID}]` });
    const r = await run(person({ count: 2 }), { pool: pool([real()]) });
    expect(r.of("node_finished")[0]?.output).toHaveLength(2);
    expect(main.requests[0]?.body.response_format).toBeUndefined();
    expect(main.requests[0]?.body.messages[0].content).toContain("a JSON array of exactly 2 items");
  });

  it("a server that rejects response_format (LM Studio) gets one plain retry, and no JSON mode from then on", async () => {
    const p = pool([real()]);
    main.script({ type: "status", status: 400, message: "'response_format.type' must be 'json_schema'" });
    const r = await run(person(), { pool: p });
    expect(r.types).toEqual(["run_started", "node_started", "token", "token", "token", "node_finished", "run_finished"]);
    await run(person(), { pool: p });
    expect(main.requests.map((q) => q.body.response_format?.type ?? "none")).toEqual(["json_object", "none", "none"]);
  });

  it("a token budget stops the run with a clear reason", async () => {
    const r = await run(person(), { pool: pool([real()]), budget: { maxTokens: 10 } });
    expect(r.last).toMatchObject({ type: "run_failed", error: { code: "E_BUDGET_EXCEEDED" } });
    expect(r.last.type === "run_failed" && r.last.error.message).toContain("token budget exceeded: 17 used, limit 10");
  });
});
