import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Pipeline } from "@braid/engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, createApp } from "../src/app.js";
import { configFromEnv } from "../src/config.js";
import { openApiDocument } from "../src/http/openapi.js";
import { REST_ROUTES } from "../src/http/rest.js";
import { openDb } from "../src/store/db.js";
import { json, readSseFrames, tempDir, waitFor } from "./helpers.js";

const DATASET = fileURLToPath(new URL("../../../examples/datasets/validation-loop.jsonl", import.meta.url));
const lines = readFileSync(DATASET, "utf8").trim().split("\n");
const ten = lines.slice(0, 10).join("\n");
/** A simulated backend with a little latency, so an experiment can be caught while it runs. */
const SLOW = { backends: [{ name: "slow", provider: "simulated", model: "sim-slow", simulation: { latencyMs: 15 } }] };

/** An app on a data folder that outlives it (restarts), with the slow backend configured. */
async function boot(dir: string, env: Record<string, string> = {}): Promise<{ app: App; url: string }> {
  writeFileSync(`${dir}/backends.json`, JSON.stringify(SLOW));
  const app = await createApp(configFromEnv({ BRAID_DATA_DIR: dir, BRAID_PORT: "0", BRAID_SIM_LATENCY: "zero", ...env }));
  return { app, url: await app.listen() };
}

const post = (url: string, body: unknown) => json(url, { method: "POST", body: JSON.stringify(body) });
const uploadDataset = async (url: string, text = ten, name = "ten") => {
  const r = await json(`${url}/api/datasets?name=${name}`, { method: "POST", headers: { "content-type": "application/x-ndjson" }, body: text });
  expect(r.status).toBe(201);
  return r.body.id as string;
};
const trpc = async (url: string, path: string, input: unknown) => {
  const r = await post(`${url}/trpc/${path}`, input);
  return { status: r.status, data: r.body?.result?.data, error: r.body?.error };
};
/** Per record: the score of every evaluator (latency varies from run to run; scores must not). */
const scores = (rows: Array<{ result?: { score: number; evaluations: Array<{ name: string; score: number }> } }>) =>
  rows.map((r) => [r.result?.score, r.result?.evaluations.map((e) => `${e.name}:${e.score}`)]);
const stable = (m: Record<string, unknown>) => ({
  score: m.score,
  passRate: m.passRate,
  passRates: m.passRates,
  errorRate: m.errorRate,
  tokensPer1k: m.tokensPer1k,
  costPer1k: m.costPer1k,
  records: m.records,
});

/** The experiments.progress subscription (tRPC over SSE), read to its end. */
async function trpcProgress(url: string, id: string): Promise<Array<{ type: string; experiment: any }>> {
  const res = await fetch(`${url}/trpc/experiments.progress?input=${encodeURIComponent(JSON.stringify({ id }))}`, { headers: { accept: "text/event-stream" } });
  const out: Array<{ type: string; experiment: any }> = [];
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buf = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return out;
    buf += decoder.decode(value, { stream: true });
    let i: number;
    while ((i = buf.indexOf("\n\n")) >= 0) {
      const frame = buf.slice(0, i);
      buf = buf.slice(i + 2);
      // The subscription's end: tRPC sends `event: return` and keeps the connection for the client to close.
      if (/^event: return$/m.test(frame)) {
        await reader.cancel();
        return out;
      }
      const data = /^data: (.+)$/m.exec(frame)?.[1];
      if (data && !/^event: /m.test(frame)) out.push(JSON.parse(data));
    }
  }
}

async function finished(url: string, id: string): Promise<any> {
  return waitFor(`experiment ${id} to stop`, async () => {
    const e = (await json(`${url}/api/experiments/${id}`)).body;
    return e.status === "running" ? undefined : e;
  });
}

