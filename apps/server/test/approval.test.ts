import type { Pipeline, RunEvent } from "@braid/engine";
import { afterAll, describe, expect, it } from "vitest";
import { type App, createApp } from "../src/app.js";
import { configFromEnv } from "../src/config.js";
import { json, tempDir, waitFor } from "./helpers.js";

/** input → draft → review; approved → publish, rejected → redo, timeout (when set) → out. */
function reviewPipeline(review: Record<string, unknown> = {}): Pipeline {
  const gen = (id: string, config: Record<string, unknown>) => ({ id, kind: "generate", config: { backend: "generator", ...config } });
  return {
    format: "braid/pipeline@1",
    name: "reviewed",
    input: { example: { topic: "mice" } },
    nodes: [
      { id: "in", kind: "input" },
      gen("draft", { prompt: "draft about {{input.topic}}", shape: { title: "string" } }),
      { id: "review", kind: "approval", config: { message: "Publish {{draft.title}}?", allowEdit: true, ...review } },
      gen("publish", { prompt: "publish {{review.value.title}}" }),
      gen("redo", { prompt: "redo {{input.topic}}" }),
      { id: "out", kind: "output", config: { value: "{{review}}" } },
    ],
    edges: [
      { from: "in", to: "draft" },
      { from: "draft", to: "review" },
      { from: "review", to: "publish", branch: "approved" },
      { from: "review", to: "redo", branch: "rejected" },
      ...(review.timeoutMs !== undefined ? [{ from: "review", to: "out", branch: "timeout" }] : []),
      { from: "publish", to: "out" },
      { from: "redo", to: "out" },
    ],
  };
}

/** One server process's worth of app on a data folder that outlives it, so a restart finds its runs. */
async function boot(dir: string): Promise<{ app: App; url: string }> {
  const app = await createApp({ ...configFromEnv({ BRAID_DATA_DIR: dir, BRAID_PORT: "0", BRAID_SIM_LATENCY: "zero" }), shutdownGraceMs: 50 });
  return { app, url: await app.listen() };
}

const post = (url: string, body: unknown) => json(url, { method: "POST", body: JSON.stringify(body) });

async function startWaiting(url: string, pipelineId: string): Promise<string> {
  const r = await post(`${url}/api/pipelines/${pipelineId}/runs?wait=true`, { topic: "mice" });
  expect(r.body.status).toBe("waiting");
  return r.body.runId as string;
}

const events = async (app: App, runId: string): Promise<RunEvent[]> => (await app.services.runs.events(runId)).map((e) => e.event);
const startedNodes = (list: RunEvent[]) => list.filter((e) => e.type === "node_started").map((e) => (e as { nodeId: string }).nodeId);
const finished = (url: string, runId: string) =>
  waitFor(
    `run ${runId} to end`,
    async () => {
      const r = await json(`${url}/api/runs/${runId}`);
      return ["completed", "failed", "cancelled"].includes(r.body.status) ? r.body : undefined;
    },
    5000,
  );

