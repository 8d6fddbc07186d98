import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApiDocument } from "../src/http/openapi.js";
import { REST_ROUTES } from "../src/http/rest.js";
import { json } from "./helpers.js";
import { type Ctx, boot, post, put, runMany, runOnce, saveWithBackend, tagVersions, trpc, trpcQuery } from "./optimizer-helpers.js";

let ctx: Ctx;
let url: string;
beforeAll(async () => {
  ctx = await boot(0);
  url = ctx.url;
});
afterAll(() => ctx.stop());

describe("versions you deploy", () => {
  it("runs the latest version when untagged, live when tagged, ?version=N when asked; each run records its version", async () => {
    const v2 = await saveWithBackend(url, "parallel", "details", "enricher");
    expect((await runOnce(url, "parallel")).body).toMatchObject({ pipelineVersion: v2, traffic: "latest", status: "completed" });
    await post(`${url}/api/pipelines/parallel/tags`, { tag: "live", version: 1 });
    const live = await runOnce(url, "parallel");
    expect(live.body).toMatchObject({ pipelineVersion: 1, traffic: "live" });
    expect(live.headers.get("x-braid-pipeline-version")).toBe("1");
    const pinned = await runOnce(url, "parallel", { version: v2 });
    expect(pinned.body).toMatchObject({ pipelineVersion: v2, traffic: "pinned" });
    expect((await json(`${url}/api/runs/${pinned.body.runId}`)).body).toMatchObject({ pipelineVersion: v2, options: { traffic: "pinned" } });
  });

  it("refuses a missing or malformed version with a coded error, and promote without a candidate", async () => {
    expect(await runOnce(url, "parallel", { version: 99 })).toMatchObject({ status: 404, body: { error: { code: "E_VERSION_NOT_FOUND" } } });
    const bad = await post(`${url}/api/pipelines/parallel/runs?version=1.5`);
    expect(bad).toMatchObject({ status: 400, body: { error: { code: "E_BAD_REQUEST" } } });
    expect((await post(`${url}/api/pipelines/parallel/tags`, { tag: "candidate", version: 42 })).status).toBe(404);
    expect((await post(`${url}/api/pipelines/parallel/tags`, { tag: "canary", version: 1 })).status).toBe(400);
    expect(await post(`${url}/api/pipelines/parallel/promote`)).toMatchObject({ status: 409, body: { error: { code: "E_NO_CANDIDATE" } } });
    expect((await json(`${url}/api/pipelines/nope/deployment`)).status).toBe(404);
    const t = await trpc(url, "deployments.tag", { pipelineId: "parallel", tag: "live", version: 42 });
    expect(t.error?.data).toMatchObject({ code: "NOT_FOUND", braidCode: "E_VERSION_NOT_FOUND" });
  });

  it("tags, promotes and restores through the API, with each version's tags in the view", async () => {
    await post(`${url}/api/pipelines/parallel/tags`, { tag: "candidate", version: 2 });
    let view = (await json(`${url}/api/pipelines/parallel/deployment`)).body;
    expect(view).toMatchObject({ live: 1, candidate: 2, liveVersion: 1, latest: 2 });
    expect(view.versions.map((v: { version: number; tags: string[] }) => [v.version, v.tags])).toEqual([
      [2, ["candidate"]],
      [1, ["live"]],
    ]);
    expect((await trpc(url, "deployments.promote", { pipelineId: "parallel", reason: "looks good" })).data).toEqual({ live: 2 });
    expect((await post(`${url}/api/pipelines/parallel/restore`, { version: 1 })).body).toEqual({ live: 1 });
    expect((await json(`${url}/api/pipelines/parallel/tags/live`, { method: "DELETE" })).body).toEqual({});
    view = (await json(`${url}/api/pipelines/parallel/deployment`)).body;
    expect(view.liveVersion).toBe(2);
    const audit = (await json(`${url}/api/audit?pipelineId=parallel`)).body.map((e: { action: string }) => e.action).reverse();
    expect(audit).toEqual(["save", "tag", "tag", "promote", "restore", "untag"]);
  });
});

