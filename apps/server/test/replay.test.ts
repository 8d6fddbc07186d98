import type { RunEvent } from "@braid/engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, startApp, waitFor } from "./helpers.js";

/** Re-run from a node and fork from a step, through tRPC as the web app calls them. */
describe("re-run and fork", () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  const trpc = async (path: string, input: unknown) => {
    const r = await json(`${ctx.url}/trpc/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(input) });
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.result.data;
  };
  const finished = (runId: string) =>
    waitFor(`run ${runId}`, async () => {
      const run = await ctx.app.services.runs.get(runId);
      return run && ["completed", "failed", "cancelled"].includes(run.status) ? run : undefined;
    });
  const events = async (runId: string): Promise<RunEvent[]> => (await ctx.app.services.runs.events(runId)).map((e) => e.event);

  beforeAll(async () => {
    ctx = await startApp();
  });
  afterAll(() => ctx.stop());

  it("re-runs only the chosen node and what is downstream, with no upstream LLM calls, and reports the saving", async () => {
    const parent = await json(`${ctx.url}/api/pipelines/sequential/runs?wait=true&seed=9`, { method: "POST" });
    const stats = () => Object.fromEntries(ctx.app.services.pool.stats.snapshot().map((s) => [s.name, s.calls]));
    const before = stats();
    const edited = (await ctx.app.services.runs.get(parent.body.runId))?.pipeline;
    if (!edited) throw new Error("no parent pipeline");
    const validate = edited.nodes.find((n) => n.id === "validate");
    (validate?.config as { prompt: string }).prompt = "Check this profile very carefully: {{basic}}";
    const child = await trpc("runs.rerun", { runId: parent.body.runId, fromNode: "validate", pipeline: edited });
    expect(child).toMatchObject({ reused: ["in", "basic", "enrich"], rerun: ["validate", "out"], savedUsd: expect.any(Number) });
    expect(child.savedUsd).toBeGreaterThan(0);
    const run = await finished(child.runId);
    expect(run).toMatchObject({ status: "completed", parentRunId: parent.body.runId, fromNode: "validate" });
    const after = stats();
    expect(after.generator).toBe(before.generator);
    expect(after.enricher).toBe(before.enricher);
    expect(after.validator).toBe((before.validator ?? 0) + 1);
    const started = (await events(child.runId)).find((e) => e.type === "node_started" && e.nodeId === "validate");
    expect(started).toMatchObject({ prompt: expect.stringContaining("very carefully") });
    const reused = (await events(child.runId)).filter((e) => e.type === "node_finished" && e.reused).map((e) => (e as { nodeId: string }).nodeId);
    expect(reused).toEqual(["in", "basic", "enrich"]);
  });

  it("forks from a step with edited state and produces a different output", async () => {
    const parent = await json(`${ctx.url}/api/pipelines/sequential/runs?wait=true&seed=2`, { method: "POST" });
    const stored = await ctx.app.services.runs.events(parent.body.runId);
    const basicDone = stored.find((e) => e.event.type === "node_finished" && e.event.nodeId === "basic");
    if (basicDone?.event.type !== "node_finished") throw new Error("basic did not finish");
    const state = {
      input: parent.body.input ?? { country: "Ukraine", segment: "small business owners" },
      in: {},
      basic: { ...(basicDone.event.output as object), name: "Zed Forkington" },
    };
    const child = await trpc("runs.fork", { runId: parent.body.runId, atSeq: basicDone.seq, state });
    const run = await finished(child.runId);
    expect(run.status).toBe("completed");
    expect((run.output as { name: string }).name).toBe("Zed Forkington");
    expect(run.output).not.toEqual(parent.body.output);
    const enrichStart = (await events(child.runId)).find((e) => e.type === "node_started" && e.nodeId === "enrich");
    expect(enrichStart).toMatchObject({ prompt: expect.stringContaining("Zed Forkington") });
  });

  it("refuses a re-run from a node that does not exist", async () => {
    const parent = await json(`${ctx.url}/api/pipelines/parallel/runs?wait=true`, { method: "POST" });
    const r = await json(`${ctx.url}/trpc/runs.rerun`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ runId: parent.body.runId, fromNode: "ghost" }),
    });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toContain('node "ghost" is not in the pipeline');
  });
});
