/** The model list as a free connection test: each provider's route, its headers, and whether the configured model is listed. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { egressPolicyFromEnv } from "./egress.js";
import { listModels, modelListed } from "./models.js";
import { type Stub, startAnthropicStub, startOllamaStub, startOpenAiStub } from "./testing/stubs.js";
import { backend } from "./testing/harness.js";

const stubs: Record<string, Stub> = {};
beforeAll(async () => {
  stubs.openai = await startOpenAiStub({ models: ["gpt-stub", "gpt-other"] });
  stubs.anthropic = await startAnthropicStub({ models: ["claude-stub"] });
  stubs.ollama = await startOllamaStub({ models: ["llama3.2:latest", "qwen2.5:7b"] });
});
afterAll(async () => {
  for (const s of Object.values(stubs)) await s.close();
});

const env = { H1_MODELS_KEY: "sk-models-0123456789" };
const cfg = (provider: "openai" | "anthropic" | "ollama", model: string, over: Record<string, unknown> = {}) =>
  backend({
    name: "b",
    provider,
    model,
    baseUrl: provider === "openai" ? `${stubs.openai?.url}/v1` : stubs[provider]?.url,
    apiKeyEnv: "H1_MODELS_KEY",
    ...over,
  });

describe("listModels", () => {
  it("OpenAI-compatible: GET /v1/models with the bearer key", async () => {
    expect(await listModels(cfg("openai", "gpt-stub"), { env })).toEqual({ models: ["gpt-stub", "gpt-other"], listed: true });
    expect(await listModels(cfg("openai", "gpt-5"), { env })).toEqual({ models: ["gpt-stub", "gpt-other"], listed: false });
    const req = stubs.openai?.requests.at(-1);
    expect(req).toMatchObject({ method: "GET", path: "/v1/models" });
    expect(req?.headers.authorization).toBe(`Bearer ${env.H1_MODELS_KEY}`);
  });

  it("Anthropic: GET /v1/models with x-api-key and anthropic-version", async () => {
    expect(await listModels(cfg("anthropic", "claude-stub"), { env })).toEqual({ models: ["claude-stub"], listed: true });
    const req = stubs.anthropic?.requests.at(-1);
    expect(req).toMatchObject({ method: "GET", path: "/v1/models" });
    expect(req?.headers["x-api-key"]).toBe(env.H1_MODELS_KEY);
    expect(req?.headers["anthropic-version"]).toBe("2023-06-01");
    expect(req?.headers.authorization).toBeUndefined();
  });

  it("Ollama: GET /api/tags; a model pulled without a tag matches :latest", async () => {
    expect(await listModels(cfg("ollama", "llama3.2", { apiKeyEnv: undefined }), {})).toEqual({ models: ["llama3.2:latest", "qwen2.5:7b"], listed: true });
    expect(stubs.ollama?.requests.at(-1)).toMatchObject({ method: "GET", path: "/api/tags" });
    expect(modelListed("qwen2.5", ["qwen2.5:7b"])).toBe(false);
  });

  it("no model list route (404) answers undefined, so the caller can fall back to a tiny call", async () => {
    stubs.openai?.script({ type: "status", status: 404, message: "no such route" });
    expect(await listModels(cfg("openai", "gpt-stub"), { env })).toBeUndefined();
  });

  it("401 and 5xx are errors with the server's message and the key hint; the key never shows", async () => {
    stubs.openai?.script({ type: "status", status: 401, message: `bad key ${env.H1_MODELS_KEY}` });
    await expect(listModels(cfg("openai", "gpt-stub"), { env })).rejects.toThrow("HTTP 401: bad key [redacted] (check the key in H1_MODELS_KEY)");
    stubs.openai?.script({ type: "status", status: 503, message: "warming up" });
    await expect(listModels(cfg("openai", "gpt-stub"), { env })).rejects.toMatchObject({ name: "RetryableError", message: "HTTP 503: warming up" });
  });

  it("an answer that is not a model list says what arrived", async () => {
    stubs.openai?.script({ type: "body", body: '{"models":"nope"}' });
    await expect(listModels(cfg("openai", "gpt-stub"), { env })).rejects.toThrow('the backend answered HTTP 200 without data[].id; it sent: {"models":"nope"}');
  });

  it("follows the egress policy and names a missing key variable, without a request", async () => {
    const before = stubs.openai?.requests.length;
    await expect(listModels(cfg("openai", "gpt-stub"), { env: {} })).rejects.toThrow("the environment variable H1_MODELS_KEY (named by apiKeyEnv) is not set");
    await expect(listModels(cfg("openai", "gpt-stub"), { env, egress: egressPolicyFromEnv({}, true) })).rejects.toThrow(/loopback|BRAID_EGRESS_ALLOW/);
    expect(stubs.openai?.requests.length).toBe(before);
  });
});
