import { readFileSync } from "node:fs";
import type { RecordResult } from "@braid/engine";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type AuditStore, SqliteAuditStore } from "../src/store/audit.js";
import { DatasetInUseError, type DatasetStore, SqliteDatasetStore } from "../src/store/datasets.js";
import { openDb } from "../src/store/db.js";
import { type DeploymentStore, type OnlineScore, SqliteDeploymentStore } from "../src/store/deployments.js";
import { type ExperimentRecord, type ExperimentStore, SqliteExperimentStore } from "../src/store/experiments.js";
import { type OptimizerStore, SqliteOptimizerStore } from "../src/store/optimizer.js";
import { PgAuditStore } from "../src/store/pg/audit.js";
import { numbered } from "../src/store/pg/sql.js";
import { PgDatasetStore } from "../src/store/pg/datasets.js";
import { openPg } from "../src/store/pg/db.js";
import { PgDeploymentStore } from "../src/store/pg/deployments.js";
import { PgExperimentStore } from "../src/store/pg/experiments.js";
import { PgOptimizerStore } from "../src/store/pg/optimizer.js";
import { PgTrialStore } from "../src/store/pg/trials.js";
import { SqliteTrialStore, type TrialStore } from "../src/store/trials.js";
import { tempDir } from "./helpers.js";
import { type TestPostgres, pgBinDir, startPostgres } from "./pg-helpers.js";

/**
 * The six evaluation and deployment stores, SQLite's and PostgreSQL's, through the same cases: what
 * one does the other must do, method by method. Then what only a shared PostgreSQL database meets:
 * two processes deciding, finishing, uploading and deleting at once.
 */
vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

const fixture = JSON.parse(readFileSync(new URL("../../../../shared/fixtures/hostile-strings.json", import.meta.url), "utf8")) as {
  labels: string[];
  jsonPayloads: unknown[];
};
// SQLite keeps NUL as given; PostgreSQL TEXT cannot, and its stores mark such text (pg/pipelines.ts's codec), so a marked-looking one too.
const HOSTILE = [...fixture.labels, "nul\u0000inside", "\u0000", '\uffff"x"', "\uffff", "\\u0000 as text", '"\\u0000"'];

interface Stores {
  datasets: DatasetStore;
  experiments: ExperimentStore;
  audit: AuditStore;
  trials: TrialStore;
  optimizer: OptimizerStore;
  deployments: DeploymentStore;
  /** One statement with `?` placeholders: rows another store owns (runs, run_events), or tampering. */
  sql(sql: string, ...args: unknown[]): Promise<void>;
  /** The same database through another connection, as a second process or a restart has. */
  reopen(): Promise<Stores>;
}

let server: TestPostgres | undefined;
beforeAll(async () => {
  if (pgBinDir) server = await startPostgres();
});
afterAll(() => server?.destroy());
const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

let clock = 1000;
const now = () => clock;

function sqliteStores(dir?: string): Promise<Stores> {
  const t = dir === undefined ? tempDir() : undefined;
  const db = openDb(dir ?? (t?.dir as string));
  closers.push(
    () => t?.cleanup(),
    () => db.close(),
  ); // run in reverse: closed, then removed
  return Promise.resolve({
    datasets: new SqliteDatasetStore(db, now),
    experiments: new SqliteExperimentStore(db),
    audit: new SqliteAuditStore(db, now),
    trials: new SqliteTrialStore(db, now),
    optimizer: new SqliteOptimizerStore(db, now),
    deployments: new SqliteDeploymentStore(db, now),
    sql: async (sql, ...args) => void db.prepare(sql).run(...args),
    reopen: () => sqliteStores(db.name.replace(/\/braid\.db$/, "")),
  });
}

let databases = 0;
/** A new database whose default collation is a language's (en-US, as production ones often have), not binary. */
async function database(): Promise<string> {
  const { port } = server as TestPostgres;
  const name = `braid_eval_${process.pid}_${++databases}`;
  const c = new pg.Client({ host: "127.0.0.1", port, user: "braid", database: "postgres" });
  await c.connect();
  await c.query(`CREATE DATABASE ${name} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'`).finally(() => c.end());
  return `postgres://braid@127.0.0.1:${port}/${name}`;
}

