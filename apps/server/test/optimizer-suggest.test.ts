import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, waitFor } from "./helpers.js";
import { type Ctx, boot, post, put, runMany, runOnce } from "./optimizer-helpers.js";

const DATASET = readFileSync(new URL("../../../examples/datasets/validation-loop.jsonl", import.meta.url), "utf8")
  .trim()
  .split("\n")
  .slice(0, 8)
  .join("\n");
const PID = "validation-loop";

let ctx: Ctx;
let url: string;
beforeAll(async () => {
  ctx = await boot(0);
  url = ctx.url;
});
afterAll(() => ctx.stop());

const entryOf = (cycle: { pipelines: Array<{ pipelineId: string }> }) => cycle.pipelines.find((p) => p.pipelineId === PID) as any;

describe("the cheaper-backend suggestion with evidence", () => {
  it("becomes a new version plus two experiments over the policy's dataset, waits for approval, then is tried as the candidate", async () => {
    const ds = await json(`${url}/api/datasets?name=vl`, { method: "POST", headers: { "content-type": "application/x-ndjson" }, body: DATASET });
    expect(ds.status).toBe(201);
    await runMany(url, PID, 3);
    const costPer1k = (await json(`${url}/api/pipelines/${PID}/metrics`)).body.live.costPer1k as number;
    await put(`${url}/api/pipelines/${PID}/policy`, { enabled: true, datasetId: ds.body.id, budget: { usdPer1kRuns: costPer1k / 0.9 } });

    // Stopped: the suggestion is recorded, nothing is saved or started.
    await post(`${url}/api/optimizer/stop`);
    const held = entryOf((await post(`${url}/api/optimizer/trigger`)).body);
    expect(held.suggestion).toMatchObject({ from: "validator", to: "enricher", skipped: "stopped: no action" });
    expect((await json(`${url}/api/pipelines/${PID}/deployment`)).body.latest).toBe(1);
    await post(`${url}/api/optimizer/start`);

    const s = entryOf((await post(`${url}/api/optimizer/trigger`)).body).suggestion;
    expect(s).toMatchObject({ type: "cheaper-backend", from: "validator", to: "enricher", version: 2 });
    const saved = (await json(`${url}/api/pipelines/${PID}`)).body;
    expect(saved.version).toBe(2);
    expect(saved.pipeline.nodes.find((n: { id: string }) => n.id === s.node).config.backend).toBe("enricher");
    // Live stays on version 1 (pinned before the save), and nothing is a candidate yet.
    expect((await json(`${url}/api/pipelines/${PID}/deployment`)).body).toMatchObject({ live: 1, liveVersion: 1 });
    expect((await json(`${url}/api/pipelines/${PID}/deployment`)).body.candidate).toBeUndefined();
    expect((await runOnce(url, PID)).body.pipelineVersion).toBe(1);
    expect(entryOf((await post(`${url}/api/optimizer/trigger`)).body).suggestion.skipped).toMatch(/^already suggested/);

    const [base, cand] = await Promise.all(
      [s.experiments.baseline, s.experiments.candidate].map((id: string) =>
        waitFor(`experiment ${id}`, async () => {
          const e = (await json(`${url}/api/experiments/${id}`)).body;
          return e.status === "completed" ? e : undefined;
        }),
      ),
    );
    expect(base).toMatchObject({ pipelineVersion: 1, datasetId: ds.body.id, total: 8 });
    expect(cand).toMatchObject({ pipelineVersion: 2, datasetId: ds.body.id, total: 8 });
    // The candidate's cost per 1,000 runs is its runs' mean cost × 1,000, and below live's.
    const rows = (await json(`${url}/api/experiments/${cand.id}/records`)).body as Array<{ runId: string }>;
    const costs = await Promise.all(rows.map(async (r) => (await json(`${url}/api/runs/${r.runId}`)).body.usage.costUsd as number));
    expect(cand.metrics.costPer1k).toBeCloseTo((costs.reduce((a, b) => a + b, 0) / costs.length) * 1000, 6);
    expect(cand.metrics.costPer1k).toBeLessThan(base.metrics.costPer1k);
    const cmp = (await json(`${url}/api/experiments/compare?a=${cand.id}&b=${base.id}`)).body;
    const cost = cmp.metrics.find((m: { metric: string }) => m.metric === "costPer1k");
    expect(cost.candidate).toBeCloseTo(cand.metrics.costPer1k, 9);
    expect(cost.baseline).toBeCloseTo(base.metrics.costPer1k, 9);
    expect(cost.delta).toBeCloseTo(cand.metrics.costPer1k - base.metrics.costPer1k, 9);

    const pending = (await json(`${url}/api/optimizer/pending?status=pending`)).body;
    expect(pending).toEqual([expect.objectContaining({ id: s.actionId, kind: "suggestion", version: 2 })]);
    expect(pending[0].evidence).toMatchObject({ liveVersion: 1, experiments: s.experiments, suggestion: { node: s.node, from: "validator", to: "enricher" } });
    expect((await post(`${url}/api/optimizer/pending/${s.actionId}/approve`)).body).toMatchObject({ status: "approved", decidedBy: "local" });
    expect((await json(`${url}/api/pipelines/${PID}/deployment`)).body).toMatchObject({ live: 1, candidate: 2 });

    const audit = ((await json(`${url}/api/audit?pipelineId=${PID}`)).body as Array<{ action: string; actor: string }>)
      .map((e) => `${e.action}:${e.actor}`)
      .reverse();
    expect(audit).toEqual(["policy-change:local", "tag:optimizer", "save:optimizer", "suggest:optimizer", "approve:local", "tag:local"]);
  });

  it("is tried as the candidate at once when the policy promotes without approval", async () => {
    const other = await boot(0);
    try {
      const ds = await json(`${other.url}/api/datasets?name=vl`, { method: "POST", headers: { "content-type": "application/x-ndjson" }, body: DATASET });
      await runMany(other.url, PID, 2);
      const costPer1k = (await json(`${other.url}/api/pipelines/${PID}/metrics`)).body.live.costPer1k as number;
      const policy = { enabled: true, autoPromote: true, manualApprovalRequired: false, datasetId: ds.body.id, budget: { usdPer1kRuns: costPer1k } };
      await put(`${other.url}/api/pipelines/${PID}/policy`, policy);
      const s = entryOf((await post(`${other.url}/api/optimizer/trigger`)).body).suggestion;
      expect((await json(`${other.url}/api/pipelines/${PID}/deployment`)).body).toMatchObject({ live: 1, candidate: s.version });
      expect((await json(`${other.url}/api/optimizer/pending?pipelineId=${PID}`)).body).toEqual([
        expect.objectContaining({ id: s.actionId, status: "approved", decidedBy: "optimizer" }),
      ]);
    } finally {
      await other.stop();
    }
  });
});
