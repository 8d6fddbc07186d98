import { describe, expect, it } from "vitest";
import { BraidError } from "../errors.js";
import { BackendPool } from "./pool.js";
import { type Backend, type BackendConfig, BackendConfigSchema, type CompletionResult, RetryableError } from "./types.js";

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
    const pool = new BackendPool([cfg({ name: "a", retries: 2, pricing: { input: 0.01, output: 0.02 } })], { simulated: scripted(["retryable", "retryable", "ok"], calls) });
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
    const pool = new BackendPool([cfg({ name: "a", fallback: "b", retries: 0 }), cfg({ name: "b", fallback: "a", retries: 0 })], { simulated: scripted(["fatal", "fatal", "fatal"], []) });
    const err = await pool.call("a", req, ctx()).catch((e) => e);
    expect(err).toBeInstanceOf(BraidError);
    expect(err.code).toBe("E_BACKEND_FAILED");
  });

  it("picks group members by weight and skips disabled ones", () => {
    const pool = new BackendPool(
      [cfg({ name: "x", group: "fast", weight: 1 }), cfg({ name: "y", group: "fast", weight: 3 }), cfg({ name: "z", group: "fast", weight: 100, enabled: false })],
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
});
