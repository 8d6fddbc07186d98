import type { Pipeline, RunEvent } from "@braid/engine";
import { describe, expect, it } from "vitest";
import { configFromEnv } from "../src/config.js";
import { limitOf, pipelineLimitsFromEnv } from "../src/queue/limits.js";
import { logProblems, mostAtOnce, startApp, waitFor } from "./helpers.js";

describe("BRAID_PIPELINE_CONCURRENCY", () => {
  it("parses a limit for every pipeline and per-pipeline overrides; a bad value names the variable", () => {
    expect(pipelineLimitsFromEnv({})).toEqual({ byPipeline: {} });
    const limits = pipelineLimitsFromEnv({ BRAID_PIPELINE_CONCURRENCY: "10, slow-one:2" });
    expect(limits).toEqual({ all: 10, byPipeline: { "slow-one": 2 } });
    expect([limitOf(limits, "slow-one"), limitOf(limits, "other"), limitOf(limits, undefined)]).toEqual([2, 10, undefined]);
    expect(limitOf(pipelineLimitsFromEnv({ BRAID_PIPELINE_CONCURRENCY: "slow:1" }), "other")).toBeUndefined();
    for (const bad of ["0", "-1", "two", "1.5", "a:0", ":3", "a:", "3,4", "a:1,a:2"])
      expect(() => configFromEnv({ BRAID_PIPELINE_CONCURRENCY: bad }), bad).toThrow(/^BRAID_PIPELINE_CONCURRENCY/);
  });
});

describe("per-pipeline limit in one process (no Redis)", () => {
  it("never runs more than the limit of one pipeline at once, starts other pipelines' runs past the waiting ones, and cancels a waiting run", async () => {
    const ctx = await startApp({ BRAID_MAX_RUNS: "4", BRAID_PIPELINE_CONCURRENCY: "sequential:2", BRAID_QUEUE_LIMIT: "100" });
    try {
      const { manager, pipelines, runs } = ctx.app.services;
      const docs = new Map<string, Pipeline | undefined>();
      for (const id of ["sequential", "parallel"]) docs.set(id, (await pipelines.get(id))?.pipeline);
      const submit = (id: string, input: unknown) => manager.submit({ pipeline: docs.get(id) as Pipeline, pipelineId: id, input });
      // Submitted in one turn of the event loop: every run of A is queued before any of B.
      const aRuns = Array.from({ length: 30 }, (_, i) => submit("sequential", { country: "Chile", segment: `a${i}` }));
      const bRuns = Array.from({ length: 8 }, (_, i) => submit("parallel", { sku: `B-${i}`, category: "lamp" }));
      const a = (await Promise.all(aRuns)).map((r) => r.id);
      const b = (await Promise.all(bRuns)).map((r) => r.id);
      const held = a.pop() as string;
      expect(await manager.cancel(held)).toBe(true);
      await waitFor(
        "every run to end",
        async () => ((await Promise.all([...a, ...b].map((id) => runs.get(id)))).every((r) => r?.status === "completed") ? true : undefined),
        60_000,
      );

      const spanOf = async (id: string) => {
        const stored = await runs.events(id);
        const events = stored.map((e) => e.event as RunEvent);
        expect(
          logProblems(
            stored.map((e) => e.seq),
            events,
          ),
        ).toBeUndefined();
        return { start: events[0]?.at as number, end: events.at(-1)?.at as number };
      };
      const aSpans = await Promise.all(a.map(spanOf));
      const bSpans = await Promise.all(b.map(spanOf));
      expect(mostAtOnce(aSpans)).toBe(2);
      // Waiting in a FIFO, B would start only after A's last run did; here all of B is done before half of A has started.
      const bDone = Math.max(...bSpans.map((s) => s.end));
      expect(aSpans.filter((s) => s.start < bDone).length).toBeLessThan(a.length / 2);
      expect((await runs.get(held))?.status).toBe("cancelled");
      expect((await runs.events(held)).map((e) => e.event.type)).toEqual(["run_cancelled"]);
    } finally {
      await ctx.stop();
    }
  }, 60_000);
});
