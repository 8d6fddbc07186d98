import { BackendConfigSchema, PROVIDERS } from "@braid/core";
import { describe, expect, it } from "vitest";
import {
  NUMBER_FIELDS,
  PRESETS,
  type FormValues,
  applyPreset,
  buildBackend,
  defaultPreset,
  errorSummary,
  formFromConfig,
  newForm,
  numberPlaceholder,
  serverErrors,
  switchProvider,
} from "./form.js";

const ctx = { existing: ["generator", "enricher", "validator"] };
const form = (patch: Partial<FormValues>, base = newForm("simulated")): FormValues => ({ ...base, ...patch });

describe("buildBackend", () => {
  it("builds a simulated backend with only what differs from the defaults", () => {
    const r = buildBackend(form({ name: "fast-sim", "simulation.latencyMs": "50" }), ctx);
    expect(r.errors).toEqual({});
    expect(r.backend).toEqual({ name: "fast-sim", provider: "simulated", model: "sim-custom", simulation: { latencyMs: 50 } });
    expect(BackendConfigSchema.safeParse(r.backend).success).toBe(true);
  });

  it("builds an OpenAI-compatible backend from a preset", () => {
    const ollama = PRESETS.find((p) => p.id === "ollama-v1")!;
    const r = buildBackend(applyPreset(form({ name: "local" }), ollama), ctx);
    expect(r.backend).toEqual({ name: "local", provider: "openai", model: "llama3.2", baseUrl: "http://127.0.0.1:11434/v1" });
  });

  it("refuses a literal key in apiKeyEnv, explaining why, and sends nothing", () => {
    const r = buildBackend(form({ name: "oa", apiKeyEnv: "sk-proj-abcdefghijklmnopqrstuvwxyz" }, newForm("openai")), ctx);
    expect(r.backend).toBeUndefined();
    expect(r.errors.apiKeyEnv).toMatch(/looks like an OpenAI-style API key/);
    expect(errorSummary(r.errors)[0]).toMatch(/^API key variable \(apiKeyEnv\): /);
  });

  it("asks for the bare name when given $NAME", () => {
    const r = buildBackend(form({ name: "oa", apiKeyEnv: "$" + "{OPENAI_API_KEY}" }, newForm("openai")), ctx);
    expect(r.errors.apiKeyEnv).toMatch(/OPENAI_API_KEY/);
  });

  it("names the field of every problem", () => {
    const r = buildBackend(form({ name: "bad name", temperature: "5", retries: "1.5", "simulation.failureRate": "2", "pricing.input": "-1" }), ctx);
    expect(r.errors).toMatchObject({
      name: expect.stringMatching(/letters, digits/),
      temperature: "must be at most 2",
      retries: "must be a whole number",
      "simulation.failureRate": "must be at most 1",
      "pricing.input": "must be at least 0",
    });
    const summary = errorSummary(r.errors);
    expect(summary).toContain("Temperature (temperature): must be at most 2");
    expect(summary).toContain("Failure rate (simulation.failureRate): must be at most 1");
  });

  it("requires a name, a model for real providers, and a proper URL", () => {
    const r = buildBackend(form({ name: "", model: "", baseUrl: "localhost:11434" }, newForm("ollama")), ctx);
    expect(Object.keys(r.errors).sort()).toEqual(["baseUrl", "model", "name"]);
    expect(buildBackend(form({ name: "x", baseUrl: "http://user:pw@host/v1" }, newForm("openai")), ctx).errors.baseUrl).toMatch(/user name or password/);
  });

  it("refuses a name that is taken, except the backend's own when editing", () => {
    expect(buildBackend(form({ name: "generator" }), ctx).errors.name).toMatch(/already exists/);
    expect(buildBackend(form({ name: "generator" }), { ...ctx, previousName: "generator" }).errors).toEqual({});
  });

  it("refuses a backend that falls back on itself", () => {
    expect(buildBackend(form({ name: "a", fallback: "a" }), ctx).errors.fallback).toMatch(/itself/);
  });

  it("keeps simulation settings out of real backends", () => {
    const r = buildBackend(form({ name: "oa", "simulation.latencyMs": "50" }, newForm("openai")), ctx);
    expect(r.backend).not.toHaveProperty("simulation");
    expect(r.backend).toMatchObject({ apiKeyEnv: "OPENAI_API_KEY", pricing: { input: 0.00015, output: 0.0006 } });
  });
});

