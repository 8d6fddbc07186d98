import { BraidError, PipelineInvalidError, type ReuseMap, createPool, startRun } from "../index.js";
import { describe, expect, it } from "vitest";
import { defaultRegistry } from "@braid/nodes";
import { exampleNames, gen, loadExample, ofType, pipeline, run, zeroPool } from "./helpers.js";

describe("running the examples", () => {
  it.each(exampleNames())("%s runs to completion offline", async (name) => {
    const { events, last } = await run(loadExample(name));
    expect(last.type).toBe("run_finished");
    expect(events[0]?.type).toBe("run_started");
    // Every started span finishes exactly once.
    const started = ofType(events, "node_started").map((e) => e.span);
    const finished = ofType(events, "node_finished").map((e) => e.span);
    expect(new Set(started).size).toBe(started.length);
    expect(finished.sort()).toEqual(started.sort());
  });

  it("sequential: each stage sees what came before, and the output combines all three", async () => {
    const { events, last } = await run(loadExample("sequential"));
    const enrichStart = ofType(events, "node_started").find((e) => e.nodeId === "enrich");
    const basic = ofType(events, "node_finished").find((e) => e.nodeId === "basic")?.output as { name: string };
    expect(enrichStart?.prompt).toContain(basic.name);
    expect(last.type === "run_finished" && last.output).toMatchObject({
      name: expect.any(String),
      email: expect.stringContaining("@"),
      demographics: expect.any(Object),
      account: expect.any(Object),
    });
  });

  it("parallel: wall time is close to the slowest branch, not the sum", async () => {
    // generator 100 ms ‖ enricher 400 ms ‖ enricher 400 ms: the sum is 900 ms, the slowest branch 400 ms.
    const { last } = await run(loadExample("parallel"), { pool: createPool({ latency: "realistic" }) });
    expect(last.type).toBe("run_finished");
    const ms = (last as { durationMs: number }).durationMs;
    expect(ms).toBeGreaterThanOrEqual(400);
    expect(ms).toBeLessThan(700);
    expect(last.type === "run_finished" && last.output).toMatchObject({ name: expect.any(String), price: expect.any(Number), stock: expect.any(Number) });
  });

  it("the same seed gives byte-identical output; another seed differs", async () => {
    const p = loadExample("validation-loop");
    const a = await run(p, { seed: 42 });
    const b = await run(p, { seed: 42 });
    const c = await run(p, { seed: 43 });
    const out = (r: typeof a) => JSON.stringify(r.last.type === "run_finished" ? r.last.output : null);
    expect(out(a)).toBe(out(b));
    expect(out(a)).not.toBe(out(c));
    expect(a.events.map((e) => e.type)).toEqual(b.events.map((e) => e.type));
  });
});

describe("validation loops", () => {
  const loop = (schema: Record<string, unknown>, maxAttempts = 3) =>
    pipeline(
      [
        gen("draft", { shape: { name: "string", price: 0.0 } }),
        { id: "check", kind: "critique", config: { target: "draft", schema, maxAttempts } },
        gen("fix", { backend: "enricher", revises: "draft", prompt: "fix {{draft}}: {{check.issues}}", shape: { name: "string", price: 0.0 } }),
        gen("best", { backend: "validator", revises: "draft", prompt: "best effort {{draft}}", shape: { name: "string", price: 0.0 } }),
      ],
      [
        ["in", "draft"],
        ["draft", "check"],
        ["check", "out", "pass"],
        ["check", "fix", "fail"],
        ["fix", "check"],
        ["check", "best", "exhausted"],
        ["best", "out"],
      ],
      "{{draft}}",
    );

  it("stops at maxAttempts and takes exhausted", async () => {
    const { events, last } = await run(loop({ type: "object", required: ["impossible"] }, 3));
    const iterations = ofType(events, "loop_iteration");
    expect(iterations.map((e) => [e.attempt, e.branch])).toEqual([
      [1, "fail"],
      [2, "fail"],
      [3, "exhausted"],
    ]);
    expect(ofType(events, "node_finished").filter((e) => e.nodeId === "fix")).toHaveLength(2);
    expect(ofType(events, "node_finished").filter((e) => e.nodeId === "best")).toHaveLength(1);
    expect(last.type).toBe("run_finished");
  });

  it("fails and then passes when the corrector fixes what the critic found", async () => {
    const pool = zeroPool([{ name: "generator", provider: "simulated", simulation: { defectRate: 1 } }]);
    const p = loadExample("validation-loop");
    const { events, last } = await run(p, { pool });
    const iterations = ofType(events, "loop_iteration");
    expect(iterations[0]?.branch).toBe("fail");
    expect(iterations.at(-1)?.branch).toBe("pass");
    const check1 = ofType(events, "node_finished").find((e) => e.nodeId === "check")?.output as { issues: string[] };
    expect(check1.issues.length).toBeGreaterThan(0);
    const fixStart = ofType(events, "node_started").find((e) => e.nodeId === "fix");
    expect(fixStart?.prompt).toContain(JSON.stringify(check1.issues));
    expect(last.type).toBe("run_finished");
  });
});

