/**
 * The backend override and the `estimated` usage flag over REST: a batch honours X-Braid-Backend
 * and X-LLM-Backend exactly as a run does (an unknown name is a 400 naming the header and the
 * name), and run results, run records (REST and `braid runs show`) and batch summaries keep `estimated` when a backend
 * answered without usage. Against an OpenAI-compatible loopback stub.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Stub, followInstructions, startOpenAiStub } from "@braid/engine/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./cli-capture.js";
import { json, profileJsonl, startApp, tempDir, waitFor } from "./helpers.js";

describe("REST backend override and estimated usage", () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  let stub: Stub;
  let data: ReturnType<typeof tempDir>;
  beforeAll(async () => {
    stub = await startOpenAiStub({ reply: followInstructions });
    data = tempDir();
    writeFileSync(
      join(data.dir, "backends.json"),
      JSON.stringify({ backends: [{ name: "stub", provider: "openai", model: "gpt-stub", baseUrl: `${stub.url}/v1`, retries: 0 }] }),
    );
    ctx = await startApp({ BRAID_DATA_DIR: data.dir });
  });
  afterAll(async () => {
    await ctx.stop();
    await stub.close();
    data.cleanup();
  });

  const batchDone = (id: string) =>
    waitFor(`batch ${id}`, async () => {
      const r = await json(`${ctx.url}/api/batches/${id}`);
      return r.body.status !== "running" ? r.body : undefined;
    });

  it("runs a batch's every LLM node on the backend named by X-Braid-Backend or X-LLM-Backend", async () => {
    for (const header of ["x-braid-backend", "x-llm-backend"]) {
      const before = stub.requests.length;
      const res = await json(`${ctx.url}/api/pipelines/sequential/batches?concurrency=2`, {
        method: "POST",
        headers: { "content-type": "application/x-ndjson", [header]: "stub" },
        body: profileJsonl(3),
      });
      expect(res.status).toBe(202);
      expect(res.body.backend).toBe("stub");
      const b = await batchDone(res.body.batchId);
      expect({ header, status: b.status, ok: b.summary.ok }).toEqual({ header, status: "completed", ok: 3 });
      // sequential has three LLM nodes per record, all on the stub, none on the simulated tiers.
      expect(stub.requests.length - before).toBe(9);
    }
  });

  it("refuses an unknown backend name with a coded 400 naming the header and the name, and starts nothing", async () => {
    const before = (await json(`${ctx.url}/api/batches`)).body.length;
    for (const [header, label] of [
      ["x-braid-backend", "X-Braid-Backend"],
      ["x-llm-backend", "X-LLM-Backend"],
    ]) {
      const res = await json(`${ctx.url}/api/pipelines/sequential/batches`, {
        method: "POST",
        headers: { "content-type": "application/x-ndjson", [header as string]: "ghost" },
        body: profileJsonl(2),
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("E_UNKNOWN_BACKEND");
      expect(res.body.error.message).toMatch(new RegExp(`^${label}: no backend or group named "ghost"; configured: .*\\bstub\\b`));
    }
    const run = await json(`${ctx.url}/api/pipelines/sequential/runs`, { method: "POST", headers: { "x-braid-backend": "ghost" } });
    expect(run.body.error.message).toMatch(/^X-Braid-Backend: no backend or group named "ghost"/);
    expect((await json(`${ctx.url}/api/batches`)).body.length).toBe(before);
  });

  it("keeps `estimated` in a run's result and record, and in a batch's summary, when the backend reports no usage", async () => {
    // sequential makes three calls a record: one run plus a two-record batch.
    stub.script(...Array.from({ length: 9 }, () => ({ type: "ok" as const, usage: false })));
    const run = await json(`${ctx.url}/api/pipelines/sequential/runs?wait=true`, { method: "POST", headers: { "x-braid-backend": "stub" } });
    expect(run.body.status).toBe("completed");
    expect(run.body.usage).toMatchObject({ estimated: true, inputTokens: expect.any(Number) });
    expect((await json(`${ctx.url}/api/runs/${run.body.runId}`)).body.usage.estimated).toBe(true);
    const shown = await runCli("runs", "show", run.body.runId, "--data-dir", data.dir, "--json");
    expect(JSON.parse(shown.out).usage.estimated).toBe(true);
    const res = await json(`${ctx.url}/api/pipelines/sequential/batches?concurrency=1`, {
      method: "POST",
      headers: { "content-type": "application/x-ndjson", "x-braid-backend": "stub" },
      body: profileJsonl(2),
    });
    const b = await batchDone(res.body.batchId);
    expect(b.summary.usage.estimated).toBe(true);
    // Usage the backend did report stays exact: no flag.
    const exact = await json(`${ctx.url}/api/pipelines/sequential/runs?wait=true`, { method: "POST", headers: { "x-braid-backend": "stub" } });
    expect(exact.body.usage.estimated).toBeUndefined();
  });
});
