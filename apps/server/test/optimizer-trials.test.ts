import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, waitFor } from "./helpers.js";
import { type Ctx, boot, post, put, trpc } from "./optimizer-helpers.js";

/** Suggestions that need experiments first: pruning (ablation) and learned routing, read back by later cycles. */

let ctx: Ctx;
let url: string;
beforeAll(async () => {
  ctx = await boot(0);
  url = ctx.url;
});
afterAll(() => ctx.stop());

const ndjson = (records: unknown[]) => records.map((r) => JSON.stringify(r)).join("\n");
async function dataset(name: string, body: string): Promise<string> {
  const r = await json(`${url}/api/datasets?name=${name}`, { method: "POST", headers: { "content-type": "application/x-ndjson" }, body });
  expect(r.status).toBe(201);
  return r.body.id as string;
}
async function savePipeline(id: string, pipeline: unknown): Promise<void> {
  const r = await trpc(url, "pipelines.save", { id, pipeline, message: "test" });
  expect(r.status, JSON.stringify(r.error)).toBe(200);
}
const experiment = (id: string) => json(`${url}/api/experiments/${id}`).then((r) => r.body);
/** Cycles until the pipeline's trial is no longer measuring; returns the trial. */
async function settle(pipelineId: string, trialId: string) {
  return waitFor(
    `trial ${trialId}`,
    async () => {
      await post(`${url}/api/optimizer/trigger`);
      const t = ((await json(`${url}/api/optimizer/trials?pipelineId=${pipelineId}`)).body as Array<{ id: string; status: string }>).find(
        (x) => x.id === trialId,
      );
      return t && t.status !== "measuring" ? (t as any) : undefined;
    },
    60_000,
    100,
  );
}

/** A premium draft (2 % defects) checked by a premium critique that, on this dataset, never finds anything. */
const CHECKED = JSON.parse(readFileSync(new URL("./fixtures/checked-draft.json", import.meta.url), "utf8"));
const OUTPUT_EVALUATORS = (CHECKED.evaluation.evaluators as Array<{ type: string }>).filter((e) => e.type !== "critique-pass") as Array<Record<string, string>>;
const SHAPE = CHECKED.nodes[1].config.shape;