describe("deployment policy over the API", () => {
  it("names the bad fields in a coded 400 (REST and tRPC), and stores a good policy with defaults", async () => {
    const r = await put(`${url}/api/pipelines/sequential/policy`, { enabled: true, canaryPercent: 120, gates: ["errorRate <= 0.05", "quality > 1"] });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("E_POLICY");
    expect(r.body.error.message).toMatch(/canaryPercent:/);
    const g = await put(`${url}/api/pipelines/sequential/policy`, { gates: ["errorRate <= 0.05", "quality > 1"] });
    expect(g.body.error).toMatchObject({ code: "E_POLICY", message: expect.stringMatching(/^gates\[1\]: .*unknown metric "quality"/) });
    const t = await trpc(url, "deployments.setPolicy", { pipelineId: "sequential", policy: { minSamples: -3 } });
    expect(t.error).toMatchObject({ message: expect.stringMatching(/minSamples/), data: { braidCode: "E_POLICY" } });
    const ok = await put(`${url}/api/pipelines/sequential/policy`, { enabled: true, gates: ["errorRate <= 0.05", "p95LatencyMs <= 800"] });
    expect(ok.body).toMatchObject({ enabled: true, canaryPercent: 10, minSamples: 20, manualApprovalRequired: true });
    expect((await json(`${url}/api/pipelines/sequential/policy`)).body).toEqual(ok.body);
  });

  it("lists quality gates by name and changes a threshold, audited as a gate change", async () => {
    const gates = (await json(`${url}/api/optimizer/quality-gates?pipelineId=sequential`)).body;
    expect(gates.map((g: { name: string; threshold?: number }) => [g.name, g.threshold])).toEqual([
      ["errorRate", 0.05],
      ["p95LatencyMs", 800],
    ]);
    const r = await post(`${url}/api/optimizer/quality-gates/p95LatencyMs`, { pipelineId: "sequential", threshold: 500 });
    expect(r.body).toMatchObject({ before: "p95LatencyMs <= 800", after: "p95LatencyMs <= 500" });
    expect((await json(`${url}/api/pipelines/sequential/policy`)).body.gates).toEqual(["errorRate <= 0.05", "p95LatencyMs <= 500"]);
    const entry = (await json(`${url}/api/audit?action=gate-change`)).body[0];
    expect(entry).toMatchObject({ actor: "local", pipelineId: "sequential", reason: "gate p95LatencyMs: p95LatencyMs <= 800 → p95LatencyMs <= 500" });
    expect(entry.evidence.before.gates).toContain("p95LatencyMs <= 800");
    const missing = await post(`${url}/api/optimizer/quality-gates/costPer1k`, { pipelineId: "sequential", threshold: 1 });
    expect(missing).toMatchObject({ status: 400, body: { error: { code: "E_POLICY" } } });
  });
});

describe("pending approvals", () => {
  it("a request for a version that is no longer the candidate goes stale at the next cycle, and cannot be approved", async () => {
    const v = await saveWithBackend(url, "smart-routing", "fast", "enricher");
    await tagVersions(url, "smart-routing", 1, v);
    await put(`${url}/api/pipelines/smart-routing/policy`, { enabled: true, canaryPercent: 50, minSamples: 2, gates: ["errorRate <= 0.05"] });
    await runMany(url, "smart-routing", 3, { version: v });
    const asked = (await post(`${url}/api/optimizer/trigger`)).body.pipelines.find((p: { pipelineId: string }) => p.pipelineId === "smart-routing");
    expect(asked.decision.action).toBe("queue-approval");
    await json(`${url}/api/pipelines/smart-routing/tags/candidate`, { method: "DELETE" });
    await post(`${url}/api/optimizer/trigger`);
    expect((await json(`${url}/api/optimizer/pending?pipelineId=smart-routing`)).body).toEqual([
      expect.objectContaining({ id: asked.pendingActionId, status: "stale", decidedBy: "optimizer" }),
    ]);
    expect((await post(`${url}/api/optimizer/pending/${asked.pendingActionId}/approve`)).status).toBe(409);
    expect((await post(`${url}/api/optimizer/pending/act_nope/reject`)).status).toBe(404);
    await put(`${url}/api/pipelines/smart-routing/policy`, { enabled: false });
  });
});