describe("routes", () => {
  it("routes by complexity and records why", async () => {
    const p = loadExample("smart-routing");
    const complex = await run(p);
    const decided = ofType(complex.events, "route_decided")[0];
    expect(decided).toMatchObject({ nodeId: "route", branch: "quality" });
    expect(decided?.reason).toMatch(/complexity 6\.2 ≤ 7 \(fields 1, depth 3, arrays yes, rules 1\)/);
    const simple = await run(p, { input: { shape: { name: "string" } } });
    expect(ofType(simple.events, "route_decided")[0]?.branch).toBe("fast");
    expect(ofType(simple.events, "node_started").map((e) => e.nodeId)).not.toContain("quality");
  });

  const rules = pipeline(
    [
      {
        id: "r",
        kind: "route",
        config: {
          strategy: "rules",
          branches: [{ id: "vip", when: 'input.tier = "premium"' }, { id: "bulk", when: "$count(input.items) > 3" }, { id: "plain" }],
          default: "plain",
        },
      },
      gen("vip"),
      gen("bulk"),
      gen("plain"),
    ],
    [
      ["in", "r"],
      ["r", "vip", "vip"],
      ["r", "bulk", "bulk"],
      ["r", "plain", "plain"],
      ["vip", "out"],
      ["bulk", "out"],
      ["plain", "out"],
    ],
  );

  it("tries rules in order and falls back to the default", async () => {
    const branch = async (input: unknown) => ofType((await run(rules, { input })).events, "route_decided")[0];
    expect(await branch({ tier: "premium", items: [1, 2, 3, 4] })).toMatchObject({ branch: "vip", reason: expect.stringContaining('input.tier = "premium"') });
    expect(await branch({ items: [1, 2, 3, 4] })).toMatchObject({ branch: "bulk" });
    expect(await branch({})).toMatchObject({ branch: "plain", reason: "no rule matched; took the default" });
  });

  it("weighted routing is seeded", async () => {
    const p = pipeline(
      [
        {
          id: "r",
          kind: "route",
          config: {
            strategy: "weighted",
            branches: [
              { id: "a", weight: 1 },
              { id: "b", weight: 1 },
            ],
            default: "a",
          },
        },
        gen("a"),
        gen("b"),
      ],
      [
        ["in", "r"],
        ["r", "a", "a"],
        ["r", "b", "b"],
        ["a", "out"],
        ["b", "out"],
      ],
    );
    const pick = async (seed: number) => ofType((await run(p, { seed })).events, "route_decided")[0]?.branch;
    const picks = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map(pick));
    expect(new Set(picks)).toEqual(new Set(["a", "b"]));
    expect(await pick(3)).toBe(picks[2]);
  });

  it("a classifier route asks the backend and takes its label", async () => {
    const p = pipeline(
      [
        {
          id: "r",
          kind: "route",
          config: { strategy: "classifier", backend: "generator", branches: [{ id: "simple" }, { id: "complex" }], default: "simple" },
        },
        gen("simple"),
        gen("complex"),
      ],
      [
        ["in", "r"],
        ["r", "simple", "simple"],
        ["r", "complex", "complex"],
        ["simple", "out"],
        ["complex", "out"],
      ],
    );
    const { events, last } = await run(p);
    expect(last.type).toBe("run_finished");
    expect(ofType(events, "route_decided")[0]?.reason).toMatch(/^classifier: /);
  });

  it("a route loop with maxIterations ends at its bound", async () => {
    const p = pipeline(
      [
        gen("a"),
        {
          id: "r",
          kind: "route",
          config: { strategy: "rules", branches: [{ id: "again", when: "true" }, { id: "done" }], default: "done", maxIterations: 4, exitBranch: "done" },
        },
      ],
      [
        ["in", "a"],
        ["a", "r"],
        ["r", "a", "again"],
        ["r", "out", "done"],
      ],
    );
    const { events, last } = await run(p);
    expect(ofType(events, "route_decided").map((e) => e.branch)).toEqual(["again", "again", "again", "again", "done"]);
    expect(last.type).toBe("run_finished");
  });
});

