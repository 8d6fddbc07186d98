import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Db, openDb } from "../store/db.js";
import { SqliteDeploymentStore } from "../store/deployments.js";
import { computeLiveMetrics, measure } from "./metrics.js";

const window = { runs: 100, ms: 1000, since: 0, until: 1000 };

describe("live metrics", () => {
  it("computes run count, error rate, nearest-rank p50/p95 latency, cost per 1,000 runs and critique pass rate", () => {
    const latencies = [10, 20, 30, 40, 50, 60, 70, 80, 90, 1000];
    const runs = latencies.map((ms, i) => ({
      id: `r${i}`,
      status: i < 2 ? ("failed" as const) : ("completed" as const),
      startedAt: 0,
      finishedAt: ms,
      costUsd: 0.002,
    }));
    const verdicts = [
      { runId: "r3", nodeId: "check", passed: true, exhausted: false },
      { runId: "r4", nodeId: "check", passed: true, exhausted: false },
      { runId: "r4", nodeId: "check2", passed: false, exhausted: false },
      { runId: "r5", nodeId: "check", passed: true, exhausted: true },
      { runId: "r6", nodeId: "check", passed: true, exhausted: false },
    ];
    const m = computeLiveMetrics(3, runs, verdicts, window);
    expect(m).toMatchObject({ version: 3, runs: 10, failed: 2, errorRate: 0.2, p50LatencyMs: 50, p95LatencyMs: 1000, meanLatencyMs: 145, critiqueRuns: 4 });
    expect(m.costPer1k).toBeCloseTo(2, 10);
    // r3 and r6 passed; r4 failed one of its critiques; r5 ran out of attempts.
    expect(m.critiquePassRate).toBe(0.5);
  });

  it("an empty window is zeros, with no critique pass rate and no score", () => {
    const m = computeLiveMetrics(1, [], [], window);
    expect(m).toMatchObject({ runs: 0, errorRate: 0, p95LatencyMs: 0, costPer1k: 0, critiqueRuns: 0, passRates: {}, onlineRuns: 0, onlineErrors: 0 });
    expect(m.critiquePassRate).toBeUndefined();
    expect(m.score).toBeUndefined();
  });

  it("online figures: the mean of each evaluated run's weighted score, pass rates per evaluator, errors counted apart", () => {
    const runs = ["r0", "r1", "r2", "r3", "r4"].map((id) => ({ id, status: "completed" as const, startedAt: 0, finishedAt: 10, costUsd: 0 }));
    const s = (runId: string, evaluator: string, weight: number, score: number, error?: string) => ({
      runId,
      pipelineId: "p",
      version: 1,
      evaluator,
      weight,
      score,
      pass: score >= 0.5 && error === undefined,
      ...(error ? { error } : {}),
      at: 0,
    });
    const online = [
      s("r0", "has-account", 1, 1),
      s("r0", "is-json", 3, 0), // r0: (1·1 + 3·0) / 4 = 0.25
      s("r1", "has-account", 1, 1),
      s("r1", "is-json", 3, 1), // r1: 1
      s("r2", "has-account", 1, 0, "judge down"),
      s("r2", "rubric", 1, 0.25), // r2: 0.25 (the error is left out)
      s("r3", "rubric", 1, 0, "judge down"), // r3: evaluated, nothing scored
      s("old", "has-account", 1, 0), // not in the window
    ];
    const m = computeLiveMetrics(1, runs, [], window, online);
    // (0.25 + 1 + 0.25) / 3 runs with a score.
    expect(m.score).toBe(0.5);
    expect(m.passRates).toEqual({ "has-account": 1, "is-json": 0.5, rubric: 0 });
    expect(m).toMatchObject({ onlineRuns: 4, onlineErrors: 2 });
  });
});

