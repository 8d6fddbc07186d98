import { describe, expect, it } from "vitest";
import { backendRulesFromEnv, checkBackendEntry, checkKeyEnvName, defaultBackendConfigs, parseBackendsFile } from "./config.js";

describe("backends files", () => {
  it("imports the background documents' MockLlmApi JSON as-is", () => {
    const doc = {
      MockLlmApi: {
        LlmBackends: [
          { Name: "generator", Provider: "ollama", BaseUrl: "http://localhost:11434/v1/", ModelName: "gemma3:4b", MaxTokens: 2048, Enabled: true, Weight: 1 },
          { Name: "premium-validator", Provider: "openai", ModelName: "gpt-4", ApiKey: "${OPENAI_API_KEY}", Enabled: false, Weight: 1 },
          { Name: "native", Provider: "ollama", ModelName: "mistral-nemo" },
        ],
        EnableRetryPolicy: true,
        MaxRetryAttempts: 3,
        EnableCircuitBreaker: true,
        TimeoutSeconds: 30,
      },
    };
    const r = parseBackendsFile(doc);
    expect(r.diagnostics).toEqual([]);
    expect(r.backends.map((b) => [b.name, b.provider, b.model])).toEqual([
      ["generator", "openai", "gemma3:4b"],
      ["premium-validator", "openai", "gpt-4"],
      ["native", "ollama", "mistral-nemo"],
    ]);
    expect(r.backends[1]).toMatchObject({ apiKeyEnv: "OPENAI_API_KEY", enabled: false, retries: 3, timeoutMs: 30000, circuitBreaker: true });
    expect(JSON.stringify(r.backends)).not.toContain("${");
  });

  it("refuses literal API keys and names the field", () => {
    const r = parseBackendsFile({ MockLlmApi: { LlmBackends: [{ Name: "v", Provider: "openai", ModelName: "gpt-4", ApiKey: "sk-your-api-key" }] } });
    expect(r.backends).toEqual([]);
    expect(r.diagnostics[0]?.message).toMatch(/literal API key is refused/);
    expect(JSON.stringify(r.diagnostics)).not.toContain("sk-your-api-key");
    const r2 = parseBackendsFile({ backends: [{ name: "x", provider: "openai", apiKey: "sk-canary-0123456789abcdef" }] });
    expect(r2.diagnostics[0]?.path).toBe("backends[0].apiKey");
    expect(JSON.stringify(r2)).not.toContain("sk-canary");
  });

  it("reports bad entries by index and keeps the good ones", () => {
    const r = parseBackendsFile([
      { name: "ok", provider: "simulated" },
      { name: "bad", provider: "telepathy" },
      { name: "ok", provider: "simulated" },
    ]);
    expect(r.backends.map((b) => b.name)).toEqual(["ok"]);
    expect(r.diagnostics.map((d) => d.path)).toEqual(["[1].provider", "[2].name"]);
  });

  it("ships three simulated tiers with a zero-latency profile", () => {
    expect(defaultBackendConfigs().map((b) => [b.name, b.simulation?.latencyMs])).toEqual([
      ["generator", 100],
      ["enricher", 400],
      ["validator", 800],
    ]);
    expect(defaultBackendConfigs("zero").every((b) => b.simulation?.latencyMs === 0)).toBe(true);
  });

  it("accepts the same provider aliases in both file forms", () => {
    for (const alias of ["openai-compatible", "OpenAI-Compatible", "lmstudio", "vllm", "llamacpp", "mock"]) {
      const native = parseBackendsFile({ backends: [{ name: "a", provider: alias, model: "m", baseUrl: "http://127.0.0.1:1234/v1" }] });
      const mock = parseBackendsFile({ MockLlmApi: { LlmBackends: [{ Name: "a", Provider: alias, ModelName: "m", BaseUrl: "http://127.0.0.1:1234/v1" }] } });
      expect({ alias, native: native.diagnostics }).toEqual({ alias, native: [] });
      expect(native.backends[0]?.provider).toBe(mock.backends[0]?.provider);
    }
    expect(parseBackendsFile([{ name: "a", provider: "telepathy" }]).diagnostics[0]?.path).toBe("[0].provider");
  });

  it("allows apiKeyEnv only for key-looking variables, never Braid's own, at load", () => {
    for (const ok of ["OPENAI_API_KEY", "ANTHROPIC_API_KEY", "HF_TOKEN", "MY_APIKEY", "GATEWAY_SECRET", "API_KEY"])
      expect(checkKeyEnvName(ok, "apiKeyEnv")).toBeUndefined();
    expect(checkKeyEnvName("BRAID_TOKEN", "apiKeyEnv")).toMatch(/apiKeyEnv: "BRAID_TOKEN" is one of Braid's own variables/);
    expect(checkKeyEnvName("BRAID_API_KEY", "apiKeyEnv")).toMatch(/Braid's own/);
    expect(checkKeyEnvName("HOME", "apiKeyEnv")).toMatch(/apiKeyEnv: "HOME" does not look like a key variable .*BRAID_KEY_ENV_PATTERN/);
    const r = parseBackendsFile({
      backends: [
        { name: "x", provider: "openai", apiKeyEnv: "BRAID_TOKEN" },
        { name: "y", provider: "openai", apiKeyEnv: "PATH" },
      ],
    });
    expect(r.backends).toEqual([]);
    expect(r.diagnostics.map((d) => [d.code, d.path])).toEqual([
      ["E_KEY_ENV_REFUSED", "backends[0].apiKeyEnv"],
      ["E_KEY_ENV_REFUSED", "backends[1].apiKeyEnv"],
    ]);
    expect(r.diagnostics[0]?.message).toContain('backend "x": apiKeyEnv: "BRAID_TOKEN"');
    const mock = parseBackendsFile({ MockLlmApi: { LlmBackends: [{ Name: "m", Provider: "openai", ApiKey: "${BRAID_TOKEN}" }] } });
    expect(mock.diagnostics[0]?.code).toBe("E_KEY_ENV_REFUSED");
  });

  it("takes the key variable pattern from BRAID_KEY_ENV_PATTERN, but never allows BRAID_*", () => {
    const rules = backendRulesFromEnv({ BRAID_KEY_ENV_PATTERN: "^GATEWAY_" });
    expect(checkKeyEnvName("GATEWAY_CREDENTIAL", "apiKeyEnv", rules)).toBeUndefined();
    expect(checkKeyEnvName("OPENAI_API_KEY", "apiKeyEnv", rules)).toMatch(/does not look like a key variable/);
    expect(checkKeyEnvName("BRAID_TOKEN", "apiKeyEnv", backendRulesFromEnv({ BRAID_KEY_ENV_PATTERN: ".*" }))).toMatch(/Braid's own/);
    expect(() => backendRulesFromEnv({ BRAID_KEY_ENV_PATTERN: "(" })).toThrow(/BRAID_KEY_ENV_PATTERN is not a valid regular expression/);
  });

  it("refuses a literal key in any spelling of the field, with the loader's message", () => {
    for (const field of ["apiKey", "ApiKey", "api_key", "API-KEY", "token"]) {
      const r = checkBackendEntry({ name: "v", provider: "openai", [field]: "sk-canary-0123456789abcdef" }, "backend");
      expect(r.backend).toBeUndefined();
      expect(r.diagnostics[0]).toMatchObject({ path: `backend.${field}`, message: expect.stringMatching(/literal API keys are refused/) });
      expect(JSON.stringify(r)).not.toContain("sk-canary");
    }
  });
});
