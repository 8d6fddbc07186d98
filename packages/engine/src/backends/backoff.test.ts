/**
 * Retry waits: exponential backoff with full jitter up to a ceiling, and the server's own hints
 * (Retry-After in seconds or as a date, retry-after-ms, OpenAI's x-ratelimit-reset-* durations)
 * honoured within that ceiling. The delay function takes its random numbers from the caller.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BackendConfigSchema } from "@braid/core";
import { parseDuration, retryAfter } from "../providers/errors.js";
import { type Stub, startOpenAiStub } from "../providers/testing/stubs.js";
import { pipeline, pool, run } from "../providers/testing/harness.js";
import { DEFAULT_RETRY_MAX_MS, retryDelay, retryTiming } from "./backoff.js";

const real = BackendConfigSchema.parse({ name: "r", provider: "openai", model: "m" });

describe("retryDelay", () => {
  it("defaults for a real backend: a random wait up to 1 s, 2 s, 4 s…, so retries are not spent within half a second", () => {
    const timing = retryTiming(real, false);
    expect(timing).toEqual({ baseMs: 1000, maxMs: DEFAULT_RETRY_MAX_MS });
    const high = () => 0.999;
    expect([1, 2, 3, 4].map((n) => retryDelay(n, timing, high))).toEqual([999, 1998, 3996, 7992]);
    // Full jitter: the same attempt spreads over [0, window).
    expect([0, 0.25, 0.5].map((r) => retryDelay(2, timing, () => r))).toEqual([0, 500, 1000]);
    // With the median draw, two default retries wait 1.5 s together, where the old backoff spent about 340 ms.
    expect(retryDelay(1, timing, () => 0.5) + retryDelay(2, timing, () => 0.5)).toBe(1500);
  });

  it("never waits longer than the ceiling, the server's hint included", () => {
    const timing = retryTiming({ ...real, retryDelayMs: 10, retryMaxDelayMs: 50 }, false);
    expect([1, 2, 3, 4, 10].map((n) => retryDelay(n, timing, () => 0.999))).toEqual([10, 20, 40, 50, 50]);
    expect(retryDelay(1, timing, () => 0.5, 30)).toBe(30);
    expect(retryDelay(1, timing, () => 0.5, 5000)).toBe(50);
  });

  it("the simulated provider starts small", () => {
    expect(retryTiming({ ...real, provider: "simulated" }, true).baseMs).toBe(20);
  });
});

describe("server wait hints", () => {
  const h = (o: Record<string, string>) => new Headers(o);

  it("Retry-After in seconds or as an HTTP date, and retry-after-ms", () => {
    expect(retryAfter(h({ "retry-after": "7" }))).toBe(7000);
    expect(retryAfter(h({ "retry-after": "1.5" }))).toBe(1500);
    const now = Date.parse("Wed, 02 Dec 2026 10:00:00 GMT");
    expect(retryAfter(h({ "retry-after": "Wed, 02 Dec 2026 10:00:30 GMT" }), 429, now)).toBe(30_000);
    expect(retryAfter(h({ "retry-after": "Wed, 02 Dec 2026 09:59:00 GMT" }), 429, now)).toBe(0);
    expect(retryAfter(h({ "retry-after-ms": "250", "retry-after": "9" }))).toBe(250);
    expect(retryAfter(h({ "retry-after": "soon" }))).toBeUndefined();
  });

  it("OpenAI's x-ratelimit-reset-* on a 429: the limit that is used up, else the longer", () => {
    const headers = {
      "x-ratelimit-reset-requests": "6m0s",
      "x-ratelimit-reset-tokens": "20ms",
      "x-ratelimit-remaining-requests": "12",
      "x-ratelimit-remaining-tokens": "0",
    };
    expect(retryAfter(h(headers), 429)).toBe(20);
    expect(retryAfter(h({ ...headers, "x-ratelimit-remaining-tokens": "5" }), 429)).toBe(360_000);
    expect(retryAfter(h({ "x-ratelimit-reset-requests": "1s" }), 429)).toBe(1000);
    // They describe rate limits, not a 5xx.
    expect(retryAfter(h(headers), 503)).toBeUndefined();
    // Retry-After wins when both are there.
    expect(retryAfter(h({ ...headers, "retry-after": "2" }), 429)).toBe(2000);
  });

  it("parses Go-style durations", () => {
    expect(["1s", "6m0s", "20ms", "1m30.5s", "2h0m0s", "0.5", "1h2m3s4ms"].map(parseDuration)).toEqual([1000, 360_000, 20, 90_500, 7_200_000, 500, 3_723_004]);
    expect(["", "soon", "5 minutes", undefined].map(parseDuration)).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe("retries against a server", () => {
  let stub: Stub;
  beforeAll(async () => {
    stub = await startOpenAiStub({ reply: () => '{"name":"Ada"}' });
  });
  afterAll(() => stub.close());
  const p = pipeline([{ id: "n", config: { backend: "real", prompt: "hi", shape: { name: "string" } } }]);
  const cfg = (over: Record<string, unknown>) => ({ name: "real", provider: "openai" as const, model: "m", baseUrl: `${stub.url}/v1`, retries: 2, ...over });

  it("a 429 with x-ratelimit-reset-requests waits what it says", async () => {
    stub.script({ type: "status", status: 429, headers: { "x-ratelimit-reset-requests": "40ms", "x-ratelimit-remaining-requests": "0" } });
    const r = await run(p, { pool: pool([cfg({})]) });
    expect(r.of("retry").map((e) => e.delayMs)).toEqual([40]);
    expect(r.last.type).toBe("run_finished");
  });

  it("a Retry-After beyond the configured ceiling waits the ceiling", async () => {
    stub.script({ type: "status", status: 429, retryAfter: "30" });
    const t0 = Date.now();
    const r = await run(p, { pool: pool([cfg({ retryMaxDelayMs: 25 })]) });
    expect(r.of("retry").map((e) => e.delayMs)).toEqual([25]);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it("without a hint, the waits stay within base × 2^(n-1)", async () => {
    stub.script({ type: "status", status: 500 }, { type: "status", status: 500 });
    const r = await run(p, { pool: pool([cfg({ retryDelayMs: 8 })]) });
    const delays = r.of("retry").map((e) => e.delayMs);
    expect(delays).toHaveLength(2);
    expect(delays[0]).toBeLessThanOrEqual(8);
    expect(delays[1]).toBeLessThanOrEqual(16);
  });
});
