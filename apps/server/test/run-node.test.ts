import type { RunEvent } from "@braid/engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, startApp, waitFor } from "./helpers.js";

/** "Run this node" through tRPC as the web app calls it: one node, a stored run marked as such. */
describe("runs.runNode", () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  const post = (path: string, input: unknown) =>
    json(`${ctx.url}/trpc/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(input) });
  const finished = (runId: string) =>
    waitFor(`run ${runId}`, async () => {
      const run = await ctx.app.services.runs.get(runId);
      return run && ["completed", "failed", "cancelled"].includes(run.status) ? run : undefined;
    });
  const events = async (runId: string): Promise<RunEvent[]> => (await ctx.app.services.runs.events(runId)).map((e) => e.event);
  const calls = () => Object.fromEntries(ctx.app.services.pool.stats.snapshot().map((s) => [s.name, s.calls]));

  beforeAll(async () => {
    ctx = await startApp();
  });
  afterAll(() => ctx.stop());

  it("runs only the chosen node on a past run's upstream outputs, stored and counted", async () => {
    const parent = await json(`${ctx.url}/api/pipelines/sequential/runs?wait=true&seed=4`, { method: "POST" });
    const before = calls();
    const r = await post("runs.runNode", { nodeId: "enrich", fromRun: parent.body.runId });
    expect(r.status).toBe(200);
    const run = await finished(r.body.result.data.runId);
    expect(run).toMatchObject({ status: "completed", parentRunId: parent.body.runId, options: { onlyNode: "enrich", reuseFromRun: parent.body.runId } });
    const log = await events(run.id);
    expect(log.filter((e) => e.type === "node_started").map((e) => (e as { nodeId: string }).nodeId)).toEqual(["enrich"]);
    expect(log[0]).toMatchObject({ type: "run_started", only: "enrich" });
    const basic = (await events(parent.body.runId)).find((e) => e.type === "node_finished" && e.nodeId === "basic");
    const started = log.find((e) => e.type === "node_started");
    expect((started as { prompt?: string }).prompt).toContain((basic as { output: { name: string } }).output.name);
    expect(run.usage.costUsd).toBeGreaterThan(0);
    const after = calls();
    expect(after.enricher).toBe((before.enricher ?? 0) + 1);
    expect(after.generator).toBe(before.generator);
    expect(after.validator).toBe(before.validator);
  });

  it("runs a node after the input on the saved pipeline's example input", async () => {
    const r = await post("runs.runNode", { nodeId: "basic", pipelineId: "sequential" });
    const run = await finished(r.body.result.data.runId);
    expect(run).toMatchObject({ status: "completed", pipelineId: "sequential", options: { onlyNode: "basic" } });
    expect(run.output).toMatchObject({ name: expect.any(String) });
  });

  it("refuses a node whose upstream the source lacks, naming the missing nodes, and stores nothing", async () => {
    const count = (await ctx.app.services.runs.list({ limit: 1000 })).length;
    const r = await post("runs.runNode", { nodeId: "validate", pipelineId: "sequential" });
    expect(r.status).toBe(400);
    expect(r.body.error.data.braidCode).toBe("E_NODE_UPSTREAM_MISSING");
    expect(r.body.error.message).toContain('"enrich"');
    const bad = await post("runs.runNode", { nodeId: "ghost", pipelineId: "sequential" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('node "ghost" is not in the pipeline');
    const missingRun = await post("runs.runNode", { nodeId: "basic", fromRun: "run_nope" });
    expect(missingRun.status).toBe(404);
    expect(await ctx.app.services.runs.list({ limit: 1000 })).toHaveLength(count);
  });
});
