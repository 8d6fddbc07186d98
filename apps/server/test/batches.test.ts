import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";
import { configFromEnv } from "../src/config.js";
import { REST_ROUTES } from "../src/http/rest.js";
import { json, profileJsonl, readSseFrames, startApp, tempDir, waitFor } from "./helpers.js";

const lines = (text: string) => text.split("\n").filter(Boolean);
const jsonl = profileJsonl;

/** Reads a batch's SSE stream to its end. */
async function readBatchSse(url: string): Promise<Array<{ event: string; data: any }>> {
  const { status, contentType, frames } = await readSseFrames(url);
  expect(status).toBe(200);
  expect(contentType).toMatch(/text\/event-stream/);
  return frames.flatMap((f) => (f.event && f.data ? [{ event: f.event, data: JSON.parse(f.data) }] : []));
}

describe("batches over REST", () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  beforeAll(async () => {
    ctx = await startApp();
  });
  afterAll(() => ctx.stop());

  const done = (id: string) =>
    waitFor(`batch ${id}`, async () => {
      const r = await json(`${ctx.url}/api/batches/${id}`);
      return r.body.status !== "running" ? r.body : undefined;
    });

  it("registers every batch route through def (so the auth test covers them)", () => {
    const paths = REST_ROUTES.map((r) => `${r.method} ${r.path}`);
    for (const p of [
      "POST /api/pipelines/:id/batches",
      "GET /api/batches",
      "GET /api/batches/:id",
      "GET /api/batches/:id/events",
      "GET /api/batches/:id/results",
      "GET /api/batches/:id/errors",
      "POST /api/batches/:id/cancel",
      "POST /api/batches/:id/resume",
    ])
      expect(paths).toContain(p);
  });

  it("starts a batch from JSONL (202), runs it, and serves status, results and bad rows", async () => {
    const res = await json(`${ctx.url}/api/pipelines/sequential/batches?concurrency=4&seed=10`, {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: jsonl(20, ["not json"]),
    });
    expect(res.status).toBe(202);
    expect(res.body.batchId).toMatch(/^batch_/);
    expect(res.headers.get("location")).toBe(`/api/batches/${res.body.batchId}`);
    expect(res.body).toMatchObject({ pipelineId: "sequential", concurrency: 4, seed: 10, total: 21, format: "jsonl" });
    const id = res.body.batchId as string;

    const final = await done(id);
    expect(final.status).toBe("completed");
    expect(final.summary).toMatchObject({ status: "completed", ok: 20, failed: 0, badRows: 1, badRowLines: [21] });
    expect(Object.keys(final.summary.nodes)).toEqual(expect.arrayContaining(["basic", "enrich", "validate"]));
    expect(final.summary.usage.costUsd).toBeGreaterThan(0);

    const results = await fetch(`${ctx.url}/api/batches/${id}/results`);
    expect(results.status).toBe(200);
    expect(results.headers.get("content-type")).toMatch(/ndjson/);
    expect(results.headers.get("content-disposition")).toMatch(/attachment/);
    const rs = lines(await results.text()).map((l) => JSON.parse(l));
    expect(rs).toHaveLength(20);
    expect(new Set(rs.map((r) => r.seed))).toEqual(new Set(Array.from({ length: 20 }, (_, i) => 10 + i)));
    expect(rs[0]).toMatchObject({ status: "ok", output: expect.any(Object) });

    const errors = lines(await (await fetch(`${ctx.url}/api/batches/${id}/errors`)).text()).map((l) => JSON.parse(l));
    expect(errors).toEqual([expect.objectContaining({ line: 21, code: "E_PARSE", raw: "not json" })]);

    // Results live under the data folder.
    expect(existsSync(join(ctx.dataDir, "batches", id, "results.jsonl"))).toBe(true);
    expect(JSON.parse(readFileSync(join(ctx.dataDir, "batches", id, "batch.json"), "utf8")).status).toBe("completed");

    const list = await json(`${ctx.url}/api/batches`);
    expect(list.body.map((b: { id: string }) => b.id)).toContain(id);
  });

  it("accepts a JSON array of inputs and CSV", async () => {
    const arr = await json(`${ctx.url}/api/pipelines/sequential/batches`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([
        { country: "A", segment: "x" },
        { country: "B", segment: "y" },
      ]),
    });
    expect(arr.status).toBe(202);
    expect(arr.body.total).toBe(2);
    expect((await done(arr.body.batchId)).summary).toMatchObject({ ok: 2 });

    const csv = await json(`${ctx.url}/api/pipelines/sequential/batches`, {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body: "country,segment\nA,x\nB,y\nC,z,extra\n",
    });
    expect(csv.status).toBe(202);
    expect(csv.body.format).toBe("csv");
    expect((await done(csv.body.batchId)).summary).toMatchObject({ ok: 2, badRows: 1, badRowLines: [4] });
  });

  it("streams progress as server-sent events, ending with `finished`", async () => {
    const products = Array.from({ length: 40 }, (_, i) => JSON.stringify({ sku: `SKU-${i}`, category: "mouse" })).join("\n");
    const res = await json(`${ctx.url}/api/pipelines/parallel/batches?concurrency=2`, { method: "POST", body: products });
    expect(res.status).toBe(202);
    const events = await readBatchSse(`${ctx.url}/api/batches/${res.body.batchId}/events`);
    expect(events.length).toBeGreaterThanOrEqual(1);
    const last = events[events.length - 1];
    expect(last?.event).toBe("finished");
    expect(last?.data).toMatchObject({ id: res.body.batchId, status: "completed", summary: { ok: 40 } });
    for (const e of events.slice(0, -1)) expect(e.event).toBe("progress");
    // A finished batch's stream answers at once with its final state.
    const again = await readBatchSse(`${ctx.url}/api/batches/${res.body.batchId}/events`);
    expect(again.map((e) => e.event)).toEqual(["finished"]);
  });

  it("cancels and resumes a batch without running a record twice", async () => {
    const batches = ctx.app.services.batches;
    const res = await json(`${ctx.url}/api/pipelines/sequential/batches?concurrency=1`, { method: "POST", body: jsonl(400) });
    expect(res.status).toBe(202);
    const id = res.body.batchId as string;
    await waitFor("some results", () => ((batches.get(id)?.progress?.ok ?? 0) >= 5 ? true : undefined), 20_000, 1);
    const cancel = await json(`${ctx.url}/api/batches/${id}/cancel`, { method: "POST" });
    expect(cancel.body).toEqual({ batchId: id, cancelled: true });
    await batches.wait(id);
    const stopped = (await json(`${ctx.url}/api/batches/${id}`)).body;
    expect(stopped.status).toBe("cancelled");
    const partial = stopped.summary.ok as number;
    expect(partial).toBeLessThan(400);

    const resumed = await json(`${ctx.url}/api/batches/${id}/resume`, { method: "POST" });
    expect(resumed.status).toBe(202);
    const final = await done(id);
    expect(final.summary).toMatchObject({ status: "completed", ok: 400, resumed: partial, ran: 400 - partial });
    const rs = lines(await (await fetch(`${ctx.url}/api/batches/${id}/results`)).text()).map((l) => JSON.parse(l));
    expect(rs).toHaveLength(400);
    expect(new Set(rs.map((r) => r.line)).size).toBe(400);

    const twice = await json(`${ctx.url}/api/batches/${id}/resume`, { method: "POST" });
    expect(twice.status).toBe(409);
  });

  it("answers bad requests with a coded error", async () => {
    expect((await json(`${ctx.url}/api/pipelines/nope/batches`, { method: "POST", body: jsonl(1) })).status).toBe(404);
    const conc = await json(`${ctx.url}/api/pipelines/sequential/batches?concurrency=0`, { method: "POST", body: jsonl(1) });
    expect(conc.status).toBe(400);
    expect(conc.body.error.message).toMatch(/concurrency/);
    const empty = await json(`${ctx.url}/api/pipelines/sequential/batches`, { method: "POST", body: "  \n" });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toMatch(/empty/);
    const notArray = await json(`${ctx.url}/api/pipelines/sequential/batches`, { method: "POST", body: "[1, 2" });
    expect(notArray.status).toBe(400);
    expect(notArray.body.error.code).toBe("E_PARSE");
    const dup = await json(`${ctx.url}/api/pipelines/sequential/batches`, { method: "POST", headers: { "content-type": "text/csv" }, body: "a,a\n1,2\n" });
    expect(dup.status).toBe(400);
    expect(dup.body.error.message).toMatch(/twice/);
    for (const path of ["/api/batches/batch_nope_00000000", "/api/batches/..", "/api/batches/x/results"])
      expect((await json(`${ctx.url}${path}`)).status).toBe(404);
    // Refused uploads leave no batch folder behind.
    const listed = (await json(`${ctx.url}/api/batches`)).body as Array<{ total: number }>;
    expect(listed.some((b) => b.total === 0)).toBe(false);
  });

  it("describes the batch routes in the OpenAPI document", async () => {
    const doc = (await json(`${ctx.url}/api/openapi.json`)).body;
    const routes: Array<[path: string, method: "get" | "post", success: string]> = [
      ["/api/pipelines/{id}/batches", "post", "202"],
      ["/api/batches", "get", "200"],
      ["/api/batches/{id}", "get", "200"],
      ["/api/batches/{id}/events", "get", "200"],
      ["/api/batches/{id}/results", "get", "200"],
      ["/api/batches/{id}/errors", "get", "200"],
      ["/api/batches/{id}/cancel", "post", "200"],
      ["/api/batches/{id}/resume", "post", "202"],
    ];
    for (const [p, method, success] of routes)
      expect(doc.paths[p]?.[method], `${method.toUpperCase()} ${p}`).toMatchObject({
        summary: expect.stringMatching(/\w/),
        responses: { [success]: { description: expect.any(String) } },
      });
    for (const [p, method] of routes.filter(([p]) => p.includes("{id}")))
      expect(doc.paths[p][method].parameters, `${method.toUpperCase()} ${p}`).toContainEqual(
        expect.objectContaining({ name: "id", in: "path", required: true }),
      );
    expect(doc.components.schemas.Batch).toMatchObject({ type: "object", properties: { batchId: { type: "string" }, total: { type: "integer" } } });
  });
});