describe("merges", () => {
  it("vote picks the highest critique score (consensus example)", async () => {
    const { events, last } = await run(loadExample("consensus"));
    const scores = ofType(events, "loop_iteration").map((e) => ({ node: e.nodeId, score: e.metrics?.score ?? Number.NaN }));
    expect(scores).toHaveLength(3);
    const best = scores.reduce((a, b) => (b.score > a.score ? b : a));
    const target = { judgeA: "a", judgeB: "b", judgeC: "c" }[best.node] as string;
    const winner = ofType(events, "node_finished").find((e) => e.nodeId === target)?.output;
    expect(last.type === "run_finished" && last.output).toEqual(winner);
  });

  it("concat, keyed object and majority vote", async () => {
    const fan = (config: Record<string, unknown>) =>
      pipeline(
        [gen("x"), gen("y"), { id: "m", kind: "merge", config }],
        [
          ["in", "x"],
          ["in", "y"],
          ["x", "m"],
          ["y", "m"],
          ["m", "out"],
        ],
        "{{m}}",
      );
    const out = async (config: Record<string, unknown>) => {
      const r = await run(fan(config));
      return r.last.type === "run_finished" ? r.last.output : r.last;
    };
    expect(await out({ strategy: "concat" })).toMatch(/\n\n/);
    expect(Object.keys((await out({ strategy: "object", keyed: true })) as object)).toEqual(["x", "y"]);
    expect(typeof (await out({ strategy: "vote", vote: "majority" }))).toBe("string");
  });
});

