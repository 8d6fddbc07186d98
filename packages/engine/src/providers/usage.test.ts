/**
 * Usage a server does not report is estimated, never recorded as an exact zero: streaming and
 * plain answers, for every provider, and the estimate counts what was sent (system prompt and
 * JSON instructions included), so a batch against such a server still shows tokens and cost.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LlmRequest, estimateTokens } from "@braid/core";
import { jsonInstruction } from "./messages.js";
import { type Stub, startAnthropicStub, startOllamaStub, startOpenAiStub } from "./testing/stubs.js";
import { pool } from "./testing/harness.js";

const stubs: Record<string, Stub> = {};
beforeAll(async () => {
  stubs.openai = await startOpenAiStub({ reply: () => '{"name":"Ada"}' });
  stubs.anthropic = await startAnthropicStub({ reply: () => '{"name":"Ada"}' });
  stubs.ollama = await startOllamaStub({ reply: () => '{"name":"Ada"}' });
});
afterAll(async () => {
  for (const s of Object.values(stubs)) await s.close();
});

const baseUrl = (provider: string) => (provider === "openai" ? `${stubs[provider]?.url}/v1` : (stubs[provider]?.url as string));
const cfg = (provider: "openai" | "anthropic" | "ollama") => ({
  name: `b-${provider}`,
  provider,
  model: "m",
  baseUrl: baseUrl(provider),
  timeoutMs: 2000,
  retries: 0,
  pricing: { input: 1, output: 2 },
});
const SYSTEM = "You are a careful biographer who writes short, factual entries.";
const req: LlmRequest = { system: SYSTEM, prompt: "Invent a person.", json: { shape: { name: "string", age: 0, city: "string" } }, task: { type: "generate" } };
const signal = () => new AbortController().signal;

describe.each(["openai", "anthropic", "ollama"] as const)("%s: usage the server does not report", (provider) => {
  it.each([
    ["a plain (non-streaming) answer", false],
    ["a streamed answer", true],
  ])("%s is estimated (estimated: true, tokens and cost above zero), counting the system prompt and JSON instructions", async (_what, streamed) => {
    stubs[provider]?.script({ type: "ok", usage: false });
    const p = pool([cfg(provider)]);
    const r = await p.call(`b-${provider}`, req, { signal: signal(), seedKey: "k", random: () => 0, ...(streamed ? { onToken: () => {} } : {}) });
    // ChatOllama streams either way; the other clients make a plain request without onToken.
    if (provider !== "ollama") expect(stubs[provider]?.requests.at(-1)?.body.stream ?? false).toBe(streamed);
    expect(r.usage.estimated).toBe(true);
    // Everything sent: system prompt, the JSON instructions and the prompt, not the prompt alone.
    const sent = `${SYSTEM}\n\n${jsonInstruction(req.json ?? {})}\n${req.prompt}`;
    expect(r.usage.inputTokens).toBe(estimateTokens(sent));
    expect(r.usage.inputTokens).toBeGreaterThan(3 * estimateTokens(req.prompt));
    expect(r.usage.outputTokens).toBe(estimateTokens('{"name":"Ada"}'));
    expect(r.usage.costUsd).toBeGreaterThan(0);
  });

  it("reported usage stays exact", async () => {
    const b = pool([cfg(provider)]);
    const r = await b.call(`b-${provider}`, req, { signal: signal(), seedKey: "k", random: () => 0 });
    expect(r.usage).toMatchObject({ inputTokens: 12, outputTokens: 5, estimated: false });
  });
});
