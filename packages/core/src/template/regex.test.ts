import jsonata from "jsonata";
import { describe, expect, it } from "vitest";
import { BraidError } from "../errors.js";
import { checkExpression, evaluateExpression } from "./expression.js";
import { renderTemplate } from "./template.js";

// 40 × "a" then "b": native RegExp backtracks through every way of splitting it into 12 groups.
const HOSTILE = `${"a".repeat(40)}b`;

describe("regular expressions run on RE2 (linear time)", () => {
  it("the catastrophic pattern from issue 12 answers at once, and correctly", async () => {
    const t0 = performance.now();
    const v = await evaluateExpression("$contains(s, /(.*a){12}$/)", { s: HOSTILE });
    const ms = performance.now() - t0;
    expect(v).toBe(false);
    expect(await evaluateExpression("$contains(s, /(.*a){12}$/)", { s: "a".repeat(41) })).toBe(true);
    expect(ms).toBeLessThan(1000); // a safety bound; native RegExp takes minutes here
  });

  it("gives the same answers as native RegExp in $match, $replace, $split, $contains and ~>", async () => {
    const cases = [
      '$match("abcab", /b(c)?/)',
      '$replace("a1b22c", /[0-9]+/, "#")',
      '$replace("John Smith", /(\\w+)\\s(\\w+)/, "$2, $1")',
      '$split("a, b;c", /[,;] ?/)',
      '$contains("Hello", /hello/i)',
      '$match("a\\nb", /^[a-z]$/m)',
      '$match("a\\nb", /^[a-z]$/)',
      '"xyz" ~> /y/',
      '$match("😀é", /é/)',
      '$match("k1=v1;k2=v2", /(?<key>k[0-9])=(v[0-9])/)',
    ];
    for (const x of cases) {
      const native = await jsonata(x).evaluate({});
      const re2 = await evaluateExpression(x, {});
      expect(JSON.stringify(re2), x).toBe(JSON.stringify(native));
    }
    expect([...((await evaluateExpression('$match("abcab", /b(c)?/)', {})) as unknown[])]).toEqual([
      { match: "bc", index: 1, groups: ["c"] },
      { match: "b", index: 4, groups: [undefined] },
    ]);
    // A pattern that matches the empty string still fails the way JSONata documents (D1004).
    await expect(evaluateExpression('$match("abc", /x*/)', {})).rejects.toThrow(/zero length/);
  });

  it("refuses what RE2 cannot run (backreferences, lookaround) when the expression is compiled", () => {
    expect(checkExpression("$match(s, /(a)\\1/)")).toMatch(/regular expression \/\(a\)\\1\/ is not supported.*backreferences/);
    expect(checkExpression("$contains(s, /a(?=b)/)")).toMatch(/not supported/);
    expect(checkExpression("$contains(s, /(?<!x)a/)")).toMatch(/not supported/);
    expect(checkExpression("$contains(s, /a+b/)")).toBeUndefined();
  });
});

describe("expression limits", () => {
  it("$pad beyond the string limit fails with E_OUTPUT_TOO_LARGE before building the string", async () => {
    const t0 = performance.now();
    const err = await evaluateExpression('$pad("x", 1e8)', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BraidError);
    expect(err).toMatchObject({ code: "E_OUTPUT_TOO_LARGE", message: expect.stringMatching(/100000000 characters.*limit is 1000000/) });
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(await evaluateExpression('$pad("ab", -5, "#")', {})).toBe("###ab");
  });

  it("strings grown step by step (doubling by &) stop at the limit", async () => {
    const doubling = `($s := "${"x".repeat(1000)}"; ${Array.from({ length: 12 }, () => "$s := $s & $s;").join(" ")} $length($s))`;
    await expect(evaluateExpression(doubling, {})).rejects.toMatchObject({ code: "E_OUTPUT_TOO_LARGE" });
  });

  it("a template that repeats a large value fails with the node named", async () => {
    const big = "y".repeat(600_000);
    await expect(renderTemplate("{{s}}{{s}}", { s: big }, "writer")).rejects.toMatchObject({
      code: "E_OUTPUT_TOO_LARGE",
      nodeId: "writer",
      message: expect.stringMatching(/^writer: the rendered template is 1200000 characters/),
    });
  });

  it("the time limit stops a long expression, and the event loop keeps turning meanwhile", async () => {
    let ticks = 0;
    let longestGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
      ticks++;
    }, 1);
    const t0 = performance.now();
    const err = await evaluateExpression("$count($map([1..1000000], function($x){ $x * 2 }))", {}).catch((e: unknown) => e);
    const ms = performance.now() - t0;
    clearInterval(timer);
    expect((err as Error).message).toMatch(/timeout|too long/i);
    expect(ms).toBeLessThan(1000);
    expect(ticks).toBeGreaterThan(5);
    expect(longestGap).toBeLessThan(100);
  });

  it("counts an evaluation's own work, not the wall clock: a thousand short evaluations interleaving all finish", async () => {
    // Each takes a few ms of its own, but interleaved with 999 others its wall time is seconds:
    // a wall-clock limit failed them under load (a busy batch worker), though none loops.
    const runs = Array.from({ length: 1000 }, (_, i) => evaluateExpression("$sum($map([1..300], function($x){ $x * 2 })) + n", { n: i }));
    const values = await Promise.all(runs);
    expect(values).toEqual(Array.from({ length: 1000 }, (_, i) => 90_300 + i));
  });
});
