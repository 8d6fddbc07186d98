/** Egress policy: normalised host forms, allowlists in token mode, keys only to their own host, redirects. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BackendConfigSchema } from "@braid/core";
import { OPEN_EGRESS, checkEgress, classifyHost, egressPolicyFromEnv } from "./egress.js";
import { OpenAiBackend } from "./openai.js";
import { pipeline, pool, run } from "./testing/harness.js";
import { type Stub, startCanary, startOpenAiStub } from "./testing/stubs.js";

const host = (url: string) => new URL(url).hostname;
const TOKEN_MODE = egressPolicyFromEnv({}, true);

describe("host normalisation and classes", () => {
  it.each([
    ["http://169.254.169.254/latest/meta-data", "metadata"],
    ["http://2852039166/", "metadata"],
    ["http://0xa9fea9fe/", "metadata"],
    ["http://0251.0376.0251.0376/", "metadata"],
    ["http://169.254.43518/", "metadata"],
    ["http://[::ffff:169.254.169.254]/", "metadata"],
    ["http://[::ffff:a9fe:a9fe]/", "metadata"],
    ["http://[fd00:ec2::254]/", "metadata"],
    ["http://metadata.google.internal/", "metadata"],
    ["http://127.0.0.1/", "loopback"],
    ["http://127.1/", "loopback"],
    ["http://2130706433/", "loopback"],
    ["http://0x7f000001/", "loopback"],
    ["http://017700000001/", "loopback"],
    ["http://[::1]/", "loopback"],
    ["http://[0:0:0:0:0:0:0:1]/", "loopback"],
    ["http://[::ffff:127.0.0.1]/", "loopback"],
    ["http://[::ffff:7f00:1]/", "loopback"],
    ["http://localhost:11434/", "loopback"],
    ["http://api.localhost/", "loopback"],
    ["http://0.0.0.0/", "unspecified"],
    ["http://10.1.2.3/", "private"],
    ["http://172.20.0.5/", "private"],
    ["http://192.168.1.10/", "private"],
    ["http://[fd12:3456::1]/", "private"],
    ["http://[fe80::1]/", "link-local"],
    ["http://169.254.10.10/", "link-local"],
    ["http://gpu-box/", "private"],
    ["http://ollama.local/", "private"],
    ["https://api.openai.com/v1", "public"],
    ["http://8.8.8.8/", "public"],
    // Documentation, benchmarking and other special-purpose ranges are not public.
    ["http://192.0.2.1/", "reserved"],
    ["http://198.51.100.7/", "reserved"],
    ["http://203.0.113.9/", "reserved"],
    ["http://198.18.0.1/", "reserved"],
    ["http://240.0.0.1/", "reserved"],
    ["http://255.255.255.255/", "reserved"],
    ["http://224.0.0.1/", "reserved"],
    ["http://100.64.0.1/", "private"],
    ["http://100.100.100.200/", "metadata"],
    ["http://[2001:db8::1]/", "reserved"],
    ["http://[3fff::1]/", "reserved"],
    ["http://[ff02::1]/", "reserved"],
    ["http://[2001:2::1]/", "reserved"],
    ["http://[100::1]/", "reserved"],
    ["http://[fec0::1]/", "private"],
    ["http://[2606:4700:4700::1111]/", "public"],
    // Teredo tunnels (2001::/32) are never public.
    ["http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "reserved"],
    ["http://[2001::1]/", "reserved"],
    // 6to4 (2002::/16) is classified by the IPv4 address it embeds.
    ["http://[2002:c000:201::1]/", "reserved"],
    ["http://[2002:a00:1::1]/", "private"],
    ["http://[2002:7f00:1::]/", "loopback"],
    ["http://[2002:a9fe:a9fe::1]/", "metadata"],
    ["http://[2002:808:808::1]/", "public"],
    // IPv4-mapped, -compatible and NAT64 addresses are their IPv4 address.
    ["http://[::ffff:10.0.0.1]/", "private"],
    ["http://[::ffff:192.0.2.1]/", "reserved"],
    ["http://[::ffff:8.8.8.8]/", "public"],
    ["http://[::10.0.0.1]/", "private"],
    ["http://[64:ff9b::7f00:1]/", "loopback"],
    ["http://[64:ff9b::808:808]/", "public"],
    ["http://[::]/", "unspecified"],
  ])("%s is %s", (url, cls) => {
    expect(classifyHost(host(url))).toBe(cls);
  });
});

describe("checkEgress", () => {
  it("local single-user mode allows what the owner configures, loopback included", () => {
    expect(checkEgress("http://127.0.0.1:11434/v1", OPEN_EGRESS).ok).toBe(true);
    expect(checkEgress("http://localhost:1234/v1", egressPolicyFromEnv({}, false)).ok).toBe(true);
  });

  it("refuses non-http schemes and credentials in the URL in every mode", () => {
    expect(checkEgress("file:///etc/passwd", OPEN_EGRESS)).toMatchObject({ ok: false, reason: expect.stringContaining("only http and https") });
    expect(checkEgress("https://user:sk-123@api.openai.com/v1", OPEN_EGRESS)).toMatchObject({ ok: false, reason: expect.stringContaining("apiKeyEnv") });
    expect(checkEgress("not a url", OPEN_EGRESS).ok).toBe(false);
  });

  it("token mode refuses everything not allowlisted, and says what the address is", () => {
    for (const [url, what] of [
      ["http://169.254.169.254/", "cloud metadata"],
      ["http://2852039166/", "cloud metadata"],
      ["http://[::ffff:169.254.169.254]/", "cloud metadata"],
      ["http://2130706433:11434/", "loopback"],
      ["http://[::1]:11434/", "loopback"],
      ["http://[::ffff:127.0.0.1]:8080/", "loopback"],
      ["http://10.0.0.7/", "private"],
      ["https://api.openai.com/v1", "BRAID_EGRESS_ALLOW"],
    ] as const) {
      const r = checkEgress(url, TOKEN_MODE);
      expect(r.ok, url).toBe(false);
      expect(!r.ok && r.reason, url).toContain(what);
    }
  });

  it("an allowlist entry matches every spelling of its host, and only its port when it names one", () => {
    const policy = egressPolicyFromEnv({ BRAID_EGRESS_ALLOW: "127.0.0.1:11434, api.openai.com, *.example.com, [::1]:8080" }, true);
    expect(policy.allow).toEqual(["127.0.0.1:11434", "api.openai.com", "*.example.com", "[::1]:8080"]);
    expect(checkEgress("http://127.1:11434/v1", policy).ok).toBe(true);
    expect(checkEgress("http://2130706433:11434/v1", policy).ok).toBe(true);
    expect(checkEgress("http://[::ffff:127.0.0.1]:11434/v1", policy).ok).toBe(true);
    expect(checkEgress("http://127.0.0.1:8080/v1", policy).ok).toBe(false);
    expect(checkEgress("https://api.openai.com/v1", policy).ok).toBe(true);
    expect(checkEgress("https://API.OpenAI.com./v1", policy).ok).toBe(true);
    expect(checkEgress("https://llm.example.com/v1", policy).ok).toBe(true);
    expect(checkEgress("https://example.com.evil.net/v1", policy).ok).toBe(false);
    expect(checkEgress("http://[::1]:8080/", policy).ok).toBe(true);
    expect(checkEgress("http://169.254.169.254/", policy).ok).toBe(false);
  });

  it("BRAID_EGRESS_ALLOW also restricts local mode when it is set", () => {
    expect(egressPolicyFromEnv({ BRAID_EGRESS_ALLOW: "api.openai.com" }, false).mode).toBe("allowlist");
    expect(egressPolicyFromEnv({}, false).mode).toBe("open");
  });
});

describe("egress in real calls", () => {
  let stub: Stub;
  beforeAll(async () => {
    stub = await startOpenAiStub({ reply: () => "hello" });
  });
  afterAll(() => stub.close());
  beforeEach(() => {
    stub.requests.length = 0;
  });
  const fact = pipeline([{ id: "fact", config: { backend: "b", prompt: "One fact about {{input.topic}}." } }]);
  const cfg = (baseUrl: string, over: Record<string, unknown> = {}) => ({
    name: "b",
    provider: "openai" as const,
    model: "m",
    baseUrl,
    retries: 2,
    retryDelayMs: 5,
    timeoutMs: 400,
    ...over,
  });

  it("token mode: the metadata address, its decimal form and IPv6 loopback forms are refused before any request", async () => {
    const sent: string[] = [];
    const spy = (async (input: string | URL | Request) => {
      sent.push(String(input));
      throw new Error("must not be called");
    }) as typeof fetch;
    for (const url of [
      "http://169.254.169.254/v1",
      "http://2852039166/v1",
      "http://[::1]:11434/v1",
      "http://[::ffff:127.0.0.1]:11434/v1",
      "http://127.1:11434/v1",
    ]) {
      const r = await run(fact, { pool: pool([cfg(url)], { egress: TOKEN_MODE, fetch: spy }) });
      expect(r.types, url).toEqual(["run_started", "node_started", "node_failed", "run_failed"]);
      expect(r.of("node_failed")[0]?.error.message, url).toMatch(/egress to .* is not allowed/);
    }
    expect(sent).toEqual([]);
  });

  it("token mode: an allowlisted loopback backend works, whichever way its address is written", async () => {
    const policy = egressPolicyFromEnv({ BRAID_EGRESS_ALLOW: `127.0.0.1:${stub.port}` }, true);
    const r = await run(fact, { pool: pool([cfg(`http://127.1:${stub.port}/v1`)], { egress: policy }) });
    expect(r.last.type).toBe("run_finished");
    expect(stub.requests).toHaveLength(1);
  });

  it("a redirect to an internal host is not followed: no retry, a clear error, the key goes nowhere", async () => {
    const canary = await startCanary();
    try {
      const env = { STUB_KEY: "sk-redirect-0123456789" };
      for (const location of ["http://169.254.169.254/latest/meta-data/iam/", `${canary.url}/v1/chat/completions`]) {
        stub.script({ type: "redirect", location });
        const r = await run(fact, { pool: pool([cfg(`${stub.url}/v1`, { apiKeyEnv: "STUB_KEY" })], { env }) });
        expect(r.types).toEqual(["run_started", "node_started", "node_failed", "run_failed"]);
        expect(r.of("node_failed")[0]?.error.message).toContain("redirected to another host");
        expect(r.of("node_failed")[0]?.error.message).toContain("not followed");
      }
      expect(canary.hits).toEqual([]);
      expect(stub.requests.map((q) => q.headers.authorization)).toEqual(["Bearer sk-redirect-0123456789", "Bearer sk-redirect-0123456789"]);
    } finally {
      await canary.close();
    }
  });

  it("a same-origin redirect is followed (307 keeps the method and body)", async () => {
    stub.script({ type: "redirect", location: "/v1/chat/completions" });
    const r = await run(fact, { pool: pool([cfg(`${stub.url}/v1`)]) });
    expect(r.last.type).toBe("run_finished");
    expect(stub.requests.map((q) => [q.method, q.fault])).toEqual([
      ["POST", "redirect"],
      ["POST", "ok"],
    ]);
    expect(stub.requests[1]?.body.messages).toEqual(stub.requests[0]?.body.messages);
  });

  it("without onToken the provider uses a plain (non-streaming) completion", async () => {
    const b = new OpenAiBackend(BackendConfigSchema.parse(cfg(`${stub.url}/v1`)));
    const res = await b.complete({ prompt: "hi", task: { type: "generate" } }, { signal: new AbortController().signal, seedKey: "k" });
    expect(res).toEqual({ text: "hello", usage: { inputTokens: 12, outputTokens: 5, estimated: false }, model: "m" });
    expect(stub.requests[0]?.body.stream).toBe(false);
    stub.script({ type: "empty" });
    await expect(b.complete({ prompt: "hi", task: { type: "generate" } }, { signal: new AbortController().signal, seedKey: "k" })).rejects.toThrow(
      /answered HTTP 200 without choices\[0\]\.message\.content; it sent: \{.*"choices":\[\]/,
    );
  });
});
