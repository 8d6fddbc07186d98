/**
 * What the server refuses in a backend, at load (data/backends.json at start and on reload) and
 * at save (tRPC backends.save) alike: hosts the egress policy refuses, key variables that are not
 * key variables or are Braid's own, literal keys in any spelling; and the provider aliases both
 * file forms accept.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Stub, followInstructions, startOpenAiStub } from "@braid/engine/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, startApp, tempDir } from "./helpers.js";

async function mutate(base: string, path: string, input: unknown, token?: string) {
  const res = await fetch(`${base}/trpc/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(input),
  });
  const body = (await res.json()) as any;
  return { status: res.status, data: body.result?.data, error: body.error as { message: string; data?: { braidCode?: string } } | undefined };
}

describe("backends the egress policy refuses (token mode)", () => {
  const TOKEN = "policy-test-token";
  let ctx: Awaited<ReturnType<typeof startApp>>;
  let stub: Stub;
  let data: ReturnType<typeof tempDir>;
  beforeAll(async () => {
    stub = await startOpenAiStub({ reply: followInstructions });
    process.env.BRAID_EGRESS_ALLOW = `127.0.0.1:${stub.port}`;
    // The backends file is in place before the server starts: the load path, not a reload.
    data = tempDir();
    writeFileSync(
      join(data.dir, "backends.json"),
      JSON.stringify({
        backends: [
          { name: "ok", provider: "openai", model: "m", baseUrl: `http://127.0.0.1:${stub.port}/v1` },
          { name: "metadata", provider: "openai", model: "m", baseUrl: "http://169.254.169.254/v1" },
        ],
      }),
    );
    ctx = await startApp({ BRAID_TOKEN: TOKEN, BRAID_DATA_DIR: data.dir });
  });
  afterAll(async () => {
    delete process.env.BRAID_EGRESS_ALLOW;
    await ctx.stop();
    await stub.close();
    data.cleanup();
  });

  it("at load: a refused backend is listed, unavailable, with the egress reason (not dropped, no crash)", async () => {
    const r = await json(`${ctx.url}/api/backends`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const byName = Object.fromEntries(r.body.backends.map((b: any) => [b.name, b]));
    expect(byName.ok).toMatchObject({ available: true });
    expect(byName.metadata).toMatchObject({ available: false, enabled: true });
    expect(byName.metadata.reason).toMatch(/backend "metadata": egress to 169\.254\.169\.254:80 \(the cloud metadata address\) is not allowed/);
    // Lint and compile read the same availability, so a pipeline naming it is refused before any call.
    expect(ctx.app.services.pool.availability().find((a) => a.name === "metadata")).toMatchObject({ available: false });
  });

  it("at save: refused with E_EGRESS_REFUSED naming the backend and the reason; the file is unchanged", async () => {
    const before = readFileSync(join(data.dir, "backends.json"), "utf8");
    const r = await mutate(ctx.url, "backends.save", { backend: { name: "sneaky", provider: "openai", model: "m", baseUrl: "http://10.0.0.5/v1" } }, TOKEN);
    expect(r.status).toBe(400);
    expect(r.error?.data?.braidCode).toBe("E_EGRESS_REFUSED");
    expect(r.error?.message).toMatch(/^backend "sneaky": egress to 10\.0\.0\.5:80 \(a private address\) is not allowed: this server runs with BRAID_TOKEN/);
    expect(readFileSync(join(data.dir, "backends.json"), "utf8")).toBe(before);
  });
});

describe("key variables and literal keys, at save, at test connection and at reload", () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  let stub: Stub;
  beforeAll(async () => {
    stub = await startOpenAiStub({ reply: followInstructions });
    ctx = await startApp();
  });
  afterAll(async () => {
    await ctx.stop();
    await stub.close();
  });
  const real = (extra: Record<string, unknown> = {}) => ({ name: "gw", provider: "openai", model: "m", baseUrl: `${stub.url}/v1`, retries: 0, ...extra });

  it("refuses apiKeyEnv naming BRAID_TOKEN or a non-key variable, at save and at test connection, and sends nothing", async () => {
    const sent = stub.requests.length;
    for (const name of ["BRAID_TOKEN", "HOME"]) {
      const save = await mutate(ctx.url, "backends.save", { backend: real({ apiKeyEnv: name }) });
      expect({ name, status: save.status, code: save.error?.data?.braidCode }).toEqual({ name, status: 400, code: "E_KEY_ENV_REFUSED" });
      expect(save.error?.message).toContain(`backend "gw": apiKeyEnv: "${name}"`);
      const test = await mutate(ctx.url, "backends.test", { backend: real({ apiKeyEnv: name }) });
      expect(test.status).toBe(400);
      expect(test.error?.data?.braidCode).toBe("E_KEY_ENV_REFUSED");
    }
    expect(stub.requests.length).toBe(sent);
    const ok = await mutate(ctx.url, "backends.save", { backend: real({ name: "gw-ok", apiKeyEnv: "GATEWAY_API_KEY" }) });
    expect(ok.status).toBe(200);
  });

  it("refuses a hand-edited file whose apiKeyEnv is Braid's own on reload; the running configuration stays", async () => {
    const file = join(ctx.dataDir, "backends.json");
    const before = readFileSync(file, "utf8");
    writeFileSync(file, JSON.stringify({ backends: [real({ name: "hand", apiKeyEnv: "BRAID_TOKEN" })] }));
    const r = await mutate(ctx.url, "backends.reload", undefined);
    expect(r.status).toBe(400);
    expect(r.error?.data?.braidCode).toBe("E_KEY_ENV_REFUSED");
    expect(r.error?.message).toContain("the running configuration is unchanged");
    writeFileSync(file, before);
  });

  it("refuses a literal ApiKey (any spelling) at save with the loader's message, and never writes it", async () => {
    for (const field of ["ApiKey", "api_key", "apiKey"]) {
      const r = await mutate(ctx.url, "backends.save", { backend: real({ name: "leaky", [field]: "sk-canary-literal-0123456789" }) });
      expect({ field, status: r.status }).toEqual({ field, status: 400 });
      expect(r.error?.message).toBe('backend "leaky": literal API keys are refused; set "apiKeyEnv" to the name of an environment variable that holds the key');
      expect(readFileSync(join(ctx.dataDir, "backends.json"), "utf8")).not.toContain("sk-canary-literal");
    }
  });

  it('accepts provider "openai-compatible" at save, as the file loader does', async () => {
    const r = await mutate(ctx.url, "backends.save", { backend: real({ name: "compat", provider: "openai-compatible" }) });
    expect(r.status).toBe(200);
    expect(r.data).toMatchObject({ name: "compat", provider: "openai", available: true });
    const test = await mutate(ctx.url, "backends.test", { backend: real({ name: "compat2", provider: "OpenAI-Compatible" }) });
    expect(test.data).toMatchObject({ ok: true, backend: "compat2" });
  });
});