describe("failures, cancellation and budgets", () => {
  it("a failing backend retries, then fails the run with a coded error naming the node", async () => {
    const pool = zeroPool([{ name: "generator", provider: "simulated", retries: 2, simulation: { failureRate: 1 } }]);
    const { events, last } = await run(
      pipeline(
        [gen("g")],
        [
          ["in", "g"],
          ["g", "out"],
        ],
      ),
      { pool },
    );
    expect(ofType(events, "retry")).toHaveLength(2);
    expect(ofType(events, "node_failed")[0]).toMatchObject({ nodeId: "g", error: { code: "E_BACKEND_FAILED" } });
    expect(last).toMatchObject({ type: "run_failed", error: { code: "E_BACKEND_FAILED", nodeId: "g" } });
  });

  it("falls back to another backend and says so", async () => {
    const pool = zeroPool([{ name: "generator", provider: "simulated", retries: 0, fallback: "enricher", simulation: { failureRate: 1 } }]);
    const { events, last } = await run(
      pipeline(
        [gen("g")],
        [
          ["in", "g"],
          ["g", "out"],
        ],
      ),
      { pool },
    );
    expect(ofType(events, "fallback")[0]).toMatchObject({ nodeId: "g", from: "generator", to: "enricher" });
    expect(ofType(events, "node_finished")[1]).toMatchObject({ nodeId: "g", backend: "enricher" });
    expect(last.type).toBe("run_finished");
  });

  it("a template path missing at run time fails with the node and the path", async () => {
    const { last } = await run(
      pipeline(
        [gen("g"), gen("h", { prompt: "{{g.nothing}}" })],
        [
          ["in", "g"],
          ["g", "h"],
          ["h", "out"],
        ],
      ),
    );
    expect(last).toMatchObject({ type: "run_failed", error: { code: "E_TEMPLATE_RUNTIME", nodeId: "h", message: expect.stringContaining("g.nothing") } });
  });

  it("cancelling stops promptly", async () => {
    const controller = new AbortController();
    const handle = startRun(loadExample("sequential"), { registry: defaultRegistry, pool: createPool(), seed: 1, signal: controller.signal });
    setTimeout(() => controller.abort("user pressed stop"), 150);
    const t0 = Date.now();
    const types: string[] = [];
    let lastEvent: unknown;
    for await (const e of handle.events) {
      types.push(e.type);
      lastEvent = e;
    }
    expect(Date.now() - t0).toBeLessThan(400);
    expect(lastEvent).toMatchObject({ type: "run_cancelled", reason: "user pressed stop" });
    expect(types).not.toContain("run_finished");
  });

  it("a token budget aborts cleanly with a reason", async () => {
    const { last } = await run(loadExample("sequential"), { budget: { maxTokens: 50 } });
    expect(last).toMatchObject({
      type: "run_failed",
      error: { code: "E_BUDGET_EXCEEDED", message: expect.stringMatching(/token budget exceeded: \d+ used, limit 50/) },
    });
  });

  it("cost and wall-time budgets abort too", async () => {
    expect((await run(loadExample("sequential"), { budget: { maxCostUsd: 0.0000001 } })).last).toMatchObject({
      error: { code: "E_BUDGET_EXCEEDED", message: expect.stringContaining("cost budget") },
    });
    const slow = await run(loadExample("sequential"), { pool: createPool(), budget: { maxDurationMs: 150 } });
    expect(slow.last).toMatchObject({ type: "run_failed", error: { code: "E_BUDGET_EXCEEDED", message: expect.stringContaining("wall-time") } });
    expect((slow.last as { durationMs: number }).durationMs).toBeLessThan(400);
  });

  it("refuses an invalid pipeline before anything executes", () => {
    const pool = zeroPool();
    expect(() =>
      startRun(
        pipeline(
          [gen("g", { backend: "ghost" })],
          [
            ["in", "g"],
            ["g", "out"],
          ],
        ),
        { registry: defaultRegistry, pool },
      ),
    ).toThrow(PipelineInvalidError);
    expect(pool.stats.snapshot()).toEqual([]);
  });

  it("refuses input that breaks the input schema", () => {
    const p = pipeline(
      [gen("g")],
      [
        ["in", "g"],
        ["g", "out"],
      ],
    );
    p.input = { example: { topic: "x" }, schema: { type: "object", required: ["topic"], properties: { topic: { type: "string" } } } };
    const err = (() => {
      try {
        startRun(p, { registry: defaultRegistry, pool: zeroPool(), input: { topic: 5 } });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(BraidError);
    expect((err as BraidError).code).toBe("E_INPUT_SCHEMA");
    expect((err as BraidError).message).toContain("/topic must be string");
  });

  it("treats hostile payloads as data and never pollutes prototypes", async () => {
    const input = JSON.parse(
      '{"topic":"t","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"lc":1,"type":"constructor","id":["langchain","schema","messages","AIMessage"],"kwargs":{"content":"x"}}',
    );
    const { last } = await run(
      pipeline(
        [gen("g", { shape: { name: "string" } }), { id: "m", kind: "merge", config: { strategy: "object" } }],
        [
          ["in", "g"],
          ["in", "m"],
          ["g", "m"],
          ["m", "out"],
        ],
        "{{m}}",
      ),
      { input },
    );
    expect(last.type).toBe("run_finished");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const out = (last as { output: Record<string, unknown> }).output;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(out.lc).toBe(1);
  });
});

describe("re-running with recorded outputs", () => {
  it("reuses upstream outputs without calling their backends", async () => {
    const p = loadExample("sequential");
    const first = await run(p);
    const reuse: ReuseMap = new Map();
    for (const e of ofType(first.events, "node_finished")) {
      if (e.nodeId === "validate" || e.nodeId === "out") continue;
      reuse.set(e.nodeId, [...(reuse.get(e.nodeId) ?? []), { output: e.output }]);
    }
    const pool = zeroPool();
    const second = await run(p, { pool, reuse });
    expect(pool.stats.calls("generator")).toBe(0);
    expect(pool.stats.calls("enricher")).toBe(0);
    expect(pool.stats.calls("validator")).toBe(1);
    expect(
      ofType(second.events, "node_finished")
        .filter((e) => e.reused)
        .map((e) => e.nodeId),
    ).toEqual(["in", "basic", "enrich"]);
  });
});

describe("errors from parallel branches", () => {
  it("reports a coded node error, not LangGraph's aggregate", async () => {
    const p = pipeline(
      [gen("a", { prompt: "{{input.nope}}" }), gen("b", { prompt: "{{input.nope}}" }), { id: "m", kind: "merge", config: { strategy: "object" } }],
      [
        ["in", "a"],
        ["in", "b"],
        ["a", "m"],
        ["b", "m"],
        ["m", "out"],
      ],
    );
    const { last } = await run(p);
    expect(last).toMatchObject({ type: "run_failed", error: { code: "E_TEMPLATE_RUNTIME", nodeId: expect.stringMatching(/^[ab]$/) } });
  });
});
