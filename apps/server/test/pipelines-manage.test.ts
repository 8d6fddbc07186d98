import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, startApp } from "./helpers.js";

/** Managing saved pipelines over tRPC, as the web app's pipelines list does. */
describe("pipelines: search, rename, duplicate, delete to the bin and back, version diff", () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  beforeAll(async () => {
    ctx = await startApp();
  });
  afterAll(() => ctx.stop());

  const query = async (path: string, input?: unknown) => {
    const r = await json(`${ctx.url}/trpc/${path}${input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`}`);
    return r.status === 200 ? r.body.result.data : { status: r.status, error: r.body.error };
  };
  const mutate = async (path: string, input: unknown) => {
    const r = await json(`${ctx.url}/trpc/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(input) });
    return r.status === 200 ? r.body.result.data : { status: r.status, error: r.body.error };
  };

  it("searches by name or id, literally (a % or _ matches only itself)", async () => {
    const all = await query("pipelines.list");
    expect(all.length).toBeGreaterThan(3);
    const hits = await query("pipelines.list", { query: "ROUTING" });
    expect(hits.map((p: { id: string }) => p.id)).toEqual(["smart-routing"]);
    expect(await query("pipelines.list", { query: "%" })).toEqual([]);
  });

  it("renames as a new version, duplicates under a new id, and diffs two versions", async () => {
    const renamed = await mutate("pipelines.rename", { id: "sequential", name: "Profiles, renamed" });
    expect(renamed).toMatchObject({ id: "sequential", name: "Profiles, renamed", version: 2 });
    const versions = await query("pipelines.versions", { id: "sequential" });
    expect(versions[0]).toMatchObject({ version: 2, message: expect.stringContaining("renamed from") });
    const diff = await query("pipelines.diff", { id: "sequential", from: 1, to: 2 });
    expect(diff).toMatchObject({ fields: ["name"], nodes: { added: [], removed: [], changed: [] }, layoutOnly: false });

    const copy = await mutate("pipelines.duplicate", { id: "sequential" });
    expect(copy).toMatchObject({ name: "Profiles, renamed (copy)", version: 1 });
    expect(copy.id).not.toBe("sequential");
    const got = await query("pipelines.get", { id: copy.id });
    const original = await query("pipelines.get", { id: "sequential" });
    expect(got.pipeline.nodes).toEqual(original.pipeline.nodes);
  });

  it("deletes to the bin, keeps the runs, and restores; unknown ids are 404", async () => {
    const start = await mutate("runs.start", { pipelineId: "parallel" });
    expect(start.runId).toMatch(/^run_/);
    expect(await mutate("pipelines.delete", { id: "parallel" })).toEqual({ deleted: "parallel" });
    expect((await query("pipelines.list")).map((p: { id: string }) => p.id)).not.toContain("parallel");
    const bin = await query("pipelines.list", { deleted: true });
    expect(bin.map((p: { id: string }) => p.id)).toEqual(["parallel"]);
    expect(bin[0].deletedAt).toBeGreaterThan(0);
    expect((await query("runs.get", { runId: start.runId })).pipelineId).toBe("parallel");
    expect(await mutate("pipelines.undelete", { id: "parallel" })).toEqual({ restored: "parallel" });
    expect((await query("pipelines.list")).map((p: { id: string }) => p.id)).toContain("parallel");
    expect(await mutate("pipelines.undelete", { id: "parallel" })).toMatchObject({ status: 404 });
    expect(await mutate("pipelines.rename", { id: "nope", name: "x" })).toMatchObject({ status: 404 });
    expect(await mutate("pipelines.rename", { id: "parallel", name: "   " })).toMatchObject({ status: 400 });
    expect(await query("pipelines.diff", { id: "parallel", from: 1, to: 9 })).toMatchObject({ status: 404 });
  });
});