describe("formFromConfig", () => {
  const configs = [
    {
      name: "generator",
      provider: "simulated",
      model: "sim-fast",
      pricing: { input: 0.00015, output: 0.0006 },
      simulation: { latencyMs: 100, defectRate: 0.35, streamChunks: 3 },
    },
    {
      name: "openai-premium",
      provider: "openai",
      model: "gpt-4o",
      baseUrl: "https://api.openai.com/v1/",
      apiKeyEnv: "OPENAI_API_KEY",
      enabled: false,
      fallback: "validator",
      pricing: { input: 0.0025, output: 0.01 },
      retries: 4,
      circuitBreaker: false,
      maxConcurrency: 3,
      group: "premium",
      weight: 2,
    },
    { name: "claude", provider: "anthropic", model: "claude-sonnet-4-5", apiKeyEnv: "ANTHROPIC_API_KEY", temperature: 0, cacheTtlMs: 60000 },
  ];
  it.each(configs)("round-trips $name through the form unchanged", (raw) => {
    const cfg = BackendConfigSchema.parse(raw);
    const r = buildBackend(formFromConfig(cfg), { existing: [cfg.name], previousName: cfg.name });
    expect(r.errors).toEqual({});
    expect(BackendConfigSchema.parse(r.backend)).toEqual(cfg);
  });
  it("leaves defaults empty so that the file stays as short as it was", () => {
    const f = formFromConfig(BackendConfigSchema.parse({ name: "s", provider: "simulated" }));
    expect(f.maxTokens).toBe("");
    expect(f.temperature).toBe("");
    expect(f.model).toBe("");
    expect(numberPlaceholder("maxTokens")).toBe("2048");
    expect(numberPlaceholder("temperature")).toBe("0.7");
  });
});

describe("switchProvider", () => {
  it("replaces untouched defaults and keeps what was typed", () => {
    const oa = newForm("openai");
    const an = switchProvider(oa, "anthropic");
    expect(an).toMatchObject({ provider: "anthropic", baseUrl: "https://api.anthropic.com", model: "claude-sonnet-4-5", apiKeyEnv: "ANTHROPIC_API_KEY" });
    const typed = switchProvider({ ...oa, model: "my-model", apiKeyEnv: "MY_KEY" }, "ollama");
    expect(typed).toMatchObject({ provider: "ollama", baseUrl: "http://127.0.0.1:11434", model: "my-model", apiKeyEnv: "MY_KEY" });
  });
  it("has a default preset for every provider", () => {
    for (const p of PROVIDERS) expect(defaultPreset(p).provider).toBe(p);
  });
});

describe("number field bounds", () => {
  // The form's hints must agree with the engine's schema, which has the last word.
  const base = { name: "b", provider: "simulated" };
  const withValue = (key: string, v: number) => {
    const [a, b] = key.split(".") as [string, string | undefined];
    return b ? { ...base, [a]: { [b]: v } } : { ...base, [a]: v };
  };
  it.each(Object.values(NUMBER_FIELDS))("$key", (f) => {
    expect.hasAssertions(); // a field with no min, max or int would otherwise check nothing
    if (f.min !== undefined) {
      expect(BackendConfigSchema.safeParse(withValue(f.key, f.min)).success).toBe(true);
      expect(BackendConfigSchema.safeParse(withValue(f.key, f.min - 1)).success).toBe(false);
    }
    if (f.max !== undefined) {
      expect(BackendConfigSchema.safeParse(withValue(f.key, f.max)).success).toBe(true);
      expect(BackendConfigSchema.safeParse(withValue(f.key, f.max + 1)).success).toBe(false);
    }
    if (f.int) expect(BackendConfigSchema.safeParse(withValue(f.key, (f.min ?? 0) + 1.5)).success).toBe(false);
  });
});

describe("serverErrors", () => {
  it("reads tRPC's zod issues into field messages", () => {
    const message = JSON.stringify([
      { code: "custom", path: ["backend", "apiKeyEnv"], message: "must be an environment variable name, such as OPENAI_API_KEY" },
      { code: "custom", path: ["backend", "simulation", "latencyMs"], message: "Too big" },
    ]);
    expect(serverErrors(message)).toEqual({ apiKeyEnv: "must be an environment variable name, such as OPENAI_API_KEY", "simulation.latencyMs": "Too big" });
  });
  it("keeps other refusals whole, and a taken name on the name field", () => {
    expect(serverErrors('backend "x": host 10.0.0.1 is not in BRAID_EGRESS_ALLOW')).toEqual({
      form: 'backend "x": host 10.0.0.1 is not in BRAID_EGRESS_ALLOW',
    });
    expect(serverErrors('a backend named "fast" already exists')).toEqual({ name: 'a backend named "fast" already exists' });
  });
});