describe("batches across a server restart", () => {
  it("a shutdown interrupts a running batch; after a restart it resumes where it stopped", async () => {
    const { dir, cleanup } = tempDir();
    const config = configFromEnv({ BRAID_DATA_DIR: dir, BRAID_PORT: "0", BRAID_SIM_LATENCY: "zero", BRAID_SHUTDOWN_GRACE_MS: "100" });
    try {
      const first = await createApp(config);
      const url1 = await first.listen();
      const res = await json(`${url1}/api/pipelines/sequential/batches?concurrency=1`, { method: "POST", body: jsonl(300) });
      expect(res.status).toBe(202);
      const id = res.body.batchId as string;
      const batches1 = first.services.batches;
      await waitFor("some results", () => ((batches1.get(id)?.progress?.ok ?? 0) >= 3 ? true : undefined), 20_000, 1);
      await first.close();
      const stopped = await batches1.wait(id);
      expect(stopped?.status).toBe("interrupted");
      const partial = stopped?.summary?.ok ?? 0;
      expect(partial).toBeGreaterThan(0);
      expect(partial).toBeLessThan(300);

      const second = await createApp(config);
      const url2 = await second.listen();
      try {
        expect((await json(`${url2}/api/batches/${id}`)).body.status).toBe("interrupted");
        expect((await json(`${url2}/api/batches/${id}/resume`, { method: "POST" })).status).toBe(202);
        const final = await second.services.batches.wait(id);
        expect(final?.summary).toMatchObject({ status: "completed", ok: 300, resumed: partial });
        const rs = lines(await (await fetch(`${url2}/api/batches/${id}/results`)).text()).map((l) => JSON.parse(l));
        expect(rs).toHaveLength(300);
        expect(new Set(rs.map((r) => r.line)).size).toBe(300);
      } finally {
        await second.close();
      }
    } finally {
      cleanup();
    }
  });
});
