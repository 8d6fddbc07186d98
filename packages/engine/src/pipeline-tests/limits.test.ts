import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { DEFAULT_RUN_LIMITS, lint, type Pipeline, type RunEvent } from "../index.js";
import { resolveLimits } from "../run/limits.js";
import { defaultRegistry } from "@braid/nodes";
import { gen, ofType, pipeline, run } from "./helpers.js";

const rules = (id: string, branches: Array<{ id: string; when?: string }>, extra: Record<string, unknown> = {}) => ({
  id,
  kind: "route",
  config: { strategy: "rules", branches, default: (branches[branches.length - 1] as { id: string }).id, ...extra },
});

const failure = (last: RunEvent) => (last.type === "run_failed" ? last.error : undefined);
const storedSize = (events: RunEvent[]) => JSON.stringify(events).length;

describe("regular expressions in routes and templates (issue 12, item 13)", () => {
  const hostileRoute = (s: string) => {
    const p = pipeline(
      [rules("r", [{ id: "hit", when: "$contains(input.s, /(.*a){12}$/)" }, { id: "miss" }])],
      [
        ["in", "r"],
        ["r", "out", "hit"],
        ["r", "out", "miss"],
      ],
    );
    return { ...p, input: { example: { s } } } as Pipeline;
  };

  it("a route whose condition is the catastrophic pattern decides at once, and correctly", async () => {
    const miss = await run(hostileRoute(`${"a".repeat(40)}b`));
    const hit = await run(hostileRoute("a".repeat(41)));
    // A safety bound on the route's own time; native RegExp takes minutes here.
    for (const r of [miss, hit]) expect(ofType(r.events, "node_finished").find((e) => e.nodeId === "r")?.durationMs).toBeLessThan(1000);
    expect(ofType(miss.events, "route_decided")[0]?.branch).toBe("miss");
    expect(ofType(hit.events, "route_decided")[0]?.branch).toBe("hit");
    expect(hit.last.type).toBe("run_finished");
  });

  it("lint refuses backreferences and lookaround, naming the node and the field", () => {
    const p = pipeline(
      [rules("r", [{ id: "dup", when: "$contains(input.s, /(a)\\1/)" }, { id: "other" }]), gen("g", { prompt: 'say {{$replace(input.s, /a(?=b)/, "x")}}' })],
      [
        ["in", "r"],
        ["r", "g", "dup"],
        ["r", "g", "other"],
        ["g", "out"],
      ],
    );
    const errors = lint(p, { registry: defaultRegistry }).filter((d) => d.severity === "error");
    expect(errors).toEqual([
      expect.objectContaining({
        code: "E_EXPRESSION",
        nodeId: "r",
        message: expect.stringMatching(/^r\.branches\[0\]\.when: .*not supported.*backreferences/),
      }),
      expect.objectContaining({ code: "E_TEMPLATE_SYNTAX", nodeId: "g", message: expect.stringMatching(/^g\.prompt: .*not supported/) }),
    ]);
  });
});

describe("size limits (issue 12, item 14)", () => {
  it('$pad("x", 1e8) in a route fails the run with E_OUTPUT_TOO_LARGE naming the node, and stores nothing large', async () => {
    const p = pipeline(
      [rules("r", [{ id: "big", when: '$length($pad("x", 1e8)) > 0' }, { id: "small" }])],
      [
        ["in", "r"],
        ["r", "out", "big"],
        ["r", "out", "small"],
      ],
    );
    const t0 = performance.now();
    const { events, last } = await run(p);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(failure(last)).toMatchObject({ code: "E_OUTPUT_TOO_LARGE", nodeId: "r" });
    expect(storedSize(events)).toBeLessThan(10_000);
  });

  it('$pad("x", 1e8) in a template fails the run with the node named', async () => {
    const p = pipeline([], [["in", "out"]], '{{$pad("x", 1e8)}}');
    const { events, last } = await run(p);
    expect(failure(last)).toMatchObject({ code: "E_OUTPUT_TOO_LARGE", nodeId: "out" });
    expect(storedSize(events)).toBeLessThan(10_000);
  });

  it("a node output over the limit fails before node_finished carries it", async () => {
    // 20 strings of 99,999 characters: each step is within limits, the whole output is about 2 MB.
    const p = pipeline([], [["in", "out"]], '{{$map([1..20], function($i){ $pad("", 99999, "x") })}}');
    const { events, last } = await run(p);
    expect(failure(last)).toMatchObject({ code: "E_OUTPUT_TOO_LARGE", nodeId: "out", message: expect.stringContaining("its output is over 1000000") });
    expect(ofType(events, "node_finished").map((e) => e.nodeId)).toEqual(["in"]);
    expect(storedSize(events)).toBeLessThan(10_000);
    // The limit is configurable.
    const roomy = await run(p, { limits: { maxOutputBytes: 3_000_000, maxEventBytes: 4_000_000 } });
    expect(roomy.last.type).toBe("run_finished");
  });

  it("an event over maxEventBytes is refused before it is emitted", async () => {
    const when = `"${"q".repeat(600)}" = "q" or true`;
    const p = pipeline(
      [rules("r", [{ id: "yes", when }, { id: "no" }])],
      [
        ["in", "r"],
        ["r", "out", "yes"],
        ["r", "out", "no"],
      ],
    );
    const { events, last } = await run(p, { limits: { maxEventBytes: 500 } });
    expect(failure(last)).toMatchObject({ code: "E_OUTPUT_TOO_LARGE", nodeId: "r", message: expect.stringContaining("route_decided event") });
    expect(ofType(events, "route_decided")).toEqual([]);
  });
});

