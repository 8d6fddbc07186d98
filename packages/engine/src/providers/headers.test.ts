/**
 * Per-backend extra request headers: literal values for plain headers, `{ env }` for anything
 * secret (read at call time, never stored), sent on every request of the backend, the model
 * list included, for every provider.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BackendConfigSchema, checkBackendEntry } from "@braid/core";
import { listModels } from "./models.js";
import { type Stub, startAnthropicStub, startOllamaStub, startOpenAiStub } from "./testing/stubs.js";
import { backend, pool } from "./testing/harness.js";

const stubs: Record<string, Stub> = {};
beforeAll(async () => {
  stubs.openai = await startOpenAiStub();
  stubs.anthropic = await startAnthropicStub();
  stubs.ollama = await startOllamaStub();
});
afterAll(async () => {
  for (const s of Object.values(stubs)) await s.close();
});

type Headers = Record<string, string | { env: string }>;
const HEADERS: Headers = { "X-Org": "acme", "X-Gateway-Key": { env: "H1_GATEWAY_KEY" } };
const cfg = (provider: "openai" | "anthropic" | "ollama", headers: Headers = HEADERS) => ({
  name: "gw",
  provider,
  model: "m",
  baseUrl: provider === "openai" ? `${stubs.openai?.url}/v1` : stubs[provider]?.url,
  retries: 0,
  headers,
});

describe("the headers schema", () => {
  it("accepts literal values and { env } references", () => {
    expect(BackendConfigSchema.parse(cfg("openai")).headers).toEqual(HEADERS);
  });

  it.each([
    [{ Authorization: "Bearer sk-abc" }, 'header "Authorization" looks like a credential, so a literal value is refused'],
    [{ "X-Api-Key": "abc" }, 'header "X-Api-Key" looks like a credential'],
    [{ "X-Session-Token": "abc" }, 'header "X-Session-Token" looks like a credential'],
    [{ "X-Client-Secret": "abc" }, 'header "X-Client-Secret" looks like a credential'],
    [{ Host: "evil.example" }, 'header "Host" is set by Braid itself'],
    [{ "X-Org": { env: "BRAID_TOKEN" } }, "Braid's own variables (BRAID_*) are never sent to a backend"],
    [{ "Bad Header": "x" }, '"Bad Header" is not an HTTP header name'],
    [{ "X-Org": "a\r\nX-Injected: 1" }, "must be one line"],
  ])("refuses %j", (headers, message) => {
    const r = BackendConfigSchema.safeParse(cfg("openai", headers));
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message).join("; ")).toContain(message);
  });

  it("the file loader's check names the header, and applies the key-variable rule to its variable", () => {
    const literal = checkBackendEntry(cfg("openai", { Authorization: "Bearer sk-abc" }), "backends[0]");
    expect(literal.diagnostics[0]).toMatchObject({ code: "E_FORMAT", path: "backends[0].headers.Authorization" });
    expect(literal.diagnostics[0]?.message).toContain('header "Authorization"');
    const home = checkBackendEntry(cfg("openai", { "X-Gateway-Key": { env: "HOME" } }), "backends[0]");
    expect(home.diagnostics[0]).toMatchObject({ code: "E_KEY_ENV_REFUSED", path: "backends[0].headers.X-Gateway-Key.env" });
    expect(home.diagnostics[0]?.message).toContain('headers["X-Gateway-Key"].env: "HOME" does not look like a key variable');
  });
});

describe.each(["openai", "anthropic", "ollama"] as const)("%s: extra headers on the wire", (provider) => {
  it("are sent with every request, the value from the environment read at call time", async () => {
    const env: Record<string, string | undefined> = { H1_GATEWAY_KEY: "gw-key-first" };
    const p = pool([cfg(provider)], { env });
    const call = () =>
      p.call("gw", { prompt: "hi", task: { type: "generate" } }, { signal: new AbortController().signal, seedKey: "k", random: () => 0, onToken: () => {} });
    await call();
    env.H1_GATEWAY_KEY = "gw-key-second";
    await call();
    await listModels(backend(cfg(provider)), { env });
    const seen = stubs[provider]?.requests.slice(-3).map((r) => [r.method, r.headers["x-org"], r.headers["x-gateway-key"]]);
    expect(seen).toEqual([
      ["POST", "acme", "gw-key-first"],
      ["POST", "acme", "gw-key-second"],
      ["GET", "acme", "gw-key-second"],
    ]);
  });

  it("a variable that is not set fails the call before it leaves, naming the header and the variable", async () => {
    const before = stubs[provider]?.requests.length;
    const p = pool([cfg(provider)], { env: {} });
    const err = await p
      .call("gw", { prompt: "hi", task: { type: "generate" } }, { signal: new AbortController().signal, seedKey: "k", random: () => 0 })
      .catch((e: Error) => e);
    expect((err as Error).message).toBe(
      'backend "gw" failed: the environment variable H1_GATEWAY_KEY (named by headers["X-Gateway-Key"]) is not set; set it, or remove the header',
    );
    expect(stubs[provider]?.requests.length).toBe(before);
  });
});