describe("the live-run window in SQLite", () => {
  let dir: string;
  let db: Db;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "braid-metrics-"));
    db = openDb(dir);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  let n = 0;
  const run = (o: { version: number; status: string; finishedAt: number | null; traffic?: string; cost?: number; pipeline?: string }) => {
    const id = `run${n++}`;
    db.prepare(
      "INSERT INTO runs (id, pipeline_id, pipeline_version, pipeline_doc, input, seed, status, options, created_at, started_at, finished_at, cost_usd) VALUES (?, ?, ?, '{}', 'null', 1, ?, ?, 0, ?, ?, ?)",
    ).run(
      id,
      o.pipeline ?? "p",
      o.version,
      o.status,
      JSON.stringify(o.traffic ? { traffic: o.traffic } : {}),
      o.finishedAt === null ? null : o.finishedAt - 100,
      o.finishedAt,
      o.cost ?? 0.01,
    );
    return id;
  };

  it("counts only finished REST traffic of that pipeline version, within the last N runs and T ms", async () => {
    const store = new SqliteDeploymentStore(db);
    run({ version: 2, status: "completed", finishedAt: 9_000, traffic: "candidate" });
    run({ version: 2, status: "failed", finishedAt: 9_500, traffic: "candidate" });
    run({ version: 2, status: "completed", finishedAt: 9_600 }); // an editor or experiment run: not traffic
    run({ version: 2, status: "running", finishedAt: null, traffic: "candidate" });
    run({ version: 2, status: "cancelled", finishedAt: 9_700, traffic: "candidate" });
    run({ version: 1, status: "failed", finishedAt: 9_800, traffic: "live" });
    run({ version: 2, status: "failed", finishedAt: 9_900, traffic: "pinned", pipeline: "other" });
    run({ version: 2, status: "failed", finishedAt: 1_000, traffic: "candidate" }); // outside the time window
    const m = await measure(store, "p", 2, { runs: 100, ms: 5_000 }, 10_000);
    expect(m).toMatchObject({ runs: 2, failed: 1, errorRate: 0.5, p50LatencyMs: 100 });
    expect(await measure(store, "p", 2, { runs: 1, ms: 5_000 }, 10_000)).toMatchObject({ runs: 1, failed: 1 });
    // Spend is every version's traffic, cancelled runs too (they were paid for); not other pipelines, not editor runs.
    expect(await store.spendSince("p", 5_000)).toBeCloseTo(0.04, 10);
  });

  it("reads critique verdicts from the last loop pass of each critique", async () => {
    const store = new SqliteDeploymentStore(db);
    const id = run({ version: 1, status: "completed", finishedAt: 9_000, traffic: "live" });
    const ev = db.prepare("INSERT INTO run_events (run_id, seq, type, node_id, at, data) VALUES (?, ?, 'loop_iteration', 'check', 0, ?)");
    ev.run(id, 1, JSON.stringify({ type: "loop_iteration", nodeId: "check", attempt: 1, branch: "fail", passed: false }));
    ev.run(id, 2, JSON.stringify({ type: "loop_iteration", nodeId: "check", attempt: 2, branch: "pass", passed: true }));
    expect(await store.critiqueVerdicts([id])).toEqual([{ runId: id, nodeId: "check", passed: true, exhausted: false }]);
    expect((await measure(store, "p", 1, { runs: 10, ms: 5_000 }, 10_000)).critiquePassRate).toBe(1);
  });

  it("stores online results once per run and evaluator, and measures the window's", async () => {
    const store = new SqliteDeploymentStore(db);
    const a = run({ version: 1, status: "completed", finishedAt: 9_000, traffic: "live" });
    const b = run({ version: 1, status: "failed", finishedAt: 9_100, traffic: "live" });
    const old = run({ version: 1, status: "completed", finishedAt: 1_000, traffic: "live" });
    const row = (runId: string, evaluator: string, score: number, error?: string) => ({
      runId,
      pipelineId: "p",
      version: 1,
      evaluator,
      weight: 1,
      score,
      pass: score === 1,
      ...(error ? { error } : {}),
      at: 5,
    });
    await store.saveOnlineScores([row(a, "has-account", 1), row(a, "rubric", 0, "judge down"), row(b, "has-account", 0), row(old, "has-account", 0)]);
    // Evaluated again (another process, a retry): the first results stand.
    await store.saveOnlineScores([row(a, "has-account", 0), row(b, "has-account", 1)]);
    expect(await store.hasOnlineScores(a)).toBe(true);
    expect(await store.hasOnlineScores("nope")).toBe(false);
    expect(await store.onlineScores([a])).toEqual([row(a, "has-account", 1), row(a, "rubric", 0, "judge down")]);
    const m = await measure(store, "p", 1, { runs: 10, ms: 5_000 }, 10_000);
    expect(m).toMatchObject({ runs: 2, score: 0.5, passRates: { "has-account": 0.5 }, onlineRuns: 2, onlineErrors: 1 });
  });
});
