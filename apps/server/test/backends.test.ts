/**
 * Backends through the server: configuration over tRPC (save, remove, enable, test, reload),
 * data/backends.json written atomically through parseBackendsFile, every example run end to end
 * on an OpenAI-compatible loopback stub, the monitor's stats, and the egress policy in token mode.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Stub, followInstructions, startOpenAiStub } from "@braid/engine/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { json, startApp } from "./helpers.js";

async function trpc(base: string, path: string, input?: unknown, opts: { mutation?: boolean; token?: string } = {}) {
  const headers: Record<string, string> = { "content-type": "application/json", ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) };
  const res = opts.mutation
    ? await fetch(`${base}/trpc/${path}`, { method: "POST", headers, ...(input !== undefined ? { body: JSON.stringify(input) } : {}) })
    : await fetch(`${base}/trpc/${path}${input !== undefined ? `?input=${encodeURIComponent(JSON.stringify(input))}` : ""}`, { headers });
  const body = (await res.json()) as any;
  return { status: res.status, data: body.result?.data, error: body.error as { message: string } | undefined };
}
const mutate = (base: string, path: string, input?: unknown, token?: string) => trpc(base, path, input, { mutation: true, ...(token ? { token } : {}) });

describe("backends in local single-user mode", () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  let stub: Stub;
  let file: string;
  const real = () => ({
    name: "stub-openai",
    provider: "openai",
    model: "gpt-stub",
    baseUrl: `${stub.url}/v1`,
    timeoutMs: 2000,
    retries: 2,
    retryDelayMs: 5,
    pricing: { input: 0.5, output: 1.5 },
  });

  beforeAll(async () => {
    stub = await startOpenAiStub({ reply: followInstructions });
    ctx = await startApp();
    file = join(ctx.dataDir, "backends.json");
  });
  afterAll(async () => {
    await ctx.stop();
    await stub.close();
  });
  beforeEach(() => {
    stub.requests.length = 0;
  });

  it("lists the built-in simulated tiers with their source, breaker state and empty stats", async () => {
    const r = await trpc(ctx.url, "backends.list");
    expect(r.status).toBe(200);
    const generator = r.data.find((b: any) => b.name === "generator");
    expect(generator).toMatchObject({
      provider: "simulated",
      simulated: true,
      source: "default",
      breaker: "closed",
      problems: [],
      load: { inFlight: 0, queued: 0 },
      stats: { calls: 0 },
    });
    expect(generator.config).toMatchObject({ name: "generator", model: "sim-fast", timeoutMs: 60000 });
  });

  it("saves a real backend to data/backends.json (atomically, no key inside) and the pool uses it at once", async () => {
    const r = await mutate(ctx.url, "backends.save", { backend: real() });
    expect(r.status).toBe(200);
    expect(r.data).toMatchObject({ name: "stub-openai", provider: "openai", simulated: false, source: "file", baseUrl: `${stub.url}/v1`, problems: [] });
    const saved = JSON.parse(readFileSync(file, "utf8"));
    expect(saved.backends).toEqual([real()]);
    expect(readFileSync(file, "utf8")).not.toMatch(/apiKey"/);
    const rest = await json(`${ctx.url}/api/backends`);
    expect(rest.status).toBe(200);
    expect(rest.body.backends.map((b: any) => b.name)).toContain("stub-openai");
  });

  it("refuses a literal API key with an explanation, and invalid fields by name; the file is unchanged", async () => {
    const before = readFileSync(file, "utf8");
    const key = await mutate(ctx.url, "backends.save", { backend: { ...real(), name: "leaky", apiKey: "sk-literal-123456" } });
    expect(key.status).toBe(400);
    expect(key.error?.message).toContain("literal API keys are refused");
    expect(key.error?.message).toContain("apiKeyEnv");
    expect(key.error?.message).not.toContain("sk-literal-123456");
    const bad = await mutate(ctx.url, "backends.save", { backend: { ...real(), name: "bad", timeoutMs: -5, provider: "gemini" } });
    expect(bad.status).toBe(400);
    expect(bad.error?.message).toMatch(/timeoutMs|provider/);
    expect(readFileSync(file, "utf8")).toBe(before);
  });

  it("runs every example end to end on the OpenAI-compatible backend (X-Braid-Backend), and the monitor shows it", async () => {
    const list = await json(`${ctx.url}/api/pipelines`);
    const ids: string[] = list.body.map((p: any) => p.id);
    expect(ids.length).toBeGreaterThanOrEqual(7);
    for (const id of ids) {
      const r = await json(`${ctx.url}/api/pipelines/${id}/runs?wait=true`, { method: "POST", headers: { "x-braid-backend": "stub-openai" } });
      expect({ id, status: r.body.status, error: r.body.error }).toEqual({ id, status: "completed", error: undefined });
      expect(r.body.usage.inputTokens).toBeGreaterThan(0);
      expect(r.body.usage.costUsd).toBeGreaterThan(0);
    }
    expect(stub.requests.length).toBeGreaterThanOrEqual(ids.length);
    expect(stub.requests.every((q) => q.body.stream === true && q.body.stream_options?.include_usage === true)).toBe(true);
    const stats = await trpc(ctx.url, "backends.stats", { window: "5m" });
    const row = stats.data.backends.find((b: any) => b.name === "stub-openai");
    expect(row).toMatchObject({
      provider: "openai",
      simulated: false,
      breaker: "closed",
      calls: stub.requests.length,
      failures: 0,
      successRate: 1,
      inputTokens: 12 * stub.requests.length,
      outputTokens: 5 * stub.requests.length,
    });
    expect(row.p95Ms).toBeGreaterThanOrEqual(row.p50Ms);
    expect(row.costUsd).toBeCloseTo(stub.requests.length * (0.012 * 0.5 + 0.005 * 1.5), 6);
  });

  it("a failing backend shows in the monitor: failures, last error, breaker; the fallback keeps runs alive", async () => {
    await mutate(ctx.url, "backends.save", {
      backend: { ...real(), name: "flaky", retries: 1, breakerThreshold: 2, breakerHalfOpenMs: 60_000, fallback: "generator" },
    });
    stub.script({ type: "status", status: 503 }, { type: "status", status: 503 });
    const r = await json(`${ctx.url}/api/pipelines/sequential/runs?wait=true`, { method: "POST", headers: { "x-braid-backend": "flaky" } });
    expect(r.body.status).toBe("completed");
    const events = (await ctx.app.services.runs.events(r.body.runId)).map((e) => e.event);
    expect(events.filter((e) => e.type === "retry")).toHaveLength(1);
    expect(events.find((e) => e.type === "breaker")).toMatchObject({ backend: "flaky", from: "closed", to: "open" });
    expect(events.filter((e) => e.type === "fallback").map((e) => (e as any).reason)).toContain("HTTP 503: stub error 503");
    const stats = await trpc(ctx.url, "backends.stats", { window: "1h" });
    const flaky = stats.data.backends.find((b: any) => b.name === "flaky");
    expect(flaky).toMatchObject({ breaker: "open", failures: 1, calls: 1, successRate: 0, lastError: "HTTP 503: stub error 503" });
    expect(stats.data.transitions).toContainEqual(expect.objectContaining({ backend: "flaky", from: "closed", to: "open" }));
    // Saving another backend refreshes the pool without losing anyone's stats.
    await mutate(ctx.url, "backends.save", { backend: { ...real(), name: "another" } });
    const after = await trpc(ctx.url, "backends.stats", { window: "all" });
    expect(after.data.backends.find((b: any) => b.name === "flaky")).toMatchObject({ failures: 1, breaker: "open" });
    expect(after.data.backends.find((b: any) => b.name === "stub-openai").calls).toBeGreaterThan(0);
  });

  it("tests a connection: latency on success, the error otherwise, for saved and unsaved backends", async () => {
    const ok = await mutate(ctx.url, "backends.test", { name: "stub-openai" });
    expect(ok.data).toMatchObject({ ok: true, backend: "stub-openai", model: "gpt-stub", simulated: false });
    expect(ok.data.latencyMs).toBeGreaterThanOrEqual(0);
    // Through the model list, not a paid completion.
    expect(stub.requests.at(-1)).toMatchObject({ method: "GET", path: "/v1/models" });
    const sim = await mutate(ctx.url, "backends.test", { name: "generator" });
    expect(sim.data).toMatchObject({ ok: true, simulated: true });
    const down = await mutate(ctx.url, "backends.test", { backend: { name: "nowhere", provider: "openai", model: "m", baseUrl: "http://127.0.0.1:9/v1" } });
    expect(down.data).toMatchObject({ ok: false, backend: "nowhere", retryable: true });
    expect(down.data.error).toContain("connection failed");
    const noKey = await mutate(ctx.url, "backends.test", { backend: { ...real(), name: "keyless", apiKeyEnv: "STUB_TEST_UNSET_API_KEY" } });
    expect(noKey.data).toMatchObject({ ok: false, retryable: false });
    expect(noKey.data.error).toContain("STUB_TEST_UNSET_API_KEY");
    const list = await trpc(ctx.url, "backends.list");
    expect(list.data.find((b: any) => b.name === "nowhere")).toBeUndefined();
  });

  it("enables and disables backends, built-in tiers included (as an override in the file)", async () => {
    const off = await mutate(ctx.url, "backends.setEnabled", { name: "generator", enabled: false });
    expect(off.data).toMatchObject({ name: "generator", enabled: false, available: false, source: "file (overrides a default)" });
    expect(JSON.parse(readFileSync(file, "utf8")).backends.find((b: any) => b.name === "generator")).toMatchObject({ enabled: false });
    const run = await json(`${ctx.url}/api/pipelines/sequential/runs?wait=true`, { method: "POST" });
    expect(run.status).toBe(400);
    const on = await mutate(ctx.url, "backends.setEnabled", { name: "generator", enabled: true });
    expect(on.data.enabled).toBe(true);
  });

  it("removes backends; a built-in tier cannot be removed, only its override", async () => {
    expect((await mutate(ctx.url, "backends.remove", { name: "another" })).data).toEqual({ removed: "another", restoredDefault: false });
    expect((await mutate(ctx.url, "backends.remove", { name: "generator" })).data).toEqual({ removed: "generator", restoredDefault: true });
    const builtin = await mutate(ctx.url, "backends.remove", { name: "enricher" });
    expect(builtin.status).toBe(400);
    expect(builtin.error?.message).toContain("disable it instead");
    expect((await mutate(ctx.url, "backends.remove", { name: "ghost" })).status).toBe(404);
  });

  it("reloads a hand-edited file, including the background documents' MockLlmApi format, and converts it on the next write", async () => {
    writeFileSync(
      file,
      JSON.stringify({
        MockLlmApi: {
          LlmBackends: [{ Name: "hand", Provider: "ollama", BaseUrl: `${stub.url}/v1/`, ModelName: "llama3", ApiKey: "${STUB_HAND_KEY}", Enabled: true }],
          MaxRetryAttempts: 1,
          TimeoutSeconds: 5,
        },
      }),
    );
    const r = await mutate(ctx.url, "backends.reload");
    expect(r.data.backends).toContain("hand");
    const hand = (await trpc(ctx.url, "backends.list")).data.find((b: any) => b.name === "hand");
    expect(hand).toMatchObject({ provider: "openai", apiKeyEnv: "STUB_HAND_KEY", source: "file", config: { retries: 1, timeoutMs: 5000 } });
    expect(hand.problems).toContain("the environment variable STUB_HAND_KEY (apiKeyEnv) is not set");
    await mutate(ctx.url, "backends.setEnabled", { name: "hand", enabled: false });
    expect(JSON.parse(readFileSync(file, "utf8")).backends[0]).toMatchObject({ name: "hand", enabled: false, apiKeyEnv: "STUB_HAND_KEY" });
    expect(existsSync(`${file}.bak`)).toBe(true);
    writeFileSync(file, JSON.stringify({ backends: [{ name: "oops", provider: "openai", apiKey: "sk-literal" }] }));
    const refused = await mutate(ctx.url, "backends.reload");
    expect(refused.status).toBe(400);
    expect(refused.error?.message).toContain("literal API keys are refused");
    expect((await trpc(ctx.url, "backends.list")).data.some((b: any) => b.name === "hand")).toBe(true);
  });

  it("GET /api/backends takes a window and rejects a bad one", async () => {
    expect((await json(`${ctx.url}/api/backends?window=1h`)).body.window).toBe("1h");
    expect((await json(`${ctx.url}/api/backends?window=2d`)).status).toBe(400);
  });
});

describe("backends in token mode (egress allowlist)", () => {
  const TOKEN = "egress-test-token";
  let ctx: Awaited<ReturnType<typeof startApp>>;
  let stub: Stub;
  beforeAll(async () => {
    stub = await startOpenAiStub({ reply: followInstructions });
    process.env.BRAID_EGRESS_ALLOW = `127.0.0.1:${stub.port}`;
    ctx = await startApp({ BRAID_TOKEN: TOKEN });
  });
  afterAll(async () => {
    delete process.env.BRAID_EGRESS_ALLOW;
    await ctx.stop();
    await stub.close();
  });

  it("refuses base URLs outside BRAID_EGRESS_ALLOW: metadata, its decimal form, IPv6 loopback, other ports", async () => {
    for (const [baseUrl, what] of [
      ["http://169.254.169.254/v1", "cloud metadata"],
      ["http://2852039166/v1", "cloud metadata"],
      ["http://[::ffff:169.254.169.254]/v1", "cloud metadata"],
      ["http://[::1]:11434/v1", "loopback"],
      ["http://127.0.0.1:11434/v1", "loopback"],
      ["https://api.openai.com/v1", "BRAID_EGRESS_ALLOW"],
    ]) {
      const r = await mutate(ctx.url, "backends.save", { backend: { name: "x", provider: "openai", model: "m", baseUrl } }, TOKEN);
      expect({ baseUrl, status: r.status }).toEqual({ baseUrl, status: 400 });
      expect(r.error?.message).toContain(what as string);
    }
  });

  it("allows the allowlisted host, whichever way its address is written, and runs on it", async () => {
    const save = await mutate(
      ctx.url,
      "backends.save",
      { backend: { name: "allowed", provider: "openai", model: "m", baseUrl: `http://127.1:${stub.port}/v1`, retryDelayMs: 5 } },
      TOKEN,
    );
    expect(save.status).toBe(200);
    expect(save.data.problems).toEqual([]);
    const r = await json(`${ctx.url}/api/pipelines/parallel/runs?wait=true`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "x-braid-backend": "allowed" },
    });
    expect(r.body.status).toBe("completed");
  });

  it("a backends file that points at a refused host shows the problem, and calls fail without leaving the machine", async () => {
    writeFileSync(
      join(ctx.dataDir, "backends.json"),
      JSON.stringify({ backends: [{ name: "meta", provider: "openai", model: "m", baseUrl: "http://0xa9fea9fe/v1", retries: 0 }] }),
    );
    expect((await mutate(ctx.url, "backends.reload", undefined, TOKEN)).status).toBe(200);
    const meta = (await trpc(ctx.url, "backends.list", undefined, { token: TOKEN })).data.find((b: any) => b.name === "meta");
    expect(meta.problems[0]).toContain("169.254.169.254:80 (the cloud metadata address) is not allowed");
    const r = await json(`${ctx.url}/api/pipelines/sequential/runs?wait=true`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "x-braid-backend": "meta" },
    });
    expect(r.body.status).toBe("failed");
    expect(r.body.error.message).toContain("cloud metadata");
  });
});
