import { defaultRegistry } from "@braid/nodes";
import { describe, expect, it } from "vitest";
import { BraidError, planSingleNode } from "../index.js";
import { gen, loadExample, ofType, pipeline, run, zeroPool } from "./helpers.js";

const chain = pipeline(
  [gen("a"), gen("b", { backend: "enricher", prompt: "improve {{a}}" }), gen("c", { backend: "validator", prompt: "check {{b}}" })],
  [
    ["in", "a"],
    ["a", "b"],
    ["b", "c"],
    ["c", "out"],
  ],
);
const calls = (pool: ReturnType<typeof zeroPool>) => Object.fromEntries(pool.stats.snapshot().map((s) => [s.name, s.calls]));

describe("single-node runs (RunOptions.only)", () => {
  it("runs only the chosen node on a recorded run's upstream outputs, counting its backend calls", async () => {
    const full = await run(chain);
    const recordedA = ofType(full.events, "node_finished").find((e) => e.nodeId === "a")?.output;
    const pool = zeroPool();
    const only = planSingleNode(chain, defaultRegistry, "b", { input: chain.input?.example, events: full.events });
    const { events, last } = await run(chain, { pool, only });
    expect(ofType(events, "node_started").map((e) => e.nodeId)).toEqual(["b"]);
    expect(events[0]).toMatchObject({ type: "run_started", only: "b" });
    expect(ofType(events, "node_started")[0]?.prompt).toBe(`improve ${recordedA}`);
    expect(last.type).toBe("run_finished");
    const finished = ofType(events, "node_finished")[0];
    if (last.type !== "run_finished" || !finished) throw new Error("no result");
    expect(last.output).toEqual(finished.output);
    expect(last.usage.inputTokens).toBeGreaterThan(0);
    expect(last.usage).toEqual(finished.usage);
    expect(calls(pool)).toEqual({ enricher: 1 });
  });

  it("runs a node right after the input on the example input alone", async () => {
    const only = planSingleNode(chain, defaultRegistry, "a", { input: chain.input?.example });
    const { events, last } = await run(chain, { only });
    expect(ofType(events, "node_started").map((e) => [e.nodeId, e.prompt])).toEqual([["a", "write about mice"]]);
    expect(last.type).toBe("run_finished");
  });

  it("names the missing upstream nodes when the source lacks them", () => {
    const missing = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        if (err instanceof BraidError) return { code: err.code, message: err.message, missing: err.details?.missing };
      }
      return undefined;
    };
    expect(missing(() => planSingleNode(chain, defaultRegistry, "c", { input: {} }))).toEqual({
      code: "E_NODE_UPSTREAM_MISSING",
      message: expect.stringContaining('"b"'),
      missing: ["b"],
    });
    expect(missing(() => planSingleNode(chain, defaultRegistry, "c", { input: {}, events: [] }))?.message).toContain("the chosen run did not produce");
    expect(missing(() => planSingleNode(chain, defaultRegistry, "ghost", { input: {} }))?.code).toBe("E_UNKNOWN_NODE");
  });

  it("treats loop-closing edges as no input: a critique needs its target, a fix step needs the critique", async () => {
    const loop = loadExample("validation-loop");
    const full = await run(loop);
    const onlyCheck = planSingleNode(loop, defaultRegistry, "check", { input: loop.input?.example, events: full.events });
    expect(Object.keys(onlyCheck.outputs)).toContain("gen");
    expect(onlyCheck.meta.check).toBeUndefined();
    const { events } = await run(loop, { only: onlyCheck });
    expect(ofType(events, "node_started").map((e) => e.nodeId)).toEqual(["check"]);
    // From the example input only the input node's output is known: "fix" needs the critique.
    expect(() => planSingleNode(loop, defaultRegistry, "fix", { input: {} })).toThrow(/"check"/);
  });

  it("reports a failing node as the run's failure with its code", async () => {
    const bad = pipeline(
      [gen("a", { prompt: "{{input.nothing.here}}" })],
      [
        ["in", "a"],
        ["a", "out"],
      ],
    );
    const only = planSingleNode(bad, defaultRegistry, "a", { input: {} });
    const { events, last } = await run(bad, { only });
    expect(ofType(events, "node_failed")).toHaveLength(1);
    expect(last).toMatchObject({ type: "run_failed", error: { code: "E_TEMPLATE_RUNTIME", nodeId: "a" } });
  });
});
