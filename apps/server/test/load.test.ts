import type { RunEvent } from "@braid/engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, logProblems, startApp } from "./helpers.js";

/** 200 REST runs fired at once at zero-latency simulated backends: all complete, all logs complete. */
describe("load", () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  beforeAll(async () => {
    ctx = await startApp({ BRAID_MAX_RUNS: "32", BRAID_QUEUE_LIMIT: "1000" });
  });
  afterAll(() => ctx.stop());

  it("completes 200 concurrent runs with gap-free event logs", async () => {
    const t0 = Date.now();
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        json(`${ctx.url}/api/pipelines/${i % 2 ? "parallel" : "validation-loop"}/runs?wait=true&seed=${i}`, {
          method: "POST",
          body: JSON.stringify(i % 2 ? { sku: `S-${i}`, category: "lamp" } : { sku: `S-${i}` }),
        }),
      ),
    );
    const wallMs = Date.now() - t0;
    expect(responses.map((r) => r.status)).toEqual(Array(200).fill(200));
    expect(responses.every((r) => r.body.status === "completed")).toBe(true);
    let total = 0;
    for (const r of responses) {
      const stored = await ctx.app.services.runs.events(r.body.runId);
      total += stored.length;
      expect(
        logProblems(
          stored.map((e) => e.seq),
          stored.map((e) => e.event as RunEvent),
        ),
      ).toBeUndefined();
      expect(stored.at(-1)?.event).toMatchObject({ type: "run_finished", output: r.body.output });
    }
    console.log(`load: 200 runs, ${total} events in ${wallMs} ms = ${Math.round((total / wallMs) * 1000)} events/s persisted and delivered`);
  }, 120_000);

  it("answers 429 with Retry-After when the queue is full, and drops nothing it accepted", async () => {
    const small = await startApp({ BRAID_MAX_RUNS: "1", BRAID_QUEUE_LIMIT: "2", BRAID_SIM_LATENCY: "realistic" });
    try {
      const results = await Promise.all(Array.from({ length: 6 }, () => json(`${small.url}/api/pipelines/parallel/runs`, { method: "POST" })));
      const accepted = results.filter((r) => r.status === 202);
      const refused = results.filter((r) => r.status === 429);
      expect(accepted.length).toBe(3);
      expect(refused.length).toBe(3);
      expect(refused[0]?.headers.get("retry-after")).toBe("1");
      expect(refused[0]?.body.error.code).toBe("E_QUEUE_FULL");
      expect((await small.app.services.runs.list()).length).toBe(3);
      for (const r of accepted) await small.app.services.manager.cancel(r.body.runId);
    } finally {
      await small.stop();
    }
  });
});
