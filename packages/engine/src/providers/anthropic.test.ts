/** Anthropic's Messages API (/v1/messages, SSE events) against a loopback stub, through real pipeline runs. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Stub, startAnthropicStub } from "./testing/stubs.js";
import { pipeline, pool, run } from "./testing/harness.js";

let stub: Stub;
const env = { STUB_ANTHROPIC_KEY: "sk-ant-stub-0123456789" };
beforeAll(async () => {
  stub = await startAnthropicStub({ reply: () => 'Here you go: {"title":"Otters","summary":"Playful."}', usage: { input: 40, output: 15 } });
});
afterAll(() => stub.close());
beforeEach(() => {
  stub.requests.length = 0;
});

const claude = (over: Record<string, unknown> = {}) => ({
  name: "claude",
  provider: "anthropic" as const,
  model: "claude-stub",
  baseUrl: stub.url,
  apiKeyEnv: "STUB_ANTHROPIC_KEY",
  timeoutMs: 400,
  retries: 2,
  retryDelayMs: 5,
  pricing: { input: 0.003, output: 0.015 },
  ...over,
});
const article = pipeline([
  { id: "article", config: { backend: "claude", prompt: "Write about {{input.topic}}.", shape: { title: "string", summary: "string" } } },
]);

describe("Anthropic provider", () => {
  it("streams content_block_delta into tokens, takes usage from message_start and message_delta, sends x-api-key", async () => {
    const r = await run(article, { pool: pool([claude()], { env }) });
    expect(r.types).toEqual(["run_started", "node_started", "token", "token", "token", "node_finished", "run_finished"]);
    expect(r.of("node_finished")[0]).toMatchObject({
      output: { title: "Otters", summary: "Playful." },
      usage: { inputTokens: 40, outputTokens: 15, costUsd: 0.000345 },
    });
    const req = stub.requests[0];
    expect(req?.path).toBe("/v1/messages");
    expect(req?.headers["x-api-key"]).toBe(env.STUB_ANTHROPIC_KEY);
    expect(req?.body).toMatchObject({ model: "claude-stub", stream: true, max_tokens: 2048 });
    // No JSON mode here: the instructions go in the system prompt, and the engine extracts the JSON.
    expect(req?.body.system).toContain('{"title":"string","summary":"string"}');
  });

  it("529 overloaded is retried; 401 is not, and names the variable", async () => {
    stub.script({ type: "status", status: 529, message: "Overloaded" });
    const ok = await run(article, { pool: pool([claude()], { env }) });
    expect(ok.of("retry")[0]?.error).toBe("HTTP 529: Overloaded");
    expect(ok.last.type).toBe("run_finished");
    stub.script({ type: "status", status: 401, message: "invalid x-api-key" });
    const denied = await run(article, { pool: pool([claude()], { env }) });
    expect(denied.types).toEqual(["run_started", "node_started", "node_failed", "run_failed"]);
    expect(denied.of("node_failed")[0]?.error.message).toBe('backend "claude" failed: HTTP 401: invalid x-api-key (check the key in STUB_ANTHROPIC_KEY)');
  });

  it("a stream cut after the first delta is retried and the run completes", async () => {
    stub.script({ type: "drop", afterChunks: 1 });
    const r = await run(article, { pool: pool([claude()], { env }) });
    expect(r.of("retry")).toHaveLength(1);
    expect(r.last).toMatchObject({ type: "run_finished", usage: { inputTokens: 40, outputTokens: 15 } });
  });

  it("a missing key variable is a clear, non-retried failure that names the variable", async () => {
    const r = await run(article, { pool: pool([claude()], { env: {} }) });
    expect(r.types).toEqual(["run_started", "node_started", "node_failed", "run_failed"]);
    expect(r.of("node_failed")[0]?.error.message).toContain("the environment variable STUB_ANTHROPIC_KEY (named by apiKeyEnv) is not set");
    expect(stub.requests).toHaveLength(0);
  });
});