describe("the approval node over REST", () => {
  const folders: Array<() => void> = [];
  const apps: App[] = [];
  afterAll(async () => {
    for (const a of apps) await a.close().catch(() => {});
    for (const c of folders) c();
  });
  async function fresh(pipelines: Record<string, Pipeline>) {
    const { dir, cleanup } = tempDir("braid-approval-");
    folders.push(cleanup);
    const s = await boot(dir);
    apps.push(s.app);
    for (const [id, p] of Object.entries(pipelines)) await s.app.services.pipelines.save(p, { id });
    return { ...s, dir };
  }

  it("pauses, lists the review, refuses bad decisions with coded errors, resumes on the chosen branch only", async () => {
    const { app, url } = await fresh({ review: reviewPipeline(), locked: reviewPipeline({ allowEdit: false }) });
    const runId = await startWaiting(url, "review");
    expect((await json(`${url}/api/runs/${runId}`)).body.status).toBe("waiting");
    const listed = await json(`${url}/api/runs?status=waiting`);
    expect(listed.body.map((r: { id: string }) => r.id)).toContain(runId);
    const reviews = await json(`${url}/api/reviews`);
    expect(reviews.body).toEqual([expect.objectContaining({ runId, nodeId: "review", allowEdit: true, decisions: ["approved", "rejected"] })]);
    expect(reviews.body[0].message).toMatch(/^Publish .+\?$/);

    const resume = (body: unknown, id = runId) => post(`${url}/api/runs/${id}/resume`, body);
    const wrongNode = await resume({ node: "draft", decision: "approved" });
    expect([wrongNode.status, wrongNode.body.error.code]).toEqual([400, "E_REVIEW_INVALID"]);
    expect(wrongNode.body.error.message).toMatch(/^node: /);
    const unknown = await resume({ node: "review", decision: "maybe" });
    expect([unknown.status, unknown.body.error.code]).toEqual([400, "E_REVIEW_INVALID"]);
    expect(unknown.body.error.message).toMatch(/^decision: /);
    const timeoutByHand = await resume({ node: "review", decision: "timeout" });
    expect(timeoutByHand.status).toBe(400);
    const badShape = await resume({ node: "review", decision: "approved", value: { title: 7 } });
    expect([badShape.status, badShape.body.error.code]).toEqual([400, "E_REVIEW_INVALID"]);
    expect(badShape.body.error.message).toMatch(/^value: .*title should be a string/);
    const locked = await startWaiting(url, "locked");
    const noEdit = await resume({ node: "review", decision: "approved", value: { title: "x" } }, locked);
    expect([noEdit.status, noEdit.body.error.code]).toEqual([400, "E_REVIEW_INVALID"]);
    expect(noEdit.body.error.message).toMatch(/^value: .*does not allow/);

    const ok = await resume({ node: "review", decision: "approved", value: { title: "Edited" }, reviewer: "ada", comment: "ship it" });
    expect(ok.status).toBe(202);
    const again = await resume({ node: "review", decision: "rejected" });
    expect([again.status, again.body.error.code]).toEqual([409, "E_NOT_WAITING"]);
    const done = await finished(url, runId);
    expect(done).toMatchObject({ status: "completed", output: { decision: "approved", value: { title: "Edited" }, reviewer: "ada", comment: "ship it" } });
    const log = await events(app, runId);
    expect(startedNodes(log).sort()).toEqual(["draft", "in", "out", "publish", "review"]);
    expect(log.find((e) => e.type === "node_started" && e.nodeId === "publish")).toMatchObject({ prompt: "publish Edited" });
    expect(log.find((e) => e.type === "node_finished" && e.nodeId === "review")).toMatchObject({ branch: "approved", output: { reviewer: "ada" } });
    const finishedAgain = await resume({ node: "review", decision: "approved" });
    expect([finishedAgain.status, finishedAgain.body.error.code]).toEqual([409, "E_NOT_WAITING"]);
    expect((await json(`${url}/api/reviews`)).body.map((r: { runId: string }) => r.runId)).toEqual([locked]);
  });

  it("cancels a waiting run", async () => {
    const { url } = await fresh({ review: reviewPipeline() });
    const runId = await startWaiting(url, "review");
    expect((await post(`${url}/api/runs/${runId}/cancel`, {})).body).toEqual({ runId, cancelled: true });
    expect((await finished(url, runId)).status).toBe("cancelled");
    expect((await post(`${url}/api/runs/${runId}/resume`, { node: "review", decision: "approved" })).status).toBe(409);
  });

  it("a waiting run survives a restart and resumes after it without re-running anything upstream", async () => {
    const first = await fresh({ review: reviewPipeline() });
    const runId = await startWaiting(first.url, "review");
    await first.app.close();
    const second = await boot(first.dir);
    apps.push(second.app);
    expect(second.app.recovered).not.toContain(runId);
    expect((await json(`${second.url}/api/runs/${runId}`)).body.status).toBe("waiting");
    const ok = await post(`${second.url}/api/runs/${runId}/resume`, { node: "review", decision: "rejected", reviewer: "bo" });
    expect(ok.status).toBe(202);
    expect(await finished(second.url, runId)).toMatchObject({ status: "completed", output: { decision: "rejected", reviewer: "bo" } });
    expect(startedNodes(await events(second.app, runId)).sort()).toEqual(["draft", "in", "out", "redo", "review"]);
  });

  it("a timeout that elapses while the server is down fires after boot", async () => {
    const first = await fresh({ review: reviewPipeline({ timeoutMs: 300 }) });
    const runId = await startWaiting(first.url, "review");
    const waiting = (await events(first.app, runId)).find((e) => e.type === "node_waiting") as { timeoutAt: number };
    await first.app.close();
    await waitFor("the timeout to pass", () => (Date.now() > waiting.timeoutAt ? true : undefined), 2000, 10);
    const second = await boot(first.dir);
    apps.push(second.app);
    expect(await finished(second.url, runId)).toMatchObject({ status: "completed", output: { decision: "timeout" } });
    const log = await events(second.app, runId);
    expect(log.find((e) => e.type === "run_resumed")).toMatchObject({ nodeId: "review", decision: "timeout" });
    expect(startedNodes(log).sort()).toEqual(["draft", "in", "out", "review"]);
  });

  it("a timeout fires on a running server", async () => {
    const { url } = await fresh({ review: reviewPipeline({ timeoutMs: 40 }) });
    const runId = await startWaiting(url, "review");
    expect(await finished(url, runId)).toMatchObject({ status: "completed", output: { decision: "timeout" } });
  });

  it("tRPC: runs.waiting lists the review and runs.resume continues it; a second resume is a CONFLICT with E_NOT_WAITING", async () => {
    const { url } = await fresh({ review: reviewPipeline() });
    const runId = await startWaiting(url, "review");
    const waiting = await json(`${url}/trpc/runs.waiting`);
    expect(waiting.body.result.data).toEqual([expect.objectContaining({ runId, nodeId: "review", reviews: "draft" })]);
    const call = (body: unknown) => post(`${url}/trpc/runs.resume`, body);
    const bad = await call({ runId, node: "review", decision: "perhaps" });
    expect([bad.status, bad.body.error.data.braidCode]).toEqual([400, "E_REVIEW_INVALID"]);
    expect((await call({ runId, node: "review", decision: "approved", reviewer: "cy" })).body.result.data).toMatchObject({ runId });
    const twice = await call({ runId, node: "review", decision: "approved" });
    expect([twice.status, twice.body.error.data.braidCode]).toEqual([409, "E_NOT_WAITING"]);
    expect(await finished(url, runId)).toMatchObject({ status: "completed", output: { decision: "approved", reviewer: "cy" } });
  });

  it("re-run from a node after the approval reuses the decision and who made it; re-run from the approval pauses again", async () => {
    const { app, url } = await fresh({ review: reviewPipeline() });
    const runId = await startWaiting(url, "review");
    await post(`${url}/api/runs/${runId}/resume`, { node: "review", decision: "approved", reviewer: "ada" });
    await finished(url, runId);
    const after = await post(`${url}/trpc/runs.rerun`, { runId, fromNode: "publish" });
    const child = after.body.result.data.runId as string;
    expect(await finished(url, child)).toMatchObject({ status: "completed", output: { decision: "approved", reviewer: "ada" } });
    expect((await events(app, child)).find((e) => e.type === "node_finished" && e.nodeId === "review")).toMatchObject({ reused: true, branch: "approved" });
    const again = await post(`${url}/trpc/runs.rerun`, { runId, fromNode: "review" });
    const paused = again.body.result.data.runId as string;
    await waitFor("the re-run to pause", async () => ((await json(`${url}/api/runs/${paused}`)).body.status === "waiting" ? true : undefined), 5000);
    expect(startedNodes(await events(app, paused))).toEqual(["in", "draft", "review"]);
    expect((await events(app, paused)).filter((e) => e.type === "node_finished" && e.nodeId === "draft")).toEqual([expect.objectContaining({ reused: true })]);
  });

  it("a batch refuses a pipeline with an approval node, naming it", async () => {
    const { url } = await fresh({ review: reviewPipeline() });
    const r = await json(`${url}/api/pipelines/review/batches`, {
      method: "POST",
      body: '{"topic":"a"}\n',
      headers: { "content-type": "application/x-ndjson" },
    });
    expect([r.status, r.body.error.code, r.body.error.nodeId]).toEqual([400, "E_APPROVAL_UNSUPPORTED", "review"]);
    expect(r.body.error.message).toMatch(/node "review" \(approval\)/);
  });
});