describe("the pruning suggestion (ablation)", () => {
  it("offers removing a critique that changes no score, with the paired comparison as evidence", async () => {
    await savePipeline("checked", CHECKED);
    const ds = await dataset("skus", ndjson(Array.from({ length: 24 }, (_, i) => ({ input: { sku: `SK-${100 + i}` } }))));
    await put(`${url}/api/pipelines/checked/policy`, { enabled: true, datasetId: ds });
    const started = (await post(`${url}/api/optimizer/suggest`, { pipelineId: "checked", type: "prune" })).body;
    expect(started.trialId, JSON.stringify(started)).toBeDefined();
    // Live, then one ablation: "check" with its corrector ("gen" cannot go: the critique targets it; "fix" belongs to the loop).
    expect(started.experiments).toHaveLength(2);
    const trial = await settle("checked", started.trialId);
    expect(trial.status, JSON.stringify(trial.result)).toBe("suggested");

    const action = (await json(`${url}/api/optimizer/pending?pipelineId=checked&status=pending`)).body[0];
    expect(action).toMatchObject({ kind: "suggestion", version: trial.result.version });
    const ev = action.evidence;
    expect(ev.suggestion).toEqual({ type: "prune", node: "check", kind: "critique", removes: ["check", "fix"] });
    const [base, cand] = await Promise.all([experiment(ev.experiments.baseline), experiment(ev.experiments.candidate)]);
    expect(base).toMatchObject({ pipelineVersion: 1, status: "completed", total: 24 });
    expect(cand).toMatchObject({ pipelineVersion: action.version, status: "completed", total: 24 });
    // Evaluators that ran (a broken path would score every record 0 on both sides, "no difference" too).
    expect(base.metrics.errorRate).toBe(0);
    expect(base.metrics.score).toBeGreaterThan(0.9);
    // The evidence's figures are the two experiments' own.
    expect(ev.comparison.score.baseline).toBeCloseTo(base.metrics.score, 12);
    expect(ev.comparison.score.candidate).toBeCloseTo(cand.metrics.score, 12);
    expect(ev.comparison.score.verdict).not.toBe("worse");
    expect(ev.comparison.costPer1k.delta).toBeCloseTo(cand.metrics.costPer1k - base.metrics.costPer1k, 9);
    expect(ev.comparison.costPer1k.verdict).toBe("better");
    expect(cand.metrics.costPer1k).toBeLessThan(base.metrics.costPer1k);
    // Judged on output evaluators only, both sides.
    expect(Object.keys(cand.metrics.passRates).sort()).toEqual(["price-positive", "valid-email"]);
    expect(Object.keys(base.metrics.passRates).sort()).toEqual(["price-positive", "valid-email"]);

    const saved = (await json(`${url}/api/pipelines/checked?version=${action.version}`)).body.pipeline;
    expect(saved.nodes.map((n: { id: string }) => n.id)).toEqual(["in", "gen", "out"]);
    expect(saved.edges).toEqual([
      { from: "in", to: "gen" },
      { from: "gen", to: "out" },
    ]);
    expect((await json(`${url}/api/pipelines/checked/deployment`)).body).toMatchObject({ live: 1 });
    expect((await post(`${url}/api/optimizer/pending/${action.id}/approve`)).status).toBe(200);
    expect((await json(`${url}/api/pipelines/checked/deployment`)).body).toMatchObject({ live: 1, candidate: action.version });
  });

  it("offers nothing when the removal lowers the score, and says so with the figures; the cycle starts it on its own past the budget", async () => {
    const PID = "validation-loop";
    const records = readFileSync(new URL("../../../examples/datasets/validation-loop.jsonl", import.meta.url), "utf8")
      .trim()
      .split("\n")
      .slice(0, 30)
      .join("\n");
    const ds = await dataset("vl", records);
    // Past the budget, the cycle first offers the cheaper backend; once that is rejected, it tries pruning.
    await put(`${url}/api/pipelines/${PID}/policy`, { enabled: true, datasetId: ds, budget: { usdPer1kRuns: 1e-9 } });
    await json(`${url}/api/pipelines/${PID}/runs?wait=true`, { method: "POST" });
    const first = (await post(`${url}/api/optimizer/trigger`)).body.pipelines.find((p: { pipelineId: string }) => p.pipelineId === PID);
    expect(first.suggestion.type).toBe("cheaper-backend");
    expect(first.trialStarted).toBeUndefined();
    await post(`${url}/api/optimizer/pending/${first.suggestion.actionId}/reject`);
    const second = (await post(`${url}/api/optimizer/trigger`)).body.pipelines.find((p: { pipelineId: string }) => p.pipelineId === PID);
    expect(second.trialStarted).toMatchObject({ type: "prune" });
    const trial = await settle(PID, second.trialStarted.trialId);
    expect(trial.status, JSON.stringify(trial.result)).toBe("nothing-found");
    const [ablation] = trial.result.ablations;
    expect(ablation).toMatchObject({ node: "check", kind: "critique", accepted: false, why: "lowers the score significantly" });
    expect(ablation.removes.sort()).toEqual(["best", "check", "fix"]);
    expect(ablation.score.verdict).toBe("worse");
    const [base, cand] = await Promise.all([experiment(trial.spec.baseline), experiment(ablation.experiment)]);
    expect(ablation.score.delta).toBeCloseTo(cand.metrics.score - base.metrics.score, 12);
    expect(ablation.score.ci[1]).toBeLessThan(0);
    expect(trial.result.reason).toMatch(/"check" lowers the score significantly/);
    expect((await json(`${url}/api/optimizer/pending?pipelineId=${PID}&status=pending`)).body).toEqual([]);
    // Once per live version: the next cycle does not start it again.
    const third = (await post(`${url}/api/optimizer/trigger`)).body.pipelines.find((p: { pipelineId: string }) => p.pipelineId === PID);
    expect(third.trialStarted).toBeUndefined();
  });
});

/** Three tiers behind a complexity route; the output is whichever branch ran. */
const BRANCH_OUTPUT = "$merge([output.fast, output.quality, output.premium])";
const tier = (id: string, backend: string) => ({ id, kind: "generate", config: { backend, prompt: "Describe product {{input.sku}}", shape: SHAPE } });
const ROUTED = {
  format: "braid/pipeline@1",
  name: "Routed by complexity",
  input: { example: { sku: "WM-1" } },
  nodes: [
    { id: "in", kind: "input" },
    {
      id: "route",
      kind: "route",
      config: { strategy: "complexity", branches: [{ id: "fast", upTo: 1.5 }, { id: "quality", upTo: 3 }, { id: "premium" }], default: "premium" },
    },
    tier("fast", "generator"),
    tier("quality", "enricher"),
    tier("premium", "validator"),
    { id: "out", kind: "output" },
  ],
  edges: [
    { from: "in", to: "route" },
    { from: "route", to: "fast", branch: "fast" },
    { from: "route", to: "quality", branch: "quality" },
    { from: "route", to: "premium", branch: "premium" },
    { from: "fast", to: "out" },
    { from: "quality", to: "out" },
    { from: "premium", to: "out" },
  ],
  evaluation: {
    evaluators: [
      { ...OUTPUT_EVALUATORS[0], path: `${BRANCH_OUTPUT}.email` },
      { ...OUTPUT_EVALUATORS[1], value: `${BRANCH_OUTPUT}.price > 0` },
    ],
  },
};