async function pgStores(url?: string): Promise<Stores> {
  const u = url ?? (await database());
  const pool = await openPg(u);
  closers.push(() => pool.end());
  return {
    datasets: new PgDatasetStore(pool, now),
    experiments: new PgExperimentStore(pool),
    audit: new PgAuditStore(pool, now),
    trials: new PgTrialStore(pool, now),
    optimizer: new PgOptimizerStore(pool, now),
    deployments: new PgDeploymentStore(pool, now),
    sql: async (sql, ...args) => void (await pool.query(numbered(sql), args)),
    reopen: () => pgStores(u),
  };
}

const records = (...inputs: unknown[]) => inputs.map((input) => ({ input }));
const SPEC = { evaluators: [], gates: [], concurrency: 2, seed: 7 };
const experiment = (id: string, datasetId: string, over: Partial<ExperimentRecord> = {}) => ({
  ...{ id, name: `exp ${id}`, pipelineId: "p", pipelineVersion: 1, datasetId, datasetVersion: 1, datasetHash: "h", spec: SPEC },
  ...{ status: "running" as const, total: 3, createdAt: clock, ...over },
});
const result = (score: number) => ({ index: 0, score, pass: true }) as unknown as RecordResult;

/** A finished run as the run store writes it: live traffic unless `options` says otherwise. */
const RUN = { pipeline: "p", version: 1, status: "completed", options: { traffic: "live" } as unknown, started: 5 as number | null, finished: 100, cost: 0 };
const RUN_SQL = `INSERT INTO runs (id, pipeline_id, pipeline_version, pipeline_doc, input, seed, status, options, created_at, started_at, finished_at, cost_usd)
  VALUES (?, ?, ?, '{}', '{}', 0, ?, ?, 0, ?, ?, ?)`;
async function addRun(s: Stores, id: string, over: Partial<typeof RUN>) {
  const r = { ...RUN, ...over };
  await s.sql(RUN_SQL, id, r.pipeline, r.version, r.status, JSON.stringify(r.options), r.started, r.finished, r.cost);
}
const EVENT_SQL = "INSERT INTO run_events (run_id, seq, type, node_id, at, data) VALUES (?, ?, ?, ?, 0, ?)";

const backends: Array<[string, () => Promise<Stores>]> = [
  ["SQLite", () => sqliteStores()],
  ["PostgreSQL", () => pgStores()],
];

