import { describe, expect, it } from "vitest";
import { subscription } from "../src/http/sse.js";

/** A tiny publisher: what a batch manager's subscribe looks like. */
function publisher<T>() {
  const listeners = new Set<(item: T) => void>();
  return {
    subscribe: (l: (item: T) => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    publish: (item: T) => {
      for (const l of listeners) l(item);
    },
    get count() {
      return listeners.size;
    },
  };
}

describe("subscription (the SSE helper's listener-to-stream bridge)", () => {
  it("keeps what was published before the first read, in order, and ends after the last item", async () => {
    const p = publisher<number>();
    const sub = subscription(p.subscribe, (n) => n === 3, new AbortController().signal);
    p.publish(1);
    p.publish(2);
    setTimeout(() => p.publish(3), 5);
    const got: number[] = [];
    for await (const n of sub) got.push(n);
    expect(got).toEqual([1, 2, 3]);
    expect(p.count).toBe(0);
  });
  it("ends and unsubscribes when the client goes away, and when closed without a read", async () => {
    const p = publisher<number>();
    const gone = new AbortController();
    const sub = subscription(p.subscribe, () => false, gone.signal);
    setTimeout(() => gone.abort(), 5);
    const got: number[] = [];
    for await (const n of sub) got.push(n);
    expect(got).toEqual([]);
    expect(p.count).toBe(0);

    const unread = subscription(p.subscribe, () => false, new AbortController().signal);
    expect(p.count).toBe(1);
    unread.close();
    expect(p.count).toBe(0);
  });
});