describe("experiments", () => {
  const { dir, cleanup } = tempDir();
  let app: App;
  let url: string;
  let datasetId: string;
  beforeAll(async () => {
    ({ app, url } = await boot(dir));
    datasetId = await uploadDataset(url);
  });
  afterAll(async () => {
    await app.close();
    cleanup();
  });

  it("runs every record as a stored run (with events), streams progress, stores verdicts and metrics, deterministically for a seed", async () => {
    const r = await post(`${url}/api/experiments`, { pipelineId: "validation-loop", datasetId, seed: 7, concurrency: 3 });
    expect(r.status).toBe(202);
    const id = r.body.id;
    const { frames } = await readSseFrames(`${url}/api/experiments/${id}/events`);
    const last = frames[frames.length - 1];
    expect(last?.event).toBe("finished");
    expect(frames.filter((f) => f.event === "progress").length).toBeGreaterThan(0);
    const done = JSON.parse(last?.data as string);
    expect(done).toMatchObject({ status: "completed", total: 10, done: 10 });
    expect(done.metrics.records).toBe(10);
    expect(Object.keys(done.metrics.passRates).sort()).toEqual(["critique", "names-sku", "price-positive", "shape", "valid-email"]);
    expect(done.gates.map((g: { expr: string }) => g.expr)).toEqual(["score >= 0.7", 'passRate("shape") >= 0.99']);
    const rows = (await json(`${url}/api/experiments/${id}/records`)).body;
    expect(rows).toHaveLength(10);
    for (const row of rows) {
      const run = await app.services.runs.get(row.runId);
      expect(run?.status).toMatch(/completed|failed/);
      expect(run?.seed).toBe(7 + row.index);
      expect(run?.pipelineId).toBe("validation-loop");
      const events = await app.services.runs.events(row.runId);
      expect(events[0]?.event.type).toBe("run_started");
      expect(row.result.runId).toBe(row.runId);
      expect(row.result.evaluations).toHaveLength(5);
    }
    // The same seed over tRPC: the same verdicts, record by record.
    const again = await trpc(url, "experiments.create", { pipelineId: "validation-loop", datasetId, seed: 7 });
    expect(again.status).toBe(200);
    const progress = await trpcProgress(url, again.data.id);
    expect(progress[progress.length - 1]).toMatchObject({ type: "finished", experiment: { status: "completed", done: 10 } });
    const second = await finished(url, again.data.id);
    expect(stable(second.metrics)).toEqual(stable(done.metrics));
    expect(scores((await json(`${url}/api/experiments/${again.data.id}/records`)).body)).toEqual(scores(rows));
  });

  it("cancel, then resume: records already done keep their runs, none runs twice, and the metrics equal an uninterrupted experiment's", async () => {
    const completedBefore = (await app.services.runs.list({ pipelineId: "validation-loop", status: "completed", limit: 1000 })).length;
    const spec = { pipelineId: "validation-loop", datasetId, seed: 3, concurrency: 2, backend: "slow" };
    const id = (await post(`${url}/api/experiments`, spec)).body.id;
    await waitFor("two records done", async () => ((await json(`${url}/api/experiments/${id}`)).body.done >= 2 ? true : undefined));
    expect((await post(`${url}/api/experiments/${id}/cancel`, {})).body.cancelled).toBe(true);
    const stopped = await finished(url, id);
    expect(stopped.status).toBe("cancelled");
    expect(stopped.done).toBeLessThan(10);
    const before = (await json(`${url}/api/experiments/${id}/records`)).body.filter((r: { result?: unknown }) => r.result);
    expect((await post(`${url}/api/experiments/${id}/resume`, {})).status).toBe(202);
    const resumed = await finished(url, id);
    expect(resumed.status).toBe("completed");
    const rows = (await json(`${url}/api/experiments/${id}/records`)).body;
    for (const b of before) expect(rows[b.index].runId).toBe(b.runId);
    expect(new Set(rows.map((r: { runId: string }) => r.runId)).size).toBe(10);
    const completedAfter = (await app.services.runs.list({ pipelineId: "validation-loop", status: "completed", limit: 1000 })).length;
    const failed = rows.filter((r: { result: { status: string } }) => r.result.status === "failed").length;
    expect(completedAfter - completedBefore).toBe(10 - failed);
    // Resuming a completed experiment is a conflict.
    expect((await post(`${url}/api/experiments/${id}/resume`, {})).body.error.code).toBe("E_EXPERIMENT_STATE");
    const whole = await finished(url, (await post(`${url}/api/experiments`, spec)).body.id);
    expect(stable(resumed.metrics)).toEqual(stable(whole.metrics));
  });

  it("compare: a weakened copy (critique maxAttempts 1) scores significantly worse; gates with baseline. read the baseline", async () => {
    const fifty = await uploadDataset(url, lines.join("\n"), "fifty");
    const original = (await app.services.pipelines.get("validation-loop"))?.pipeline as Pipeline;
    const weak = structuredClone(original);
    weak.name = "weakened";
    const check = weak.nodes.find((n) => n.id === "check");
    (check?.config as Record<string, unknown>).maxAttempts = 1;
    const saved = await trpc(url, "pipelines.save", { pipeline: weak });
    const base = (await post(`${url}/api/experiments`, { pipelineId: "validation-loop", datasetId: fifty, concurrency: 8 })).body.id;
    const cand = (await post(`${url}/api/experiments`, { pipelineId: saved.data.id, datasetId: fifty, concurrency: 8 })).body.id;
    await finished(url, base);
    await finished(url, cand);
    const gate = encodeURIComponent("score >= baseline.score - 0.03");
    const r = await json(`${url}/api/experiments/compare?a=${cand}&b=${base}&gate=${gate}`);
    expect(r.status).toBe(200);
    const score = r.body.metrics.find((m: { metric: string }) => m.metric === "score");
    expect(score.verdict).toBe("worse");
    expect(score.delta).toBeLessThan(0);
    expect(r.body.gates[0]).toMatchObject({ passed: false });
    const diffs = r.body.disagreements.map((d: { diff: number }) => Math.abs(d.diff));
    expect(diffs.length).toBeGreaterThan(0);
    expect(diffs).toEqual([...diffs].sort((x, y) => y - x));
    const first = r.body.disagreements[0];
    expect(r.body.runs[first.index].candidate).toMatch(/^run_/);
    expect(first.candidate).toHaveProperty("output");
    // tRPC gives the same comparison.
    const t = await fetch(`${url}/trpc/experiments.compare?input=${encodeURIComponent(JSON.stringify({ a: cand, b: base }))}`).then((x) => x.json());
    expect(t.result.data.metrics.find((m: { metric: string }) => m.metric === "score").verdict).toBe("worse");
    // Over different datasets: 400 naming both versions.
    const other = (await post(`${url}/api/experiments`, { pipelineId: "validation-loop", datasetId, concurrency: 8 })).body.id;
    await finished(url, other);
    const mismatch = await json(`${url}/api/experiments/compare?a=${other}&b=${base}`);
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error.code).toBe("E_DATASET");
    expect(mismatch.body.error.message).toContain(fifty);
    // Gates on one experiment, absolute and against a baseline.
    const g = await post(`${url}/api/experiments/${cand}/gates`, { gates: ["score >= 0", "score >= baseline.score"], baseline: base });
    expect(g.status).toBe(200);
    expect(g.body.gates.map((x: { passed: boolean }) => x.passed)).toEqual([true, false]);
    expect(g.body.passed).toBe(false);
    expect((await post(`${url}/api/experiments/${cand}/gates`, { gates: ["bogus >= 1"] })).body.error.code).toBe("E_GATE");
    expect((await post(`${url}/api/experiments/${cand}/gates`, { gates: ["score >= baseline.score"] })).body.error.code).toBe("E_GATE");
  });

  it("bad inputs get coded 4xx before anything runs", async () => {
    const create = (body: Record<string, unknown>) => post(`${url}/api/experiments`, { pipelineId: "validation-loop", datasetId, ...body });
    const before = (await app.services.experiments.list()).length;
    const unknownDataset = await create({ datasetId: "ds_nope" });
    expect([unknownDataset.status, unknownDataset.body.error.code]).toEqual([404, "E_NOT_FOUND"]);
    expect((await create({ pipelineId: "nope" })).status).toBe(404);
    const badEval = await create({ evaluators: [{ type: "regex", value: "(" }] });
    expect([badEval.status, badEval.body.error.code]).toEqual([400, "E_EVALUATOR"]);
    expect(badEval.body.error.message).toContain("evaluators[0].value");
    const noEval = await create({ useEvaluationSection: false });
    expect(noEval.body.error.code).toBe("E_EVALUATOR");
    expect((await create({ concurrency: 0 })).status).toBe(400);
    expect((await create({ backend: "nowhere" })).body.error.code).toBe("E_UNKNOWN_BACKEND");
    const bad = await uploadDataset(url, '{"sku": 5}', "wrong-input");
    const strict = structuredClone((await app.services.pipelines.get("validation-loop"))?.pipeline as Pipeline);
    strict.input = { ...strict.input, schema: { type: "object", required: ["sku"], properties: { sku: { type: "string" } } } };
    const strictId = (await trpc(url, "pipelines.save", { pipeline: { ...strict, name: "strict" } })).data.id;
    const wrongInput = await create({ pipelineId: strictId, datasetId: bad });
    expect([wrongInput.status, wrongInput.body.error.code]).toEqual([400, "E_DATASET"]);
    const review: Pipeline = {
      format: "braid/pipeline@1",
      name: "reviewed",
      nodes: [
        { id: "in", kind: "input" },
        { id: "review", kind: "approval", config: { message: "ok?" } },
        { id: "out", kind: "output", config: { value: "{{input}}" } },
      ],
      edges: [
        { from: "in", to: "review" },
        { from: "review", to: "out", branch: "approved" },
        { from: "review", to: "out", branch: "rejected" },
      ],
    };
    const reviewId = (await trpc(url, "pipelines.save", { pipeline: review })).data.id;
    const approval = await create({ pipelineId: reviewId, evaluators: [{ type: "is-json" }] });
    expect([approval.status, approval.body.error.code]).toEqual([400, "E_APPROVAL_UNSUPPORTED"]);
    expect((await json(`${url}/api/experiments/exp_nope`)).status).toBe(404);
    expect((await json(`${url}/api/experiments/compare?a=exp_nope&b=exp_nope`)).status).toBe(404);
    expect((await app.services.experiments.list()).length).toBe(before);
    // A dataset experiments ran over cannot be deleted.
    expect((await json(`${url}/api/datasets/${datasetId}`, { method: "DELETE" })).body.error.code).toBe("E_DATASET_IN_USE");
  });
});