describe.each(backends)("%s stores", (name, open) => {
  const pg = name === "PostgreSQL";
  describe.skipIf(pg && !pgBinDir)("", () => {
    it("datasets: versions are immutable, the current content again is a no-op, an older content again is a new version", async () => {
      const { datasets: d } = await open();
      clock = 1000;
      const a = await d.create("first", "jsonl", records(1, 2), "upload");
      expect(a).toMatchObject({ name: "first", version: 1, records: 2, createdAt: 1000, updatedAt: 1000 });
      expect(a.id).toMatch(/^ds_/);
      clock = 2000;
      expect(await d.addVersion(a.id, "csv", records(1, 2))).toEqual({ summary: a, created: false });
      const v2 = await d.addVersion(a.id, "csv", records(3), "");
      expect(v2).toMatchObject({ created: true, summary: { version: 2, records: 1, updatedAt: 2000, createdAt: 1000 } });
      clock = 3000;
      expect((await d.addVersion(a.id, "jsonl", records(1, 2), "back"))?.summary).toMatchObject({ version: 3, hash: a.hash });
      expect(await d.addVersion("ds_none", "jsonl", records(1))).toBeUndefined();
      const versions = (await d.versions(a.id)).map((v) => `${v.version} ${v.format} ${v.records} ${v.message}`);
      expect(versions).toEqual(["3 jsonl 2 back", "2 csv 1 undefined", "1 jsonl 2 upload"]);
      expect(await d.get(a.id)).toMatchObject({ datasetId: a.id, name: "first", version: 3, data: records(1, 2) });
      expect(await d.get(a.id, 2)).toMatchObject({ version: 2, format: "csv", data: records(3), createdAt: 2000 });
      expect([await d.get(a.id, 9), await d.get("ds_none"), await d.summary("ds_none")]).toEqual([undefined, undefined, undefined]);
      clock = 4000;
      const b = await d.create("second", "csv", records({ x: "y" }));
      expect((await d.list()).map((s) => s.id)).toEqual([b.id, a.id]);
      expect(await d.summary(b.id)).toEqual(b);
    });

    it("datasets: an experiment over a dataset keeps it (DatasetInUseError); without one it goes with its versions", async () => {
      const { datasets: d, experiments: e } = await open();
      const a = await d.create("used", "jsonl", records(1));
      await d.addVersion(a.id, "jsonl", records(2));
      await e.create(experiment("e1", a.id));
      await e.create(experiment("e2", a.id));
      expect(await d.usedBy(a.id)).toBe(2);
      const err = await d.delete(a.id).catch((x: unknown) => x);
      expect(err).toBeInstanceOf(DatasetInUseError);
      expect(err).toMatchObject({ datasetId: a.id, experiments: 2, message: `dataset "${a.id}" is used by 2 experiments; delete them first` });
      expect([await e.delete("e1"), await e.delete("e2"), await d.usedBy(a.id)]).toEqual([true, true, 0]);
      expect([await d.delete(a.id), await d.delete(a.id), await d.get(a.id, 1), await d.list()]).toEqual([true, false, undefined, []]);
    });

    it("experiments: one row per record, results counted as done, patches, runs and results per record", async () => {
      const { datasets: d, experiments: e } = await open();
      const ds = await d.create("d", "jsonl", records(1, 2, 3));
      await e.create(experiment("e1", ds.id, { createdAt: 100 }));
      await e.create(experiment("e2", ds.id, { createdAt: 200, total: 0, status: "completed" }));
      expect((await e.get("e1"))?.done).toBe(0);
      expect(await e.rows("e1")).toEqual([{ index: 0 }, { index: 1 }, { index: 2 }]);
      await e.setRun("e1", 0, "run-a");
      await e.setResult("e1", 0, result(0.5));
      await e.setRun("e1", 1, "run-b");
      await e.setResult("e1", 1, result(1));
      await e.setRun("e1", 1, "run-c"); // a resubmitted record loses its old result
      expect(await e.rows("e1")).toEqual([{ index: 0, runId: "run-a", result: result(0.5) }, { index: 1, runId: "run-c" }, { index: 2 }]);
      await e.setRun("e1", 0, undefined);
      expect((await e.rows("e1"))[0]).toEqual({ index: 0 });
      await e.setResult("e1", 2, result(0));
      await e.update("e1", { startedAt: 150, metrics: { n: 1 } as never, error: { code: "E_X", message: "m" } as never });
      await e.update("e1", {});
      expect(await e.get("e1")).toMatchObject({ done: 1, startedAt: 150, metrics: { n: 1 }, error: { code: "E_X", message: "m" }, spec: SPEC });
      await e.update("e1", { status: "completed", finishedAt: 300, error: undefined });
      const got = await e.get("e1");
      expect(got).toMatchObject({ status: "completed", finishedAt: 300, total: 3, datasetId: ds.id });
      expect(got?.error).toBeUndefined();
      expect((await e.list()).map((x) => x.id)).toEqual(["e2", "e1"]);
      expect((await e.list(1)).map((x) => x.id)).toEqual(["e2"]);
      expect([await e.get("none"), await e.delete("e1"), await e.delete("e1"), await e.rows("e1")]).toEqual([undefined, true, false, []]);
    });

    it("experiments: a stopped process's running experiments become interrupted; limits read as SQLite's LIMIT", async () => {
      const { datasets: d, experiments: e } = await open();
      const ds = await d.create("d", "jsonl", records(1));
      for (const id of ["a", "b", "c"]) await e.create(experiment(id, ds.id, { status: id === "b" ? "completed" : "running" }));
      expect((await e.interruptRunning()).sort()).toEqual(["a", "c"]);
      expect(await e.interruptRunning()).toEqual([]);
      expect([(await e.get("c"))?.status, (await e.get("b"))?.status]).toEqual(["interrupted", "completed"]);
      expect(await e.list(0)).toEqual([]);
      expect(await e.list(-1)).toHaveLength(3); // a negative LIMIT is no limit
      await expect(e.list(2.5)).rejects.toThrow(/datatype mismatch/);
    });

    it("audit: newest first, filtered by pipeline, action and afterId, limited", async () => {
      const { audit: a } = await open();
      const added = [];
      for (const [i, pipelineId] of ["p", "q", "p", undefined].entries()) {
        clock = 10 + i;
        const action = i === 1 ? "tag" : "save";
        added.push(await a.append({ actor: "local", action, ...(pipelineId ? { pipelineId } : {}), reason: `r${i}`, evidence: { i } }));
      }
      expect(added.map((x) => x.id)).toEqual([...added.map((x) => x.id)].sort((x, y) => x - y));
      expect(added[0]).toEqual({ id: added[0]?.id, at: 10, actor: "local", action: "save", pipelineId: "p", reason: "r0", evidence: { i: 0 } });
      expect(await a.list()).toEqual([...added].reverse());
      const reasons = async (f: Parameters<AuditStore["list"]>[0]) => (await a.list(f)).map((x) => x.reason);
      expect(await reasons({ pipelineId: "p" })).toEqual(["r2", "r0"]);
      expect(await reasons({ pipelineId: "" })).toEqual(["r3", "r2", "r1", "r0"]);
      expect(await reasons({ action: "tag" })).toEqual(["r1"]);
      expect(await reasons({ afterId: added[1]?.id })).toEqual(["r3", "r2"]);
      expect(await reasons({ limit: 2 })).toEqual(["r3", "r2"]);
      expect(await reasons({ pipelineId: "p", action: "save", afterId: added[0]?.id })).toEqual(["r2"]);
      expect((await a.list())[0]?.pipelineId).toBeUndefined();
    });

    it("audit: the log is append-only: the database refuses UPDATE and DELETE", async () => {
      const s = await open();
      const e = await s.audit.append({ actor: "local", action: "save", reason: "kept", evidence: {} });
      await expect(s.sql("UPDATE audit_log SET reason = 'rewritten'")).rejects.toThrow(/append-only/);
      await expect(s.sql("DELETE FROM audit_log WHERE id = ?", e.id)).rejects.toThrow(/append-only/);
      await expect(s.sql("DELETE FROM audit_log")).rejects.toThrow(/append-only/);
      expect(await s.audit.list()).toEqual([e]);
    });

    it("audit lists at most 10,000 entries and pending actions at most 1,000, whatever the limit asked", async () => {
      const s = await open();
      const many = (n: number, insert: string) => s.sql(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${n}) ${insert}`);
      await many(10_001, "INSERT INTO audit_log (at, actor, action, reason, evidence) SELECT i, 'a', 'save', 'r', '{}' FROM n");
      const columns = "id, pipeline_id, kind, version, status, reason, evidence, created_at";
      await many(1001, `INSERT INTO pending_actions (${columns}) SELECT 'act_' || i, 'p', 'promote', i, 'pending', 'r', '{}', i FROM n`);
      expect([(await s.audit.list({ limit: 20_000 })).length, (await s.audit.list()).length]).toEqual([10_000, 100]);
      expect([(await s.optimizer.pending({ limit: 5000 })).length, (await s.optimizer.pending()).length]).toEqual([1000, 100]);
    });

    it("trials: newest first (ties in insertion order), filtered and limited; only a measuring trial finishes", async () => {
      const { trials: t } = await open();
      clock = 50;
      const a = await t.add({ pipelineId: "p", type: "prune", liveVersion: 1, spec: { a: 1 } });
      const b = await t.add({ pipelineId: "p", type: "routing", liveVersion: 2, spec: {} });
      clock = 60;
      const c = await t.add({ pipelineId: "q", type: "prune", liveVersion: 1, spec: {} });
      expect(a).toMatchObject({ status: "measuring", createdAt: 50, pipelineId: "p", spec: { a: 1 } });
      expect([await t.get(a.id), await t.get("trial_none")]).toEqual([a, undefined]);
      expect((await t.list()).map((x) => x.id)).toEqual([c.id, b.id, a.id]);
      expect((await t.list({ pipelineId: "p", limit: 1 })).map((x) => x.id)).toEqual([b.id]);
      clock = 70;
      expect(await t.finish(b.id, "suggested", { reason: "first" })).toBe(true);
      expect(await t.finish(b.id, "failed", { reason: "second" })).toBe(false);
      expect(await t.get(b.id)).toMatchObject({ status: "suggested", result: { reason: "first" }, finishedAt: 70 });
      expect((await t.list({ status: "measuring" })).map((x) => x.id).sort()).toEqual([a.id, c.id].sort());
      expect(await t.list({ status: "failed" })).toEqual([]);
    });

    it("pending actions with one created_at stay in insertion order after one is decided", async () => {
      const { optimizer: o } = await open();
      const ids = [];
      for (let v = 1; v <= 3; v++) ids.push((await o.addPending({ pipelineId: "p", kind: "promote", version: v, reason: "r", evidence: {} })).id);
      await o.decide(ids[0] as string, "approved", "x");
      expect((await o.pending()).map((x) => x.id)).toEqual([...ids].reverse());
    });

    it("optimizer: cycles newest first; pending actions filtered and limited; only a pending action is decided", async () => {
      const { optimizer: o } = await open();
      const c1 = await o.addCycle(5, { a: 1 });
      const c2 = await o.addCycle(6, { b: [1, 2] });
      expect(c2.id).toBeGreaterThan(c1.id);
      expect([await o.cycles(10), await o.cycles(1)]).toEqual([[c2, c1], [c2]]);
      clock = 100;
      const p1 = await o.addPending({ pipelineId: "p", kind: "promote", version: 2, reason: "better", evidence: { score: 0.9 } });
      clock = 200;
      const p2 = await o.addPending({ pipelineId: "q", kind: "suggestion", version: 5, reason: "cheaper", evidence: {} });
      const p3 = await o.addPending({ pipelineId: "q", kind: "suggestion", version: 6, reason: "same time", evidence: {} });
      expect(p1).toMatchObject({ status: "pending", createdAt: 100, pipelineId: "p", id: expect.stringMatching(/^act_/) });
      expect([await o.getPending(p1.id), await o.getPending("act_none")]).toEqual([p1, undefined]);
      const ids = async (f?: Parameters<OptimizerStore["pending"]>[0]) => (await o.pending(f)).map((x) => x.id);
      expect(await ids()).toEqual([p3.id, p2.id, p1.id]); // a tie in created_at: the later first
      expect([await ids({ pipelineId: "p" }), await ids({ limit: 1 }), await ids({ limit: 5000 })]).toEqual([[p1.id], [p3.id], [p3.id, p2.id, p1.id]]);
      clock = 300;
      expect(await o.decide(p1.id, "approved", "alice")).toBe(true);
      expect(await o.decide(p1.id, "rejected", "bob")).toBe(false);
      expect(await o.getPending(p1.id)).toMatchObject({ status: "approved", decidedAt: 300, decidedBy: "alice" });
      expect(await ids({ status: "pending" })).toEqual([p3.id, p2.id]);
      // A decided action still counts: a version is queued at most once.
      expect([await o.hasAction("p", 2), await o.hasAction("p", 3), await o.hasAction("q", 2)]).toEqual([true, false, false]);
    });

    it("optimizer: the kill switch is kept in the database, across a restart", async () => {
      const s = await open();
      expect(await s.optimizer.stopped()).toBe(false);
      await s.optimizer.setStopped(true);
      await s.optimizer.setStopped(true);
      const again = await s.reopen();
      expect(await again.optimizer.stopped()).toBe(true);
      await again.optimizer.setStopped(false);
      expect(await s.optimizer.stopped()).toBe(false);
      await s.optimizer.setStopped(false);
    });

    it("deployments: tags, policies and the pipelines with one", async () => {
      const { deployments: d } = await open();
      expect(await d.tags("p")).toEqual({});
      await d.setTag("p", "live", 3);
      await d.setTag("p", "candidate", 1);
      await d.setTag("p", "candidate", 2);
      // In key order, as SQLite's primary key reads: the same JSON out.
      expect(JSON.stringify(await d.tags("p"))).toBe('{"candidate":2,"live":3}');
      expect([await d.clearTag("p", "candidate"), await d.clearTag("p", "candidate"), await d.tags("p")]).toEqual([true, false, { live: 3 }]);
      expect(await d.policy("p")).toBeUndefined();
      for (const id of ["b", "a", "B", "é", "_", "😀", "\uffee"]) await d.setPolicy(id, { mode: id });
      await d.setPolicy("a", { mode: "manual", gates: ["x"] });
      expect(await d.policy("a")).toEqual({ mode: "manual", gates: ["x"] });
      expect(await d.policyPipelines()).toEqual(["B", "_", "a", "b", "é", "\uffee", "😀"]); // UTF-8 byte order, whatever the locale
      await expect(d.setPolicy("u", undefined)).rejects.toThrow();
    });

    it("deployments: live runs are finished REST traffic of one version, newest first, in the window", async () => {
      const s = await open();
      await addRun(s, "r1", { finished: 100, started: null, cost: 0.1 });
      await addRun(s, "r2", { finished: 300, status: "failed", cost: 0.2 });
      await addRun(s, "r3", { finished: 200, cost: 0.3, options: { traffic: { tag: "live" }, note: "nul \u0000 and lone \ud800" } });
      await addRun(s, "old", { finished: 10, cost: 1 });
      for (const [id, over] of Object.entries({ editor: { options: {} }, nulled: { options: { traffic: null } }, run: { status: "running" } }))
        await addRun(s, id, { ...over, cost: 1 });
      await addRun(s, "v2", { version: 2, cost: 1 });
      await addRun(s, "other", { pipeline: "q", cost: 1 });
      expect(await s.deployments.liveRuns("p", 1, { since: 50, limit: 10 })).toEqual([
        { id: "r2", status: "failed", startedAt: 5, finishedAt: 300, costUsd: 0.2 },
        { id: "r3", status: "completed", startedAt: 5, finishedAt: 200, costUsd: 0.3 },
        { id: "r1", status: "completed", finishedAt: 100, costUsd: 0.1 },
      ]);
      expect((await s.deployments.liveRuns("p", 1, { since: 50, limit: 2 })).map((r) => r.id)).toEqual(["r2", "r3"]);
      expect(await s.deployments.liveRuns("p\u0000", 1, { since: 0, limit: 10 })).toEqual([]);
      // Every version and status, REST traffic only. SQLite's SUM is compensated: 0.1 + 0.2 + 0.3 is 0.6, not 0.6000000000000001.
      const spend = (since: number, pipeline = "p") => s.deployments.spendSince(pipeline, since);
      expect([await spend(50), await spend(150), await spend(1000)]).toEqual([2.6, 0.5, 0]);
      for (const [i, cost] of [0.1, 0.2, 0.3].entries()) await addRun(s, `sum${i}`, { pipeline: "sum", finished: 500, cost });
      expect(await spend(0, "sum")).toBe(0.6);
    });

    it("deployments: a critique's verdict is its last loop_iteration with one, per node, per run asked", async () => {
      const s = await open();
      const events: Array<[string, string, string, unknown]> = [
        ["a", "loop_iteration", "check", { passed: false, text: "nul \u0000, lone \udc00" }],
        ["a", "node_finished", "check", { passed: true }],
        ["a", "loop_iteration", "other", { passed: true, branch: "exhausted" }],
        ["a", "loop_iteration", "check", { passed: true }],
        ["a", "loop_iteration", "check", { iteration: 3 }],
        ["a", "loop_iteration", "check", { passed: null }],
        ["b", "loop_iteration", "check", { passed: "yes" }],
      ];
      for (const [seq, [run, type, node, data]] of events.entries()) await s.sql(EVENT_SQL, run, seq, type, node, JSON.stringify(data));
      expect(await s.deployments.critiqueVerdicts([])).toEqual([]);
      expect(await s.deployments.critiqueVerdicts(["b", "none", "a", "b"])).toEqual([
        { runId: "b", nodeId: "check", passed: false, exhausted: false },
        { runId: "a", nodeId: "check", passed: true, exhausted: false },
        { runId: "a", nodeId: "other", passed: true, exhausted: true },
        { runId: "b", nodeId: "check", passed: false, exhausted: false },
      ]);
    });

    it("deployments: online scores keep the first result per run and evaluator", async () => {
      const { deployments: d } = await open();
      const base = { pipelineId: "p", version: 1, weight: 1, score: 0.5, pass: true, at: 10 };
      const score = (runId: string, evaluator: string, over: Partial<OnlineScore> = {}): OnlineScore => ({ ...base, runId, evaluator, ...over });
      const judged = score("r1", "judge", { pass: false, score: 0, error: "judge down", weight: 2 });
      await d.saveOnlineScores([]);
      await d.saveOnlineScores([score("r2", "len"), judged, score("r1", "a"), score("r1", "B")]);
      await d.saveOnlineScores([score("r2", "len", { score: 1, at: 99 }), score("r3", "len", { version: 2 })]);
      expect([await d.hasOnlineScores("r1"), await d.hasOnlineScores("r9"), await d.onlineScores([])]).toEqual([true, false, []]);
      const got = await d.onlineScores(["r2", "r1", "r9"]);
      expect(got.map((x) => `${x.runId}/${x.evaluator}`)).toEqual(["r1/B", "r1/a", "r1/judge", "r2/len"]); // binary order, whatever the locale
      expect([got[2], got[3]]).toEqual([judged, score("r2", "len")]);
      // SQLite binds NaN as NULL, which the NOT NULL column refuses; nothing of that batch is kept.
      await expect(d.saveOnlineScores([score("r5", "a"), score("r5", "b", { score: Number.NaN })])).rejects.toThrow(/NOT NULL|null value/);
      expect(await d.hasOnlineScores("r5")).toBe(false);
    });

    it("hostile text (NUL included) comes back unchanged from every text column", async () => {
      const s = await open();
      const ds = await s.datasets.create("seed", "jsonl", records(1));
      for (const [i, text] of HOSTILE.entries()) {
        const d = await s.datasets.create(text, "jsonl", records(text), text);
        expect(await s.datasets.get(d.id)).toMatchObject({ name: text, data: records(text), ...(text ? { message: text } : {}) });
        await s.experiments.create(experiment(`e${i}`, ds.id, { name: text, pipelineId: text }));
        await s.experiments.setRun(`e${i}`, 0, text);
        expect(await s.experiments.get(`e${i}`)).toMatchObject({ name: text, pipelineId: text });
        expect((await s.experiments.rows(`e${i}`))[0]?.runId).toBe(text);
        const entry = { actor: text, action: "save" as const, pipelineId: text, reason: text, evidence: { text, payloads: fixture.jsonPayloads } };
        await s.audit.append(entry);
        expect((await s.audit.list({ pipelineId: text, limit: 1 }))[0]).toMatchObject(text === "" ? { actor: text } : entry);
        const t = await s.trials.add({ pipelineId: text, type: "prune", liveVersion: 1, spec: { text } });
        expect(await s.trials.get(t.id)).toEqual(t);
        const a = await s.optimizer.addPending({ pipelineId: text, kind: "promote", version: i, reason: text, evidence: {} });
        await s.optimizer.decide(a.id, "approved", text);
        expect(await s.optimizer.getPending(a.id)).toMatchObject({ pipelineId: text, reason: text, decidedBy: text });
        expect(await s.optimizer.hasAction(text, i)).toBe(true);
        await s.deployments.setTag(text, "live", i);
        await s.deployments.setPolicy(text, { text });
        expect([await s.deployments.tags(text), await s.deployments.policy(text)]).toEqual([{ live: i }, { text }]);
        const scored: OnlineScore = { runId: text, evaluator: text, pipelineId: text, version: 1, weight: 1, score: 1, pass: true, error: text, at: 1 };
        await s.deployments.saveOnlineScores([scored]);
        expect(await s.deployments.onlineScores([text])).toEqual([scored]);
      }
      expect(await s.trials.list({ pipelineId: "nul\u0000inside" })).toHaveLength(1);
      expect(await s.deployments.policyPipelines()).toEqual([...HOSTILE].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
      expect([await s.datasets.get("ds\u0000"), await s.datasets.delete("ds\u0000")]).toEqual([undefined, false]);
    });
  });
});

describe.skipIf(!pgBinDir)("PostgreSQL stores shared by two processes", () => {
  it("two processes deciding one pending action: exactly one wins", async () => {
    const a = await pgStores();
    const b = await a.reopen();
    const add = (version: number) => a.optimizer.addPending({ pipelineId: "p", kind: "promote", version, reason: "r", evidence: {} });
    const ids = await Promise.all(Array.from({ length: 20 }, (_, v) => add(v)));
    const race = (id: string) => Promise.all([a.optimizer.decide(id, "approved", "alice"), b.optimizer.decide(id, "rejected", "bob")]);
    const outcomes = await Promise.all(ids.map(({ id }) => race(id)));
    for (const [x, y] of outcomes) expect(x !== y).toBe(true);
    for (const [i, { id }] of ids.entries()) expect((await a.optimizer.getPending(id))?.decidedBy).toBe(outcomes[i]?.[0] ? "alice" : "bob");
  });

  it("two processes finishing one trial: exactly one wins", async () => {
    const a = await pgStores();
    const b = await a.reopen();
    const t = await a.trials.add({ pipelineId: "p", type: "prune", liveVersion: 1, spec: {} });
    const [x, y] = await Promise.all([a.trials.finish(t.id, "suggested", { by: "a" }), b.trials.finish(t.id, "failed", { by: "b" })]);
    expect(x !== y).toBe(true);
  });

  it("two processes adding dataset versions at once: no version lost or made twice", async () => {
    const a = await pgStores();
    const b = await a.reopen();
    const d = await a.datasets.create("d", "jsonl", records(0));
    const adds = await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 ? a : b).datasets.addVersion(d.id, "jsonl", records(i + 1))));
    expect(adds.every((r) => r?.created)).toBe(true);
    expect(adds.map((r) => r?.summary.version).sort((x, y) => (x ?? 0) - (y ?? 0))).toEqual(Array.from({ length: 16 }, (_, i) => i + 2));
    expect((await a.datasets.versions(d.id)).map((v) => v.version)).toEqual(Array.from({ length: 17 }, (_, i) => 17 - i));
    // The same upload from both at once: one new version, one no-op.
    const same = await Promise.all([a.datasets.addVersion(d.id, "csv", records("same")), b.datasets.addVersion(d.id, "csv", records("same"))]);
    expect(same.map((r) => r?.created).sort()).toEqual([false, true]);
    expect((await a.datasets.summary(d.id))?.version).toBe(18);
  });

  it("deleting a dataset while another process creates an experiment over it is DatasetInUseError", async () => {
    const url = await database();
    const s = await pgStores(url);
    const d = await s.datasets.create("d", "jsonl", records(1));
    const other = await openPg(url, { max: 1 });
    closers.push(() => other.end());
    const c = await other.connect();
    try {
      await c.query("BEGIN");
      const columns = "id, name, pipeline_id, pipeline_version, dataset_id, dataset_version, dataset_hash, spec, status, total, created_at";
      await c.query(`INSERT INTO experiments (${columns}) VALUES ('e', 'e', 'p', 1, $1, 1, 'h', '{}', 'running', 0, 0)`, [d.id]);
      const deleting = s.datasets.delete(d.id).catch((x: unknown) => x);
      await new Promise((r) => setTimeout(r, 300));
      await c.query("COMMIT");
      expect(await deleting).toBeInstanceOf(DatasetInUseError);
    } finally {
      c.release();
    }
  });
});
