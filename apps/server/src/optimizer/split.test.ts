import { describe, expect, it } from "vitest";
import { bucketOf, chooseTag } from "./split.js";

const on = { enabled: true, canaryPercent: 20, hasCandidate: true };

describe("the canary split", () => {
  it("is sticky per split key: the same key always gets the same version, whatever the random draw", () => {
    for (let i = 0; i < 200; i++) {
      const key = `user-${i}`;
      const first = chooseTag({ ...on, splitKey: key, random: () => 0 });
      for (const r of [0.01, 0.5, 0.99]) expect(chooseTag({ ...on, splitKey: key, random: () => r })).toBe(first);
      expect(first).toBe(bucketOf(key) < 20 ? "candidate" : "live");
    }
  });

  it("sends about canaryPercent of keys to the candidate", () => {
    const n = 10_000;
    const canary = Array.from({ length: n }, (_, i) => chooseTag({ ...on, splitKey: `k${i}` })).filter((t) => t === "candidate").length;
    expect(canary / n).toBeGreaterThan(0.18);
    expect(canary / n).toBeLessThan(0.22);
  });

  it("buckets are 0..99 and stable across calls", () => {
    const buckets = Array.from({ length: 1000 }, (_, i) => bucketOf(String(i)));
    expect(Math.min(...buckets)).toBe(0);
    expect(Math.max(...buckets)).toBe(99);
    expect(bucketOf("alice")).toBe(bucketOf("alice"));
  });

  it("without a key, draws per request", () => {
    expect(chooseTag({ ...on, random: () => 0.19 })).toBe("candidate");
    expect(chooseTag({ ...on, random: () => 0.2 })).toBe("live");
  });

  it("sends everything to live when the policy is off, there is no candidate, or the share is 0", () => {
    for (const s of [
      { ...on, enabled: false },
      { ...on, hasCandidate: false },
      { ...on, canaryPercent: 0 },
    ])
      expect(chooseTag({ ...s, random: () => 0 })).toBe("live");
    expect(chooseTag({ ...on, canaryPercent: 100, random: () => 0.999 })).toBe("candidate");
  });
});
