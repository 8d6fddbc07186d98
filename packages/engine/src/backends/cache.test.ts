import { BackendConfigSchema, type LlmRequest } from "@braid/core";
import { describe, expect, it } from "vitest";
import { DEFAULT_CACHE_TTL_MS, ResponseCache } from "./cache.js";

const v = (text: string) => ({ text, usage: { inputTokens: 1, outputTokens: 1 }, model: "m" });
const texts = (c: ResponseCache, keys: string[]) => keys.map((k) => c.get(k)?.text ?? null);

describe("ResponseCache (lru-cache)", () => {
  it("evicts the least recently used entry when full; a get counts as use", () => {
    const c = new ResponseCache(3);
    c.set("a", v("A"), 60_000);
    c.set("b", v("B"), 60_000);
    c.set("c", v("C"), 60_000);
    expect(c.get("a")?.text).toBe("A"); // a is now the most recently used; b the least
    c.set("d", v("D"), 60_000);
    expect(c.size).toBe(3);
    expect(texts(c, ["a", "b", "c", "d"])).toEqual(["A", null, "C", "D"]);
    // The gets above left a as the least recently used; overwriting c counts as a use as well.
    c.set("c", v("C2"), 60_000);
    c.set("e", v("E"), 60_000);
    expect(texts(c, ["a", "c", "d", "e"])).toEqual([null, "C2", "D", "E"]);
  });

  it("expires each entry after its own TTL, on an injected clock", () => {
    let now = 0;
    const c = new ResponseCache(10, () => now);
    c.set("short", v("S"), 100);
    c.set("long", v("L"), 1_000);
    now = 99;
    expect(texts(c, ["short", "long"])).toEqual(["S", "L"]);
    now = 101;
    expect(texts(c, ["short", "long"])).toEqual([null, "L"]);
    now = 1_001;
    expect(c.get("long")).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it("a get does not extend the TTL", () => {
    let now = 5_000;
    const c = new ResponseCache(10, () => now);
    c.set("k", v("K"), 100);
    now = 5_090;
    expect(c.get("k")?.text).toBe("K");
    now = 5_150;
    expect(c.get("k")).toBeUndefined();
  });

  it("stores nothing for a TTL of 0, and drops one backend's entries or all", () => {
    const cfg = (name: string) => BackendConfigSchema.parse({ name, provider: "simulated", model: "sim" });
    const req: LlmRequest = { prompt: "hi", task: { type: "generate" } };
    const c = new ResponseCache();
    c.set("zero", v("Z"), 0);
    expect(c.size).toBe(0);
    c.set(ResponseCache.key(cfg("a"), req), v("A"), 1_000);
    c.set(ResponseCache.key(cfg("ab"), req), v("AB"), 1_000);
    c.dropBackend("a");
    expect(c.size).toBe(1);
    expect(c.get(ResponseCache.key(cfg("ab"), req))?.text).toBe("AB");
    c.clear();
    expect(c.size).toBe(0);
  });

  it("uses the node's cache flag and the backend's TTL", () => {
    const req: LlmRequest = { prompt: "hi", task: { type: "generate" } };
    const plain = BackendConfigSchema.parse({ name: "a", provider: "simulated", model: "sim" });
    const ttl = BackendConfigSchema.parse({ name: "a", provider: "simulated", model: "sim", cacheTtlMs: 500 });
    expect(ResponseCache.ttlFor(plain, req)).toBe(0);
    expect(ResponseCache.ttlFor(plain, { ...req, cache: true })).toBe(DEFAULT_CACHE_TTL_MS);
    expect(ResponseCache.ttlFor(ttl, req)).toBe(500);
    expect(ResponseCache.ttlFor(ttl, { ...req, cache: false })).toBe(0);
  });
});
