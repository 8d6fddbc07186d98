import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, readSse, startApp } from "./helpers.js";

describe("REST API for applications", () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  beforeAll(async () => {
    ctx = await startApp({ BRAID_BODY_LIMIT: "2048" });
  });
  afterAll(() => ctx.stop());

  it("runs a saved pipeline and waits for the result", async () => {
    const r = await json(`${ctx.url}/api/pipelines/sequential/runs?wait=true&seed=3`, {
      method: "POST",
      body: JSON.stringify({ country: "Chile", segment: "nurses" }),
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      runId: expect.any(String),
      status: "completed",
      output: { name: expect.any(String) },
      usage: { inputTokens: expect.any(Number) },
    });
  });

  it("starts a run with 202, streams its events over SSE and honours Last-Event-ID", async () => {
    const r = await json(`${ctx.url}/api/pipelines/parallel/runs`, { method: "POST" });
    expect(r.status).toBe(202);
    expect(r.headers.get("location")).toBe(`/api/runs/${r.body.runId}`);
    const all = await readSse(`${ctx.url}/api/runs/${r.body.runId}/events`);
    expect(all.map((e) => e.id)).toEqual(all.map((_, i) => i + 1));
    expect(all.at(-1)?.event.type).toBe("run_finished");
    const tail = await readSse(`${ctx.url}/api/runs/${r.body.runId}/events`, { "last-event-id": "5" });
    expect(tail.map((e) => e.id)).toEqual(all.slice(5).map((e) => e.id));
    const run = await json(`${ctx.url}/api/runs/${r.body.runId}`);
    expect(run.body).toMatchObject({ id: r.body.runId, status: "completed", pipelineId: "parallel", pipelineVersion: 1 });
  });

  it("runs every LLM node on the backend named by X-Braid-Backend or X-LLM-Backend", async () => {
    for (const header of ["x-braid-backend", "x-llm-backend"]) {
      const r = await json(`${ctx.url}/api/pipelines/sequential/runs?wait=true`, { method: "POST", headers: { [header]: "validator" } });
      const events = (await ctx.app.services.runs.events(r.body.runId)).map((e) => e.event);
      const backends = new Set(events.flatMap((e) => (e.type === "node_finished" && e.backend ? [e.backend] : [])));
      expect([...backends]).toEqual(["validator"]);
    }
  });

  it("answers bad requests with 4xx and a clear message, never a stack", async () => {
    const cases: Array<[string, RequestInit, number, string]> = [
      ["/api/pipelines/sequential/runs", { method: "POST", body: "{oops" }, 400, "E_PARSE"],
      ["/api/pipelines/nope/runs", { method: "POST" }, 404, "E_NOT_FOUND"],
      ["/api/pipelines/sequential/runs", { method: "POST", body: JSON.stringify({ pad: "x".repeat(5000) }) }, 413, "E_BODY_TOO_LARGE"],
      ["/api/pipelines/sequential/runs", { method: "POST", headers: { "x-braid-backend": "ghost" } }, 400, "E_UNKNOWN_BACKEND"],
      ["/api/runs/nope", {}, 404, "E_NOT_FOUND"],
      ["/api/runs/nope/events", {}, 404, "E_NOT_FOUND"],
      ["/api/pipelines/sequential/runs", { method: "GET" }, 405, "E_METHOD"],
      ["/api/nothing", {}, 404, "E_NOT_FOUND"],
    ];
    for (const [path, init, status, code] of cases) {
      const r = await json(`${ctx.url}${path}`, init);
      expect({ path, status: r.status, code: r.body.error?.code }).toEqual({ path, status, code });
      expect(JSON.stringify(r.body)).not.toMatch(/at .*\.ts:\d+/);
    }
  });

  it("refuses input that fails the pipeline's input schema, naming the field", async () => {
    const p = (await ctx.app.services.pipelines.get("sequential"))?.pipeline;
    if (!p) throw new Error("sequential is not seeded");
    await ctx.app.services.pipelines.save(
      {
        ...p,
        input: { example: { country: "x", segment: "y" }, schema: { type: "object", required: ["country"], properties: { country: { type: "string" } } } },
      },
      { id: "strict" },
    );
    const r = await json(`${ctx.url}/api/pipelines/strict/runs`, { method: "POST", body: JSON.stringify({ country: 7 }) });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: "E_INPUT_SCHEMA", message: expect.stringContaining("/country must be string") });
  });

  it("cancels a run", async () => {
    const slow = await startApp({ BRAID_SIM_LATENCY: "realistic" });
    try {
      const r = await json(`${slow.url}/api/pipelines/sequential/runs`, { method: "POST" });
      const c = await json(`${slow.url}/api/runs/${r.body.runId}/cancel`, { method: "POST" });
      expect(c.body).toEqual({ runId: r.body.runId, cancelled: true });
      const events = await readSse(`${slow.url}/api/runs/${r.body.runId}/events`);
      expect(events.at(-1)?.event.type).toBe("run_cancelled");
    } finally {
      await slow.stop();
    }
  });

  it("describes itself in OpenAPI", async () => {
    const r = await json(`${ctx.url}/api/openapi.json`);
    expect(r.body.openapi).toBe("3.1.0");
    expect(Object.keys(r.body.paths)).toEqual(
      expect.arrayContaining(["/api/pipelines/{id}/runs", "/api/runs/{id}", "/api/runs/{id}/events", "/api/runs/{id}/cancel", "/healthz"]),
    );
  });
});
