/**
 * Messages that say what happened: an answer without text says what arrived instead, a cut-off
 * body says so (not "connection failed"), an error body's own message is kept (not `"TypeError"`),
 * and the backend's name appears once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stub, startAnthropicStub, startOllamaStub, startOpenAiStub } from "./testing/stubs.js";
import { pool } from "./testing/harness.js";
import { bodyMessage } from "./errors.js";

let openai: Stub;
let anthropic: Stub;
let ollama: Stub;
beforeAll(async () => {
  openai = await startOpenAiStub();
  anthropic = await startAnthropicStub();
  ollama = await startOllamaStub();
});
afterAll(async () => {
  for (const s of [openai, anthropic, ollama]) await s.close();
});

const cfg = (provider: "openai" | "anthropic" | "ollama", over: Record<string, unknown> = {}) => ({
  name: "x",
  provider,
  model: "m",
  baseUrl: provider === "openai" ? `${openai.url}/v1` : provider === "anthropic" ? anthropic.url : ollama.url,
  timeoutMs: 2000,
  retries: 0,
  circuitBreaker: false,
  ...over,
});
/** One plain (non-streaming) call through the pool; the error message it fails with. */
async function failure(provider: "openai" | "anthropic" | "ollama", over: Record<string, unknown> = {}, streamed = false): Promise<string> {
  const p = pool([cfg(provider, over)]);
  const ctx = { signal: new AbortController().signal, seedKey: "k", random: () => 0, ...(streamed ? { onToken: () => {} } : {}) };
  return p.call("x", { prompt: "hi", task: { type: "generate" } }, ctx).then(
    () => "no error",
    (e: Error) => e.message,
  );
}

describe("a 200 answer that is not what the protocol says", () => {
  it("content in an unexpected place: the message quotes what arrived", async () => {
    openai.script({ type: "body", body: JSON.stringify({ id: "x", object: "text_completion", choices: [{ index: 0, text: "legacy completions field" }] }) });
    const m = await failure("openai");
    expect(m).toContain('backend "x" failed: the backend answered HTTP 200 without choices[0].message.content; it sent: {"id":"x","object":"text_completion"');
    expect(m).toContain("legacy completions field");
    expect(m).not.toContain("empty answer");
  });

  it("an empty body says it was empty", async () => {
    anthropic.script({ type: "body", body: JSON.stringify({ id: "m", type: "message", role: "assistant", content: [] }) });
    expect(await failure("anthropic")).toContain('without a text block in content; it sent: {"id":"m","type":"message","role":"assistant","content":[]}');
  });

  it("a JSON body cut off halfway is 'not valid JSON … cut off' with its first bytes, not 'connection failed'", async () => {
    openai.script({ type: "truncated" });
    const m = await failure("openai");
    expect(m).toMatch(/^backend "x" failed: the answer \(HTTP 200, \d+ bytes\) is not valid JSON; it looks cut off\. It starts: \{"id":"chatcmpl-stub"/);
    expect(m).not.toContain("connection failed");
  });

  it("a cut-off answer is retried (a proxy hiccup), and the retry can succeed", async () => {
    openai.script({ type: "truncated" });
    const p = pool([cfg("openai", { retries: 1, retryDelayMs: 1 })]);
    const r = await p.call("x", { prompt: "hi", task: { type: "generate" } }, { signal: new AbortController().signal, seedKey: "k", random: () => 0 });
    expect(r.text).toBe("Braid stub says hello.");
  });
});

describe("error bodies keep their own message", () => {
  it.each([
    [
      '{"error":"TypeError","message":"Cannot read properties of undefined (reading \'content\')"}',
      "HTTP 500: TypeError: Cannot read properties of undefined (reading 'content')",
    ],
    ['{"detail":"database is down"}', "HTTP 500: database is down"],
    ['{"detail":[{"loc":["body","model"],"msg":"field required"}]}', "HTTP 500: field required"],
    ['{"error":{"message":"upstream timed out","type":"server_error"}}', "HTTP 500: upstream timed out"],
    ["<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>", "HTTP 500: 502 Bad Gateway"],
    ["plain words from a proxy", "HTTP 500: plain words from a proxy"],
  ])("%s", async (body, message) => {
    openai.script({ type: "body", status: 500, body, contentType: body.startsWith("<") ? "text/html" : "application/json" });
    expect(await failure("openai")).toBe(`backend "x" failed: ${message}`);
  });

  it("Ollama's {error} body is kept too", async () => {
    ollama.script({ type: "status", status: 500, message: "model 'm' not found, try pulling it first" });
    expect(await failure("ollama")).toBe("backend \"x\" failed: HTTP 500: model 'm' not found, try pulling it first");
  });

  it("bodyMessage reads the shapes servers use", () => {
    expect(bodyMessage('{"error_description":"token expired"}')).toBe("token expired");
    expect(bodyMessage('{"errors":[{"message":"quota"}]}')).toBe("quota");
    expect(bodyMessage('{"title":"Too Many Requests"}')).toBe("Too Many Requests");
    expect(bodyMessage("")).toBeUndefined();
  });
});

describe("the backend's name, once", () => {
  it("a missing key variable and an answer without text name the backend once", async () => {
    const missing = await failure("openai", { apiKeyEnv: "H1_UNSET_KEY_FOR_TEST" });
    expect(missing).toBe(
      'backend "x" failed: the environment variable H1_UNSET_KEY_FOR_TEST (named by apiKeyEnv) is not set; set it to the API key and restart, or remove apiKeyEnv',
    );
    openai.script({ type: "empty" });
    const empty = await failure("openai", {}, true);
    expect(empty.match(/backend "x"/g)).toHaveLength(1);
  });
});