describe("the OpenAPI document", () => {
  it("describes every dataset and experiment route", async () => {
    const doc = openApiDocument() as { paths: Record<string, Record<string, { summary?: string; responses?: object }>> };
    const ours = REST_ROUTES.filter((r) => /^\/api\/(datasets|experiments)/.test(r.path));
    expect(ours.length).toBeGreaterThanOrEqual(13);
    for (const r of ours) {
      const op = doc.paths[r.path.replace(/:(\w+)/g, "{$1}")]?.[r.method.toLowerCase()];
      expect(op?.summary, `${r.method} ${r.path}`).toMatch(/\w/);
      expect(Object.keys(op?.responses ?? {}), `${r.method} ${r.path}`).toContain("401");
    }
  });
});

describe("experiments across a restart", () => {
  it("an experiment a crashed process left running is interrupted (resumable) on the next start", async () => {
    const { dir, cleanup } = tempDir();
    try {
      let { app, url } = await boot(dir);
      const datasetId = await uploadDataset(url);
      const id = (await post(`${url}/api/experiments`, { pipelineId: "validation-loop", datasetId })).body.id;
      await finished(url, id);
      await app.close();
      // What a process killed mid-experiment leaves behind.
      const db = openDb(dir);
      db.prepare("UPDATE experiments SET status = 'running' WHERE id = ?").run(id);
      db.close();
      ({ app, url } = await boot(dir));
      try {
        expect((await json(`${url}/api/experiments/${id}`)).body.status).toBe("interrupted");
      } finally {
        await app.close();
      }
    } finally {
      cleanup();
    }
  });

  it("a shutdown mid-experiment leaves it interrupted; after a restart it resumes without running a done record again", async () => {
    const { dir, cleanup } = tempDir();
    try {
      let { app, url } = await boot(dir, { BRAID_SHUTDOWN_GRACE_MS: "0" });
      const datasetId = await uploadDataset(url);
      const id = (await post(`${url}/api/experiments`, { pipelineId: "validation-loop", datasetId, concurrency: 2, backend: "slow" })).body.id;
      await waitFor("two records done", async () => ((await json(`${url}/api/experiments/${id}`)).body.done >= 2 ? true : undefined));
      await app.close();
      // The server's close stopped the experiment (it did not leave it running against a closed store).
      expect(app.services.experiments.activeCount).toBe(0);
      ({ app, url } = await boot(dir));
      try {
        const e = (await json(`${url}/api/experiments/${id}`)).body;
        expect(e.status).toBe("interrupted");
        expect(e.done).toBeGreaterThanOrEqual(2);
        expect(e.done).toBeLessThan(10);
        const before = (await json(`${url}/api/experiments/${id}/records`)).body.filter((r: { result?: unknown }) => r.result);
        expect((await post(`${url}/api/experiments/${id}/resume`, {})).status).toBe(202);
        const done = await finished(url, id);
        expect(done.status).toBe("completed");
        const rows = (await json(`${url}/api/experiments/${id}/records`)).body;
        for (const b of before) expect(rows[b.index].runId).toBe(b.runId);
        expect(new Set(rows.map((r: { runId: string }) => r.runId)).size).toBe(10);
        expect(rows.every((r: { result?: unknown }) => r.result)).toBe(true);
        // Runs the shutdown suspended were recovered by the run manager and followed, not started again: one run per record in all.
        expect((await app.services.runs.list({ limit: 1000 })).map((r) => r.id).sort()).toEqual(rows.map((r: { runId: string }) => r.runId).sort());
      } finally {
        await app.close();
      }
    } finally {
      cleanup();
    }
  });
});