describe("the cheaper-backend suggestion", () => {
  it("when cost passes 80 % of the budget, names the next cheaper backend for the dearest node", async () => {
    await put(`${url}/api/pipelines/validation-loop/policy`, { enabled: true });
    await runMany(url, "validation-loop", 3);
    const costPer1k = (await json(`${url}/api/pipelines/validation-loop/metrics`)).body.live.costPer1k as number;
    expect(costPer1k).toBeGreaterThan(0);
    const cycleAt = async (share: number) => {
      await put(`${url}/api/pipelines/validation-loop/policy`, { enabled: true, budget: { usdPer1kRuns: costPer1k / share } });
      const cycle = (await post(`${url}/api/optimizer/trigger`)).body;
      return cycle.pipelines.find((x: { pipelineId: string }) => x.pipelineId === "validation-loop");
    };
    const p = await cycleAt(0.85);
    expect(p.budget).toMatchObject({ kind: "usdPer1kRuns", actual: costPer1k });
    expect(p.budget.share).toBeCloseTo(0.85, 6);
    // validation-loop's dearest nodes run on "validator" (premium); the next tier down is "enricher".
    expect(p.suggestion).toMatchObject({ type: "cheaper-backend", from: "validator", to: "enricher" });
    expect(p.suggestion.toPrice).toBeLessThan(p.suggestion.fromPrice);
    const calm = await cycleAt(0.75);
    expect(calm.budget).toBeUndefined();
    expect(calm.suggestion).toBeUndefined();
  });
});

