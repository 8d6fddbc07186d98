import { describe, expect, it } from "vitest";
import { defaultBackendConfigs, parseBackendsFile } from "./config.js";

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
});
