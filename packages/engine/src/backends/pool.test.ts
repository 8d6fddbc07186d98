import { describe, expect, it } from "vitest";
import {
  BraidError,
  splitCacheDirective,
  BackendStats,
  type Backend,
  type BackendConfig,
  BackendConfigSchema,
  type CompletionResult,
  RetryableError,
} from "@braid/core";
import { ResponseCache } from "./cache.js";
import { BackendPool } from "./pool.js";

/** A scripted provider: each call takes the next behaviour from the list. */
function scripted(behaviours: Array<"ok" | "retryable" | "fatal" | { retryAfterMs: number }>, calls: string[]) {
  return (cfg: BackendConfig): Backend => ({
    config: cfg,
    simulated: true,
    async complete(): Promise<CompletionResult> {
      calls.push(cfg.name);
      const b = behaviours.shift() ?? "ok";
      if (b === "retryable") throw new RetryableError("HTTP 503", { status: 503 });
      if (b === "fatal") throw new Error("HTTP 400 bad request");
      if (typeof b === "object") throw new RetryableError("HTTP 429", { status: 429, retryAfterMs: b.retryAfterMs });
      return { text: `from ${cfg.name}`, usage: { inputTokens: 1000, outputTokens: 2000 }, model: cfg.model };
    },
  });
}

const cfg = (c: Record<string, unknown>) => BackendConfigSchema.parse({ provider: "simulated", ...c });
const ctx = () => ({ signal: new AbortController().signal, seedKey: "k", random: () => 0.5 });
const req = { prompt: "hi", task: { type: "generate" as const } };

describe("BackendPool", () => {
  it("retries retryable failures, reports each retry, and prices usage", async () => {
    const calls: string[] = [];
    const pool = new BackendPool([cfg({ name: "a", retries: 2, pricing: { input: 0.01, output: 0.02 } })], {
      simulated: scripted(["retryable", "retryable", "ok"], calls),
    });
    const retries: number[] = [];
    const r = await pool.call("a", req, ctx(), { onRetry: (x) => retries.push(x.attempt) });
    expect(r.text).toBe("from a");
    expect(calls).toEqual(["a", "a", "a"]);
    expect(retries).toEqual([1, 2]);
    expect(r.usage.costUsd).toBeCloseTo(0.01 + 0.04);
    expect(pool.stats.snapshot()[0]).toMatchObject({ name: "a", calls: 1, failures: 0 });
  });

  it("does not retry non-retryable errors, and falls back along the chain", async () => {
    const calls: string[] = [];
    const pool = new BackendPool([cfg({ name: "a", fallback: "b" }), cfg({ name: "b" })], { simulated: scripted(["fatal", "ok"], calls) });
    const fallbacks: string[] = [];
    const r = await pool.call("a", req, ctx(), { onFallback: (f) => fallbacks.push(`${f.from}->${f.to}`) });
    expect(calls).toEqual(["a", "b"]);
    expect(fallbacks).toEqual(["a->b"]);
    expect(r.backend).toBe("b");
  });

  it("honours Retry-After", async () => {
    const pool = new BackendPool([cfg({ name: "a", retries: 1 })], { simulated: scripted([{ retryAfterMs: 120 }, "ok"], []) });
    const delays: number[] = [];
    await pool.call("a", req, ctx(), { onRetry: (x) => delays.push(x.delayMs) });
    expect(delays).toEqual([120]);
  });

  it("gives a coded error when everything fails, and never loops on a fallback cycle", async () => {
    const pool = new BackendPool([cfg({ name: "a", fallback: "b", retries: 0 }), cfg({ name: "b", fallback: "a", retries: 0 })], {
      simulated: scripted(["fatal", "fatal", "fatal"], []),
    });
    const err = await pool.call("a", req, ctx()).catch((e) => e);
    expect(err).toBeInstanceOf(BraidError);
    expect(err.code).toBe("E_BACKEND_FAILED");
  });

  it("picks group members by weight and skips disabled ones", () => {
    const pool = new BackendPool(
      [
        cfg({ name: "x", group: "fast", weight: 1 }),
        cfg({ name: "y", group: "fast", weight: 3 }),
        cfg({ name: "z", group: "fast", weight: 100, enabled: false }),
      ],
      { simulated: scripted([], []) },
    );
    expect(pool.resolve("fast", () => 0.1).name).toBe("x");
    expect(pool.resolve("fast", () => 0.5).name).toBe("y");
    expect(pool.names().has("fast")).toBe(true);
  });

  it("explains unavailable providers instead of crashing", async () => {
    const pool = new BackendPool([cfg({ name: "real", provider: "openai" }), cfg({ name: "off", enabled: false })], {});
    expect(pool.availability().map((a) => [a.name, a.available, a.reason])).toEqual([
      ["real", false, 'provider "openai" is not available in this build yet (backend "real")'],
      ["off", false, 'backend "off" is disabled'],
    ]);
    const err = await pool.call("real", req, ctx()).catch((e) => e);
    expect(err.code).toBe("E_BACKEND_UNAVAILABLE");
  });

  it("update() swaps configurations but keeps the stats", async () => {
    const pool = new BackendPool([cfg({ name: "a" })], { simulated: scripted([], []) });
    await pool.call("a", req, ctx());
    pool.update([cfg({ name: "a", model: "other" }), cfg({ name: "b" })]);
    expect(pool.get("a")?.model).toBe("other");
    expect(pool.list().map((c) => c.name)).toEqual(["a", "b"]);
    expect(pool.stats.one("a").calls).toBe(1);
    const r = await pool.call("a", req, ctx());
    expect(r.model).toBe("other");
  });

  it("caches by backend, model, prompt and parameters; a node's cache:false wins; hits cost nothing", async () => {
    const calls: string[] = [];
    const pool = new BackendPool([cfg({ name: "a", cacheTtlMs: 60_000, pricing: { input: 1, output: 1 } })], { simulated: scripted([], calls) });
    const hits: string[] = [];
    const hooks = { onCacheHit: (h: { backend: string }) => hits.push(h.backend) };
    await pool.call("a", req, ctx(), hooks);
    const again = await pool.call("a", req, ctx(), hooks);
    expect(again).toMatchObject({ cached: true, usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 } });
    await pool.call("a", { ...req, temperature: 0.1 }, ctx(), hooks);
    await pool.call("a", { ...req, cache: false }, ctx(), hooks);
    expect(calls).toHaveLength(3);
    expect(hits).toEqual(["a"]);
  });

  it("never caches a JSON answer that fails its shape", async () => {
    const calls: string[] = [];
    const pool = new BackendPool([cfg({ name: "a", cacheTtlMs: 60_000 })], { simulated: scripted([], calls) });
    const jsonReq = { ...req, json: { shape: { x: 0 } } };
    await pool.call("a", jsonReq, ctx());
    await pool.call("a", jsonReq, ctx());
    expect(calls).toHaveLength(2);
  });

  it("reports where a call is waiting when the concurrency limit is reached", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const pool = new BackendPool([cfg({ name: "a", maxConcurrency: 1 })], {
      simulated: (c) => ({
        config: c,
        simulated: true,
        complete: async () => {
          await gate;
          return { text: "ok", usage: { inputTokens: 1, outputTokens: 1 }, model: "m" };
        },
      }),
    });
    const both = Promise.all([pool.call("a", req, ctx()), pool.call("a", req, ctx())]);
    await new Promise((r) => setTimeout(r, 5));
    expect(pool.load("a")).toEqual({ inFlight: 1, queued: 1 });
    release();
    await both;
    expect(pool.load("a")).toEqual({ inFlight: 0, queued: 0 });
  });

  it("a call waiting for a slot is cancelled with its run", async () => {
    const pool = new BackendPool([cfg({ name: "a", maxConcurrency: 1 })], {
      simulated: (c) => ({
        config: c,
        simulated: true,
        complete: (_r, x) =>
          new Promise((_, rej) => x.signal.addEventListener("abort", () => rej(Object.assign(new Error("aborted"), { name: "AbortError" })))),
      }),
    });
    const c1 = new AbortController();
    const c2 = new AbortController();
    const first = pool.call("a", req, { ...ctx(), signal: c1.signal }).catch((e) => e);
    const second = pool.call("a", req, { ...ctx(), signal: c2.signal }).catch((e) => e);
    c2.abort("stop");
    expect((await second).name).toBe("AbortError");
    c1.abort("stop");
    expect((await first).name).toBe("AbortError");
    expect(pool.load("a")).toEqual({ inFlight: 0, queued: 0 });
  });
});