describe("the audit trail", () => {
  it("cannot be changed: no route writes it, and the database refuses updates and deletes", async () => {
    expect((await json(`${url}/api/audit`, { method: "DELETE" })).status).toBe(405);
    expect((await post(`${url}/api/audit`, {})).status).toBe(405);
    const db = (ctx.app.services.audit as unknown as { db: { prepare(s: string): { run(): unknown } } }).db;
    expect(() => db.prepare("UPDATE audit_log SET reason = 'x'").run()).toThrow(/append-only/);
    expect(() => db.prepare("DELETE FROM audit_log").run()).toThrow(/append-only/);
  });

  it("filters by pipeline and action, limits, and exports JSONL oldest first", async () => {
    const two = (await json(`${url}/api/audit?limit=2`)).body;
    expect(two).toHaveLength(2);
    expect(two[0].id).toBeGreaterThan(two[1].id);
    const tags = (await json(`${url}/api/audit?action=tag&pipelineId=parallel`)).body;
    expect(tags.length).toBeGreaterThan(0);
    expect(tags.every((e: { action: string; pipelineId: string }) => e.action === "tag" && e.pipelineId === "parallel")).toBe(true);
    const res = await fetch(`${url}/api/audit?format=jsonl&action=tag`);
    expect(res.headers.get("content-type")).toMatch(/application\/x-ndjson/);
    const lines = (await res.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual([...lines.map((l) => l.id)].sort((a, b) => a - b));
    expect((await json(`${url}/api/audit?action=erase`)).status).toBe(400);
    expect((await trpcQuery(url, "deployments.audit.export", { action: "tag" })).data.jsonl.trim().split("\n")).toHaveLength(lines.length);
  });
});

describe("the OpenAPI document", () => {
  it("describes every deployment, optimizer and audit route", () => {
    const doc = openApiDocument() as { paths: Record<string, Record<string, { summary?: string; responses?: object }>> };
    const ours = REST_ROUTES.filter((r) => /^\/api\/(optimizer|audit)|^\/api\/pipelines\/:id\/(deployment|tags|promote|restore|policy|metrics)/.test(r.path));
    expect(ours.length).toBeGreaterThanOrEqual(20);
    for (const r of ours) {
      const op = doc.paths[r.path.replace(/:(\w+)/g, "{$1}")]?.[r.method.toLowerCase()];
      expect(op?.summary, `${r.method} ${r.path}`).toMatch(/\w/);
      expect(Object.keys(op?.responses ?? {}), `${r.method} ${r.path}`).toContain("401");
    }
  });
});

describe("live metrics over the API", () => {
  it("reports live and candidate metrics per version over a window", async () => {
    const bad = await saveWithBackend(url, "consensus", "a", "flaky");
    await tagVersions(url, "consensus", 1, bad);
    await runMany(url, "consensus", 3, { version: 1 });
    await runMany(url, "consensus", 2, { version: bad });
    const m = (await json(`${url}/api/pipelines/consensus/metrics?windowRuns=2`)).body;
    expect(m.live).toMatchObject({ version: 1, runs: 2, errorRate: 0, critiqueRuns: 2, window: { runs: 2 } });
    expect(m.live.critiquePassRate).toBeGreaterThanOrEqual(0);
    expect(m.candidate).toMatchObject({ version: bad, runs: 2, errorRate: 1 });
  });
});

describe("the tRPC procedures the Deployments view reads", () => {
  it("answer with the same shapes as REST", async () => {
    const view = await trpcQuery(url, "deployments.get", { pipelineId: "consensus" });
    expect(view.data).toEqual((await json(`${url}/api/pipelines/consensus/deployment`)).body);
    const status = await trpcQuery(url, "deployments.optimizer.status");
    expect(status.data).toMatchObject({ running: true, intervalMs: 0, pendingActions: 0 });
    expect(status.data.pipelines.map((p: { pipelineId: string }) => p.pipelineId)).toEqual(["sequential", "smart-routing", "validation-loop"]);
    const history = await trpcQuery(url, "deployments.optimizer.history", { limit: 1 });
    expect(history.data).toEqual((await json(`${url}/api/optimizer/history?limit=1`)).body);
    const metrics = await trpcQuery(url, "deployments.optimizer.metrics", { pipelineId: "consensus", windowRuns: 2 });
    expect(metrics.data[0]).toMatchObject({ pipelineId: "consensus", live: { runs: 2 }, candidate: { runs: 2, errorRate: 1 } });
    expect((await trpcQuery(url, "deployments.optimizer.gates", { pipelineId: "sequential" })).data).toHaveLength(2);
    expect((await trpcQuery(url, "deployments.audit.list", { action: "gate-change" })).data).toHaveLength(1);
    expect((await trpcQuery(url, "deployments.optimizer.pending", { status: "pending" })).data).toEqual([]);
    expect((await trpcQuery(url, "deployments.optimizer.pending", {})).data).toEqual([
      expect.objectContaining({ pipelineId: "smart-routing", status: "stale" }),
    ]);
  });
});

describe("bad input on the deployment routes", () => {
  it("is a coded 4xx, never a 500", async () => {
    const bodies: unknown[] = [
      null,
      [],
      "x",
      7,
      { version: "2" },
      { tag: 1 },
      { threshold: "high", pipelineId: "sequential" },
      { pipelineId: 3 },
      { reason: "" },
    ];
    const posts = [
      "/api/pipelines/sequential/tags",
      "/api/pipelines/sequential/promote",
      "/api/pipelines/sequential/restore",
      "/api/optimizer/quality-gates/errorRate",
      "/api/optimizer/start",
      "/api/optimizer/stop",
      "/api/optimizer/pending/x/approve",
      "/api/optimizer/pending/x/reject",
    ];
    const problems: string[] = [];
    const check = (what: string, r: { status: number; body: any }) => {
      if (r.status < 400 || r.status >= 500 || typeof r.body?.error?.code !== "string")
        problems.push(`${what}: ${r.status} ${JSON.stringify(r.body).slice(0, 120)}`);
    };
    for (const path of posts) for (const b of bodies) check(`POST ${path} ${JSON.stringify(b)}`, await post(`${url}${path}`, b));
    for (const b of bodies) check(`PUT policy ${JSON.stringify(b)}`, await put(`${url}/api/pipelines/sequential/policy`, b));
    for (const q of ["limit=0", "limit=abc", "limit=100001", "action=nope", "afterId=-1", "format=xml", "colour=red"])
      check(`GET /api/audit?${q}`, await json(`${url}/api/audit?${q}`));
    for (const q of ["limit=0", "limit=1.5", "limit=x"]) check(`GET history?${q}`, await json(`${url}/api/optimizer/history?${q}`));
    for (const q of ["windowRuns=0", "windowRuns=x", "windowMs=-5"]) check(`GET metrics?${q}`, await json(`${url}/api/optimizer/metrics?${q}`));
    for (const q of ["status=done", "limit=x"]) check(`GET pending?${q}`, await json(`${url}/api/optimizer/pending?${q}`));
    check("DELETE tag canary", await json(`${url}/api/pipelines/sequential/tags/canary`, { method: "DELETE" }));
    check("metrics of nope", await json(`${url}/api/pipelines/nope/metrics`));
    // The optimizer still runs a clean cycle after all that.
    expect((await post(`${url}/api/optimizer/trigger`)).status).toBe(200);
    await post(`${url}/api/optimizer/start`);
    expect(problems).toEqual([]);
  });
});