/** Inputs of six complexities (1.2 … 8): a flat SKU up to a deep record with arrays. */
function routedInput(i: number): Record<string, unknown> {
  const sku = `RT-${200 + i}`;
  const deep = { a: { b: { c: 1 } } };
  const many = Object.fromEntries(Array.from({ length: 14 }, (_, k) => [`f${k}`, k]));
  return [
    { sku },
    { sku, name: "n", size: "m" },
    { sku, dims: { w: 1, h: 2 } },
    { sku, dims: { w: 1 }, tags: ["a"] },
    { sku, deep, tags: ["a"] },
    { sku, deep, tags: ["a"], ...many },
  ][i % 6] as Record<string, unknown>;
}

describe("the learned-routing suggestion", () => {
  it("fits the route's thresholds on one experiment per branch; the fitted version's own experiment matches the prediction", async () => {
    await savePipeline("routed", ROUTED);
    const ds = await dataset("routed", ndjson(Array.from({ length: 36 }, (_, i) => ({ input: routedInput(i) }))));
    await put(`${url}/api/pipelines/routed/policy`, { enabled: true, datasetId: ds });
    const started = (await post(`${url}/api/optimizer/suggest`, { pipelineId: "routed", type: "routing", maxScoreDrop: 0.05 })).body;
    expect(started.trialId, JSON.stringify(started)).toBeDefined();
    expect(started.experiments).toHaveLength(4); // live and each branch forced
    const trial = await settle("routed", started.trialId);
    expect(trial.status, JSON.stringify(trial.result)).toBe("suggested");
    const action = (await json(`${url}/api/optimizer/pending?pipelineId=routed&status=pending`)).body[0];
    const { predicted, suggestion, experiments } = action.evidence;
    expect(suggestion).toMatchObject({ type: "learned-routing", route: "route", from: { fast: 1.5, quality: 3 } });
    // Live's experiment is exactly what the forced experiments predict for live's thresholds.
    const base = await experiment(experiments.baseline);
    expect(base.metrics.errorRate).toBe(0);
    expect(predicted.before.score).toBeCloseTo(base.metrics.score, 12);
    expect(predicted.before.costPer1k).toBeCloseTo(base.metrics.costPer1k, 9);
    // The fit raises score per dollar within the allowed drop.
    expect(predicted.after.scorePerDollar).toBeGreaterThan(predicted.before.scorePerDollar);
    expect(predicted.after.score).toBeGreaterThanOrEqual(predicted.before.score - 0.05 - 1e-12);
    // The suggested version carries the fitted thresholds, and its own experiment lands on the prediction.
    const saved = (await json(`${url}/api/pipelines/routed?version=${action.version}`)).body.pipeline;
    const branches = saved.nodes.find((n: { id: string }) => n.id === "route").config.branches as Array<{ id: string; upTo?: number }>;
    expect(Object.fromEntries(branches.flatMap((b) => (b.upTo === undefined ? [] : [[b.id, b.upTo]])))).toEqual(suggestion.to);
    const cand = await waitFor("the fitted version's experiment", async () => {
      const e = await experiment(experiments.candidate);
      return e.status === "completed" ? e : undefined;
    });
    expect(cand.pipelineVersion).toBe(action.version);
    expect(cand.metrics.score).toBeCloseTo(predicted.after.score, 12);
    expect(cand.metrics.costPer1k).toBeCloseTo(predicted.after.costPer1k, 9);
    expect(cand.metrics.costPer1k).toBeLessThan(base.metrics.costPer1k);
    expect(action.reason).toMatch(/score per dollar/);
  });

  it("names the field or the reason when a suggestion cannot start", async () => {
    expect((await post(`${url}/api/optimizer/suggest`, { pipelineId: "checked", type: "sideways" })).body.error.message).toMatch(/^type: /);
    const missing = await post(`${url}/api/optimizer/suggest`, { pipelineId: "nope", type: "prune" });
    expect(missing.status).toBe(404);
    await savePipeline("no-dataset", CHECKED);
    const noRoute = (await post(`${url}/api/optimizer/suggest`, { pipelineId: "no-dataset", type: "routing", datasetId: "any" })).body;
    expect(noRoute.skipped).toBe("no complexity route with thresholds (upTo) to fit");
    const noData = await post(`${url}/api/optimizer/suggest`, { pipelineId: "no-dataset", type: "prune" });
    expect(noData.status).toBe(400);
    expect(noData.body.error.message).toMatch(/^datasetId: /);
  });
});