describe("ResponseCache", () => {
  it("expires entries after their TTL and evicts the least recently used", () => {
    let now = 0;
    const c = new ResponseCache(2, () => now);
    const v = { text: "t", usage: { inputTokens: 1, outputTokens: 1 }, model: "m" };
    c.set("a", v, 100);
    c.set("b", v, 100);
    c.get("a");
    c.set("c", v, 100);
    expect([c.get("a"), c.get("b"), c.get("c")].map(Boolean)).toEqual([true, false, true]);
    now = 150;
    expect(c.get("a")).toBeUndefined();
  });

  it("reads the background documents' $cache directive out of a shape", () => {
    expect(splitCacheDirective({ $cache: 10, name: "string" })).toEqual({ shape: { name: "string" }, cache: true });
    expect(splitCacheDirective({ name: "string" })).toEqual({ shape: { name: "string" } });
    expect(splitCacheDirective({ $cache: false, a: 1 })).toEqual({ shape: { a: 1 }, cache: false });
  });
});

describe("BackendStats windows", () => {
  it("gives calls, success rate, percentiles, tokens and cost over 5 minutes, 1 hour or all", () => {
    let now = 0;
    const s = new BackendStats(() => now);
    const usage = { inputTokens: 10, outputTokens: 20, costUsd: 0.5 };
    s.record("a", { ok: true, latencyMs: 100, usage });
    now = 50 * 60_000;
    s.record("a", { ok: false, latencyMs: 300, error: "HTTP 500", retries: 2 });
    now = 65 * 60_000;
    s.record("a", { ok: true, latencyMs: 200, usage });
    s.record("a", { ok: true, latencyMs: 0, cached: true });
    expect(s.one("a", "5m")).toMatchObject({ calls: 1, failures: 0, successRate: 1, p50Ms: 200, inputTokens: 10, costUsd: 0.5, cacheHits: 1, retries: 0 });
    expect(s.one("a", "1h")).toMatchObject({
      calls: 2,
      failures: 1,
      successRate: 0.5,
      p50Ms: 200,
      p95Ms: 300,
      retries: 2,
      lastError: "HTTP 500",
      lastErrorAt: 50 * 60_000,
    });
    expect(s.one("a", "all")).toMatchObject({ calls: 3, failures: 1, inputTokens: 20, outputTokens: 40, costUsd: 1, cacheHits: 1, p50Ms: 200, p95Ms: 300 });
    expect(s.one("never")).toMatchObject({ calls: 0, successRate: 1 });
  });
});
