/**
 * Online evaluators on live traffic, offline (simulated backends): each live REST run is scored by
 * its version's evaluators in the background; `llm-rubric` only on the policy's `onlineSample`
 * share; the scores feed the live metrics and gates, and a candidate whose outputs fail a code
 * evaluator is rolled back by the optimizer although every one of its runs completed.
 */
import type { Pipeline } from "@braid/engine";
import { afterEach, describe, expect, it, vi } from "vitest";
import { OnlineEvaluation, onlineEvaluators, sampled } from "../src/optimizer/online.js";
import { DEFAULT_POLICY } from "../src/optimizer/policy.js";
import { EventHub } from "../src/runs/hub.js";
import { openDb } from "../src/store/db.js";
import { SqliteDeploymentStore } from "../src/store/deployments.js";
import { SqliteRunStore } from "../src/store/runs.js";
import { json, tempDir, waitFor } from "./helpers.js";
import { type Ctx, boot, cyclesOf, post, put, runMany, runOnce, tagVersions, trpc } from "./optimizer-helpers.js";

let ctx: Ctx | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await ctx?.stop();
  ctx = undefined;
});

/** The sequential example's output has an `account` (from its validate node); this evaluator checks for it. */
const HAS_ACCOUNT = { type: "json-schema", name: "has-account", schema: { type: "object", required: ["account"] } };

/** Saves a new version of `sequential` with these evaluators (and, with `dropAccount`, an output without the account); returns its number. */
async function saveVersion(url: string, evaluators: unknown[], opts: { dropAccount?: boolean } = {}): Promise<number> {
  const cur = (await json(`${url}/api/pipelines/sequential`)).body.pipeline as Pipeline;
  const nodes = cur.nodes.map((n) => (n.id === "out" && opts.dropAccount ? { ...n, config: { value: "{{ $merge([basic, enrich]) }}" } } : n));
  const r = await trpc(url, "pipelines.save", { id: "sequential", pipeline: { ...cur, nodes, evaluation: { evaluators } }, message: "evaluators" });
  expect(r.status).toBe(200);
  return r.data.version as number;
}

const metricsOf = async (url: string, windowRuns: number) => (await json(`${url}/api/pipelines/sequential/metrics?windowRuns=${windowRuns}`)).body.live;