describe("step limit and a free event loop (issue 12, item 15)", () => {
  // 21 route nodes in one loop, bounded at 1,000 iterations: 21,000 steps, no I/O at all.
  const routeLoop = (): Pipeline => {
    const nodes = [rules("r0", [{ id: "again" }, { id: "done" }], { default: "again", maxIterations: 1000, exitBranch: "done" })];
    const edges: Array<[string, string, string?]> = [
      ["in", "r0"],
      ["r0", "r1", "again"],
      ["r0", "out", "done"],
    ];
    for (let i = 1; i <= 20; i++) {
      nodes.push(rules(`r${i}`, [{ id: "next" }]));
      edges.push([`r${i}`, i === 20 ? "r0" : `r${i + 1}`, "next"]);
    }
    return pipeline(nodes, edges);
  };

  it("a route-only loop is stopped by the step limit with E_STEP_LIMIT naming the loop's node", async () => {
    const { events, last } = await run(routeLoop(), { limits: { maxSteps: 300 } });
    const error = failure(last);
    expect(error).toMatchObject({ code: "E_STEP_LIMIT", message: expect.stringMatching(/limit of 300 node steps; the loop through "r\d+" had run \d+ times/) });
    expect(error?.nodeId).toMatch(/^r\d+$/);
    expect(ofType(events, "node_finished").length).toBeLessThanOrEqual(300);
  });

  it("limits default to 10,000 steps, 1 MB outputs and 2 MB events, and refuse nonsense values", () => {
    // The loop above needs 21,000 steps, so the default stops it too (not run here: ~1 ms a step).
    expect(resolveLimits(undefined)).toEqual(DEFAULT_RUN_LIMITS);
    expect(DEFAULT_RUN_LIMITS).toEqual({ maxSteps: 10_000, maxOutputBytes: 1_000_000, maxEventBytes: 2_000_000 });
    expect(resolveLimits({ maxSteps: 50 }).maxSteps).toBe(50);
    expect(() => resolveLimits({ maxSteps: 0 })).toThrow(/maxSteps must be a positive integer/);
  });

  it("while the loop runs, timers and a loopback HTTP server are served promptly", async () => {
    const server = createServer((_req, res) => res.end("ok"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      // Both callbacks are queued as the run starts; without yields they would wait for its end.
      // Compiling happens inside run(), before the first step; the clock starts after it.
      const running = run(routeLoop(), { limits: { maxSteps: 600 } });
      const t0 = performance.now();
      const timer = new Promise<number>((resolve) => setTimeout(() => resolve(performance.now() - t0), 0));
      const http = fetch(`http://127.0.0.1:${port}/healthz`)
        .then((r) => r.text())
        .then((body) => ({ body, ms: performance.now() - t0 }));
      const { last } = await running;
      const runMs = performance.now() - t0;
      const timerMs = await timer;
      const answer = await http;
      expect(failure(last)?.code).toBe("E_STEP_LIMIT");
      expect(answer.body).toBe("ok");
      expect(runMs).toBeGreaterThan(250); // the run is long enough for the comparison to mean something
      expect(timerMs).toBeLessThan(100);
      expect(answer.ms).toBeLessThan(250);
    } finally {
      server.close();
    }
  });
});
