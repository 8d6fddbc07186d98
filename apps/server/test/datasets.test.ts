import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, startApp } from "./helpers.js";

const DATASET = fileURLToPath(new URL("../../../examples/datasets/validation-loop.jsonl", import.meta.url));
const jsonl = readFileSync(DATASET, "utf8").split("\n").slice(0, 5).join("\n");

async function trpc(base: string, path: string, input: unknown, method: "GET" | "POST" = "POST") {
  const r =
    method === "GET"
      ? await json(`${base}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`)
      : await json(`${base}/trpc/${path}`, { method: "POST", body: JSON.stringify(input) });
  return { status: r.status, data: r.body?.result?.data, error: r.body?.error };
}

const upload = (base: string, path: string, body: string, type: string) => json(`${base}${path}`, { method: "POST", headers: { "content-type": type }, body });

describe("datasets", () => {
  let app: Awaited<ReturnType<typeof startApp>>;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app.stop();
  });

  it("stores a JSONL upload as version 1 with the library's content hash, and previews it", async () => {
    const r = await upload(app.url, "/api/datasets?name=skus", jsonl, "application/x-ndjson");
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ name: "skus", version: 1, records: 5, created: true });
    expect(r.body.hash).toMatch(/^[0-9a-f]{16}$/);
    const got = await json(`${app.url}/api/datasets/${r.body.id}?preview=2`);
    expect(got.status).toBe(200);
    expect(got.body.preview).toEqual([
      { input: { sku: "WM-100" }, expected: "WM-100", tags: ["home"] },
      { input: { sku: "KB-108" }, expected: "KB-108", tags: ["office"] },
    ]);
    expect(got.body.current).toMatchObject({ version: 1, format: "jsonl", records: 5 });
    expect((await json(`${app.url}/api/datasets`)).body.map((d: { id: string }) => d.id)).toContain(r.body.id);
  });

  it("stores a CSV upload (header row, expected and tags columns)", async () => {
    const csv = 'sku,expected,tags\nWM-100,WM-100,"home,sale"\n"KB,108",KB-108,\n';
    const r = await upload(app.url, "/api/datasets?name=csv", csv, "text/csv");
    expect(r.status).toBe(201);
    const got = await json(`${app.url}/api/datasets/${r.body.id}`);
    expect(got.body.current.format).toBe("csv");
    expect(got.body.preview).toEqual([
      { input: { sku: "WM-100" }, expected: "WM-100", tags: ["home", "sale"] },
      { input: { sku: "KB,108" }, expected: "KB-108" },
    ]);
  });

  it("versions: new content is version N+1; the same content again is a no-op with the same hash", async () => {
    const first = await upload(app.url, "/api/datasets?name=versions", jsonl, "application/x-ndjson");
    const id = first.body.id;
    const same = await upload(app.url, `/api/datasets/${id}/versions`, `\n${jsonl}\n\n`, "application/x-ndjson");
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ version: 1, created: false, hash: first.body.hash });
    const more = `${jsonl}\n{"sku":"ZZ-1"}`;
    const next = await upload(app.url, `/api/datasets/${id}/versions`, more, "application/x-ndjson");
    expect(next.status).toBe(201);
    expect(next.body).toMatchObject({ version: 2, records: 6, created: true });
    expect(next.body.hash).not.toBe(first.body.hash);
    const v1 = await json(`${app.url}/api/datasets/${id}?version=1`);
    expect(v1.body.current).toMatchObject({ version: 1, records: 5, hash: first.body.hash });
    expect(v1.body.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    // tRPC: the same upload path with { id } adds a version.
    const t = await trpc(app.url, "datasets.create", { id, format: "jsonl", text: jsonl });
    expect(t.data).toMatchObject({ version: 3, records: 5, created: true, hash: first.body.hash });
  });

  it("bad rows: 400 E_DATASET listing every line number, and nothing is stored", async () => {
    const before = (await json(`${app.url}/api/datasets`)).body.length;
    const bad = `${jsonl}\n{not json\n{"input":{"sku":"A"},"extra":1}\n[1,2]`;
    const r = await upload(app.url, "/api/datasets?name=bad", bad, "application/x-ndjson");
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("E_DATASET");
    expect(r.body.error.problems.map((p: { line: number }) => p.line)).toEqual([6, 7, 8]);
    expect(r.body.error.message).toMatch(/line 6: .*line 7: .*line 8: /);
    const csv = await upload(app.url, "/api/datasets?name=badcsv", 'sku,expected\nA,B\nC\n"D,E\n', "text/csv");
    expect(csv.status).toBe(400);
    expect(csv.body.error.problems.map((p: { line: number }) => p.line)).toEqual([3, 4]);
    const t = await trpc(app.url, "datasets.create", { name: "bad", format: "jsonl", text: bad });
    expect(t.error.data.braidCode).toBe("E_DATASET");
    expect((await json(`${app.url}/api/datasets`)).body.length).toBe(before);
  });

  it("limits and request checks: empty upload, a text/plain body, an unknown dataset, no name", async () => {
    expect((await upload(app.url, "/api/datasets?name=empty", "\n\n", "application/x-ndjson")).body.error.code).toBe("E_DATASET");
    expect((await upload(app.url, "/api/datasets?name=plain", jsonl, "text/plain")).status).toBe(415);
    expect((await upload(app.url, "/api/datasets", jsonl, "application/x-ndjson")).status).toBe(400);
    expect((await upload(app.url, "/api/datasets/ds_nope/versions", jsonl, "application/x-ndjson")).status).toBe(404);
    expect((await json(`${app.url}/api/datasets/ds_nope`)).status).toBe(404);
  });

  it("a version holds at most 100,000 records: one more is 413 E_DATASET_TOO_LARGE", async () => {
    const body = `${'{"sku":"A-1"}\n'.repeat(100_001)}`;
    const r = await upload(app.url, "/api/datasets?name=huge", body, "application/x-ndjson");
    expect([r.status, r.body.error.code]).toEqual([413, "E_DATASET_TOO_LARGE"]);
  });

  it("addRun: a completed run's input and output become a new version's last record (expected = output)", async () => {
    const d = await upload(app.url, "/api/datasets?name=from-runs", jsonl, "application/x-ndjson");
    const run = await json(`${app.url}/api/pipelines/validation-loop/runs?wait=true`, { method: "POST", body: JSON.stringify({ sku: "AB-1" }) });
    expect(run.body.status).toBe("completed");
    const r = await json(`${app.url}/api/datasets/${d.body.id}/records`, { method: "POST", body: JSON.stringify({ runId: run.body.runId }) });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ version: 2, records: 6 });
    const got = await json(`${app.url}/api/datasets/${d.body.id}?preview=10`);
    expect(got.body.preview[5]).toEqual({ input: { sku: "AB-1" }, expected: run.body.output });
    const t = await trpc(app.url, "datasets.addRun", { datasetId: d.body.id, runId: run.body.runId });
    expect(t.data).toMatchObject({ version: 3, records: 7 });
    const unknown = await json(`${app.url}/api/datasets/${d.body.id}/records`, { method: "POST", body: JSON.stringify({ runId: "run_nope" }) });
    expect(unknown.status).toBe(404);
  });

  it("delete removes a dataset and its versions", async () => {
    const d = await upload(app.url, "/api/datasets?name=gone", jsonl, "application/x-ndjson");
    expect((await json(`${app.url}/api/datasets/${d.body.id}`, { method: "DELETE" })).status).toBe(200);
    expect((await json(`${app.url}/api/datasets/${d.body.id}`)).status).toBe(404);
    expect((await json(`${app.url}/api/datasets/${d.body.id}`, { method: "DELETE" })).status).toBe(404);
  });
});