describe("online evaluators", () => {
  it("samples by run id: the same answer every time, about the share over many runs, none at 0 and all at 1", () => {
    const ids = Array.from({ length: 2000 }, (_, i) => `run_${i}`);
    const picked = ids.filter((id) => sampled(id, 0.25));
    expect(picked.length / ids.length).toBeGreaterThan(0.22);
    expect(picked.length / ids.length).toBeLessThan(0.28);
    expect(ids.filter((id) => sampled(id, 0.25))).toEqual(picked);
    expect(ids.some((id) => sampled(id, 0))).toBe(false);
    expect(ids.every((id) => sampled(id, 1))).toBe(true);
  });

  it("leaves out what cannot run online: evaluators that need `expected`, select-best, and llm-rubric outside the sample", () => {
    const evaluators = [
      { type: "contains" as const },
      { type: "contains" as const, value: "account" },
      { type: "similar" as const },
      { type: "select-best" as const },
      { type: "llm-rubric" as const, value: "plausible" },
      { type: "is-json" as const },
      { type: "expression" as const, value: "output.age = expected.age" },
      { type: "expression" as const, value: "output.age > 17" },
      { type: "is-json" as const, name: "expected-json", path: "expected" },
    ];
    const names = (judged: boolean) => onlineEvaluators(evaluators, judged).map((e) => `${e.type}${"value" in e ? `:${e.value}` : ""}`);
    expect(names(false)).toEqual(["contains:account", "is-json", "expression:output.age > 17"]);
    expect(names(true)).toEqual(["contains:account", "llm-rubric:plausible", "is-json", "expression:output.age > 17"]);
  });

  it("scores a finished live run once, off the publishing path; a judge that throws is stored as an error; other runs are not scored", async () => {
    const { dir, cleanup } = tempDir("braid-online-");
    const db = openDb(dir);
    try {
      const hub = new EventHub();
      const runs = new SqliteRunStore(db);
      const store = new SqliteDeploymentStore(db);
      const judge = vi.fn(async () => {
        throw new Error("judge down");
      });
      const online = new OnlineEvaluation({ hub, runs, store, policy: async () => ({ ...DEFAULT_POLICY, onlineSample: 1 }), judge, now: () => 42 });
      const pipeline = {
        format: "braid/pipeline@1",
        name: "t",
        nodes: [{ id: "out", kind: "output", config: { value: "{{input}}" } }],
        edges: [],
        evaluation: {
          evaluators: [
            { type: "contains", value: "ok", weight: 2 },
            { type: "llm-rubric", name: "rubric", value: "polite" },
          ],
        },
      } as unknown as Pipeline;
      /** Stores a finished run; the returned function publishes its end. */
      const finished = async (id: string, options: object) => {
        await runs.create({ id, pipeline, pipelineId: "p", pipelineVersion: 3, input: "ok", seed: 1, options, createdAt: 0 });
        const usage = { inputTokens: 0, outputTokens: 0, costUsd: 0 };
        const event = { type: "run_finished" as const, runId: id, at: 1, output: "ok then", durationMs: 1, usage };
        const seq = await runs.append(id, event);
        return () => hub.publish(id, { seq, event });
      };
      const publishLive = await finished("live-run", { traffic: "live" });
      const publishEditor = await finished("editor-run", {});
      const saves = vi.spyOn(store, "saveOnlineScores");
      publishLive();
      publishEditor();
      // Nothing is written while the end is being published; the evaluation follows right after.
      expect(saves).not.toHaveBeenCalled();
      await waitFor("the live run scored", async () => (await store.hasOnlineScores("live-run")) || undefined);
      expect(await store.onlineScores(["live-run"])).toEqual([
        { runId: "live-run", pipelineId: "p", version: 3, evaluator: "contains", weight: 2, score: 1, pass: true, at: 42 },
        { runId: "live-run", pipelineId: "p", version: 3, evaluator: "rubric", weight: 1, score: 0, pass: false, error: "judge down", at: 42 },
      ]);
      expect(judge).toHaveBeenCalledTimes(1);
      // A second look (a relayed end, a retry) finds it scored: no judge call, nothing counted twice.
      expect(await online.evaluate("live-run")).toEqual([]);
      expect(judge).toHaveBeenCalledTimes(1);
      expect(await store.hasOnlineScores("editor-run")).toBe(false);
      await online.close();
    } finally {
      db.close();
      cleanup();
    }
  });

  it("scores every live run with code evaluators, judges llm-rubric on none at onlineSample 0 and on every run at 1, stores a judge error as an error", async () => {
    ctx = await boot(0);
    const { url, app } = ctx;
    const evaluators = [
      HAS_ACCOUNT,
      { type: "contains", name: "needs-expected" },
      { type: "llm-rubric", name: "rubric", value: "a plausible user profile" },
      { type: "llm-rubric", name: "rubric-down", value: "a plausible user profile", backend: "flaky" },
    ];
    const v = await saveVersion(url, evaluators);
    expect((await post(`${url}/api/pipelines/sequential/tags`, { tag: "live", version: v })).status).toBe(200);
    const judged = vi.spyOn(app.services.pool, "call");
    const judgeCalls = () => judged.mock.calls.filter((c) => (c[1] as { task?: { type?: string } }).task?.type === "judge").length;

    expect((await put(`${url}/api/pipelines/sequential/policy`, { onlineSample: 0 })).status).toBe(200);
    const first = await runMany(url, "sequential", 4);
    expect(first.every((r) => r.status === 200 && r.body.status === "completed" && r.body.pipelineVersion === v)).toBe(true);
    const m0 = await waitFor("4 runs scored", async () => {
      const m = await metricsOf(url, 4);
      return m.onlineRuns === 4 ? m : undefined;
    });
    expect(judgeCalls()).toBe(0);
    expect(m0).toMatchObject({ runs: 4, onlineRuns: 4, onlineErrors: 0, score: 1, passRates: { "has-account": 1 } });
    expect(Object.keys(m0.passRates)).toEqual(["has-account"]);

    expect((await put(`${url}/api/pipelines/sequential/policy`, { onlineSample: 1 })).status).toBe(200);
    const second = await runMany(url, "sequential", 4);
    expect(second.every((r) => r.status === 200 && r.body.status === "completed")).toBe(true);
    const m1 = await waitFor("4 more runs judged", async () => {
      const m = await metricsOf(url, 4);
      return m.onlineRuns === 4 && m.onlineErrors === 4 && m.passRates.rubric !== undefined ? m : undefined;
    });
    // Two rubrics on each of the 4 runs; the one on the failing backend is an error, left out of score and pass rates.
    expect(judgeCalls()).toBe(8);
    expect(Object.keys(m1.passRates).sort()).toEqual(["has-account", "rubric"]);

    const db = openDb(app.services.config.dataDir);
    try {
      const store = new SqliteDeploymentStore(db);
      const rows = await store.onlineScores(second.map((r) => r.body.runId as string));
      expect(rows).toHaveLength(12);
      const down = rows.filter((r) => r.evaluator === "rubric-down");
      expect(down).toHaveLength(4);
      expect(down.every((r) => r.error !== undefined && !r.pass && r.score === 0 && r.version === v)).toBe(true);
      const rubric = rows.filter((r) => r.evaluator === "rubric");
      // The run's score is the plain mean of has-account (1) and the judge's score, over the 4 runs.
      const expected = rubric.reduce((t, r) => t + (1 + r.score) / 2, 0) / 4;
      expect(m1.score).toBeCloseTo(expected, 12);
      expect(m1.passRates.rubric).toBe(rubric.filter((r) => r.pass).length / 4);
      expect((await store.onlineScores(first.map((r) => r.body.runId as string))).map((r) => r.evaluator)).toEqual(Array(4).fill("has-account"));
      // An editor run of the same version is no live traffic, and is never scored.
      const id = (await trpc(url, "runs.start", { pipelineId: "sequential" })).data.runId as string;
      await waitFor("the editor run", async () => (await json(`${url}/api/runs/${id}`)).body.status === "completed" || undefined);
      await new Promise((r) => setTimeout(r, 50));
      expect(await store.hasOnlineScores(id)).toBe(false);
    } finally {
      db.close();
    }
  });

  it("rolls back a candidate whose outputs fail a code evaluator within one cycle, although every run completed; the audit holds the scores", async () => {
    ctx = await boot(25);
    const { url } = ctx;
    const live = await saveVersion(url, [HAS_ACCOUNT]);
    const bad = await saveVersion(url, [HAS_ACCOUNT], { dropAccount: true });
    await tagVersions(url, "sequential", live, bad);
    const minSamples = 6;
    const gates = ["score >= live.score - 0.05", 'passRate("has-account") >= 0.9'];
    expect((await put(`${url}/api/pipelines/sequential/policy`, { enabled: true, canaryPercent: 50, minSamples, gates })).status).toBe(200);

    let rolledBack = false;
    let afterSwitch = 0;
    const responses: Array<{ status: number; body: any }> = [];
    let n = 0;
    const client = async () => {
      while (afterSwitch < 8) {
        const sentAfter = rolledBack;
        const r = await runOnce(url, "sequential", { key: `user-${n++}` });
        responses.push(r);
        if (sentAfter) afterSwitch++;
      }
    };
    const watcher = waitFor(
      "the rollback",
      async () => {
        if ((await json(`${url}/api/pipelines/sequential/deployment`)).body.candidate === undefined) rolledBack = true;
        return rolledBack || undefined;
      },
      20_000,
      5,
    );
    await Promise.all([watcher, client(), client(), client()]);

    // The defect is in the output only: every run completed, so errorRate could not have caught it.
    expect(responses.every((r) => r.status === 200 && r.body.status === "completed")).toBe(true);
    expect(responses.filter((r) => r.body.traffic === "candidate").length).toBeGreaterThanOrEqual(minSamples);

    const cycles = await cyclesOf(url, "sequential");
    const judged = cycles.filter((c) => (c.metrics.candidate?.runs ?? 0) >= minSamples);
    expect(judged[0]?.decision.action).toBe("rollback");
    expect(judged[0]?.decision.reason).toMatch(/broke score >= live\.score - 0\.05 \(0 vs 0\.95\), passRate\("has-account"\) >= 0\.9 \(0 vs 0\.9\)/);
    expect(cycles.filter((c) => c.decision.action === "rollback")).toHaveLength(1);

    const audit = await json(`${url}/api/audit?pipelineId=sequential&action=rollback`);
    expect(audit.body).toHaveLength(1);
    const entry = audit.body[0];
    expect(entry).toMatchObject({ actor: "optimizer", action: "rollback", evidence: { tag: "candidate", version: bad } });
    const { candidate, live: liveMetrics } = entry.evidence.metrics;
    expect(candidate).toMatchObject({ version: bad, errorRate: 0, score: 0, passRates: { "has-account": 0 }, onlineErrors: 0 });
    expect(candidate.onlineRuns).toBeGreaterThanOrEqual(minSamples);
    expect(liveMetrics).toMatchObject({ version: live, score: 1, passRates: { "has-account": 1 } });
    expect(entry.evidence.gates).toEqual([
      expect.objectContaining({ expr: gates[0], passed: false, actual: 0, threshold: 0.95 }),
      expect.objectContaining({ expr: gates[1], passed: false, actual: 0, threshold: 0.9 }),
    ]);
    expect((await json(`${url}/api/pipelines/sequential/deployment`)).body).toMatchObject({ live });
  });
});
