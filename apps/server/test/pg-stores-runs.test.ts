import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Annotation, END, START, StateGraph } from "@langchain/langgraph";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openDb } from "../src/store/db.js";
import { openPgCheckpointer } from "../src/store/pg/checkpoints.js";
import { type Pg, openPg } from "../src/store/pg/db.js";
import { PgPipelineStore } from "../src/store/pg/pipelines.js";
import { PgRunStore } from "../src/store/pg/runs.js";
import { type PipelineStore, SqlitePipelineStore } from "../src/store/pipelines.js";
import { type RunStore, SqliteRunStore } from "../src/store/runs.js";
import { minimalPipeline, storedEvent } from "./helpers.js";
import { type TestPostgres, pgBinDir, startPostgres } from "./pg-helpers.js";

/**
 * The PostgreSQL run and pipeline stores against the SQLite ones: every case below runs on both,
 * so the two are shown to behave alike, then PostgreSQL alone where two processes meet.
 */
const hostile = JSON.parse(readFileSync(new URL("../../../test-fixtures/hostile-strings.json", import.meta.url), "utf8")) as {
  labels: string[];
  jsonPayloads: unknown[];
};
// SQLite takes these in any text column; PostgreSQL TEXT cannot hold U+0000 as it is.
const nulStrings = ["a\u0000b", "\u0000", "end\u0000", "\uffff marked", '\uffff"a\\u0000"'];

const doc = minimalPipeline;
const ev = storedEvent;
const usage = (inputTokens: number, outputTokens: number, costUsd: number) => ({ inputTokens, outputTokens, costUsd });
const nodeFinished = (runId: string, nodeId: string, u = usage(0, 0, 0)) =>
  ev(runId, "node_finished", { nodeId, span: `${nodeId}#1`, output: 1, durationMs: 1, usage: u });
const create = (s: RunStore, id: string, extra: Record<string, unknown> = {}) =>
  s.create({ id, pipeline: doc(`P ${id}`), input: { id }, seed: 7, options: {}, createdAt: 1, ...extra });
const ticking = (start = 1000) => {
  let t = start;
  return () => ++t;
};

let server: TestPostgres | undefined;
const cleanups: Array<() => Promise<void> | void> = [];
beforeAll(async () => {
  if (pgBinDir) server = await startPostgres();
}, 60_000);
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(async () => {
  await server?.destroy();
});

async function pgPool(url?: string): Promise<Pg> {
  const pool = await openPg(url ?? (await (server as TestPostgres).database()));
  cleanups.push(() => pool.end());
  return pool;
}

interface Opened {
  pipelines(now?: () => number): PipelineStore;
  /** A run store of its own on the same database: another process, as far as caches go. */
  runs(): RunStore;
}
const backends: Array<{ name: string; available: boolean; open(): Promise<Opened> }> = [
  {
    name: "SQLite",
    available: true,
    async open() {
      const dir = mkdtempSync(join(tmpdir(), "braid-stores-"));
      const db = openDb(dir);
      cleanups.push(() => {
        db.close();
        rmSync(dir, { recursive: true, force: true });
      });
      return { pipelines: (now) => new SqlitePipelineStore(db, now), runs: () => new SqliteRunStore(db) };
    },
  },
  {
    name: "PostgreSQL",
    available: pgBinDir !== undefined,
    async open() {
      const pool = await pgPool();
      return { pipelines: (now) => new PgPipelineStore(pool, now), runs: () => new PgRunStore(pool) };
    },
  },
];

describe.each(backends)("$name stores", (backend) => {
  describe.skipIf(!backend.available)("pipelines", () => {
    it("saves versions, reads any of them back and lists them newest first", async () => {
      const s = (await backend.open()).pipelines(ticking());
      expect(await s.save(doc("My Flow!"))).toEqual({ id: "my-flow", name: "My Flow!", version: 1, createdAt: 1001, updatedAt: 1001 });
      expect(await s.save(doc("my flow!"))).toMatchObject({ id: "my-flow-2", name: "my flow! (2)", version: 1 });
      const second = { id: "my-flow", name: "Second", version: 2, createdAt: 1001, updatedAt: 1003 };
      expect(await s.save(doc("Second"), { id: "my-flow", message: "edit" })).toEqual(second);
      expect(await s.save(doc("Own id"), { id: "chosen" })).toMatchObject({ id: "chosen", version: 1 });
      expect((await s.get("my-flow"))?.pipeline.name).toBe("Second");
      expect(await s.get("my-flow", 1)).toMatchObject({ version: 1, pipeline: { name: "My Flow!" }, summary: { version: 2 } });
      for (const v of [3, 0, 1.5, 2 ** 40, Number.NaN]) expect(await s.get("my-flow", v)).toBeUndefined();
      expect(await s.get("nope")).toBeUndefined();
      expect((await s.versions("my-flow")).map((v) => [v.version, v.name, v.message, v.createdAt])).toEqual([
        [2, "Second", "edit", 1003],
        [1, "My Flow!", undefined, 1001],
      ]);
      expect(await s.versions("nope")).toEqual([]);
      expect((await s.list()).map((p) => p.id)).toEqual(["chosen", "my-flow", "my-flow-2"]);
    });

    it("renames, duplicates and restores as new versions", async () => {
      const s = (await backend.open()).pipelines(ticking());
      await s.save(doc("Flow"));
      expect(await s.rename("flow", "Flow")).toMatchObject({ version: 1 });
      expect(await s.rename("flow", "Renamed")).toMatchObject({ id: "flow", name: "Renamed", version: 2 });
      expect(await s.duplicate("flow")).toMatchObject({ id: "renamed-copy", name: "Renamed (copy)", version: 1 });
      expect(await s.duplicate("flow", "Other")).toMatchObject({ id: "other", name: "Other" });
      expect(await s.restore("flow", 1)).toMatchObject({ version: 3, name: "Flow" });
      expect((await s.versions("flow")).map((v) => v.message)).toEqual(["restored version 1", 'renamed from "Flow"', undefined]);
      expect((await s.versions("renamed-copy"))[0]?.message).toBe("copied from flow version 2");
      expect(await s.rename("nope", "x")).toBeUndefined();
      expect(await s.duplicate("nope")).toBeUndefined();
      expect(await s.restore("flow", 9)).toBeUndefined();
    });

    it("deletes into the bin, takes pipelines back out, and a save brings one back", async () => {
      const s = (await backend.open()).pipelines(ticking());
      await s.save(doc("Gone"));
      await s.save(doc("Kept"));
      expect(await s.delete("gone")).toBe(true);
      expect(await s.delete("gone")).toBe(false);
      expect(await s.get("gone")).toBeUndefined();
      expect(await s.rename("gone", "x")).toBeUndefined();
      expect((await s.list()).map((p) => p.id)).toEqual(["kept"]);
      expect(await s.list({ deleted: true })).toEqual([{ id: "gone", name: "Gone", version: 1, createdAt: 1001, updatedAt: 1001, deletedAt: 1003 }]);
      // The bin's names are free again; its ids are not.
      expect(await s.save(doc("Gone"))).toMatchObject({ id: "gone-2", name: "Gone" });
      expect(await s.undelete("gone")).toBe(true);
      expect(await s.undelete("gone")).toBe(false);
      expect(await s.delete("gone")).toBe(true);
      expect(await s.save(doc("Back"), { id: "gone" })).toMatchObject({ id: "gone", version: 2 });
      expect(await s.list({ deleted: true })).toEqual([]);
    });

    it("searches names and ids as SQLite's LIKE does: ASCII case folded, wildcards literal, trimmed", async () => {
      const s = (await backend.open()).pipelines(ticking());
      for (const name of ["Alpha Beta", "100% done", "snake_case", "back\\slash", "Київ", "q\u0000!!"]) await s.save(doc(name));
      const find = async (query: string) => (await s.list({ query })).map((p) => p.name).sort();
      expect(await find("  ALPHA ")).toEqual(["Alpha Beta"]);
      expect(await find("alpha-b")).toEqual(["Alpha Beta"]);
      expect(await find("%")).toEqual(["100% done"]);
      expect(await find("_")).toEqual(["snake_case"]);
      expect(await find("\\")).toEqual(["back\\slash"]);
      // The query is lowered in full, the name in ASCII only: "К" is found by no query.
      expect(await find("иїв")).toEqual(["Київ"]);
      expect(await find("Київ")).toEqual([]);
      // LIKE reads up to a NUL: "q\0!!" is "q" (its id too), and a query with a NUL matches at the end only.
      expect(await find("!")).toEqual([]);
      expect(await find("q")).toEqual(["q\u0000!!"]);
      expect(await find("a\u0000z")).toEqual(["Alpha Beta"]);
      expect(await find("   ")).toHaveLength(6);
    });
  });

  describe.skipIf(!backend.available)("runs", () => {
    it("creates runs, reads them back and lists summaries newest first, filtered and limited", async () => {
      const s = (await backend.open()).runs();
      await create(s, "a", { pipelineId: "p1", pipelineVersion: 2, createdAt: 10, options: { traffic: "live" } });
      await create(s, "b", { pipelineId: "p2", createdAt: 30, parentRunId: "a", fromNode: "in", status: "running" });
      await create(s, "c", { pipelineId: "p1", createdAt: 20 });
      expect(await s.get("a")).toEqual({
        ...{ id: "a", pipelineId: "p1", pipelineVersion: 2, pipeline: doc("P a"), input: { id: "a" }, seed: 7, status: "queued" },
        ...{ options: { traffic: "live" }, createdAt: 10, usage: usage(0, 0, 0) },
      });
      expect(await s.get("b")).toMatchObject({ status: "running", parentRunId: "a", fromNode: "in" });
      expect(await s.get("nope")).toBeUndefined();
      const ids = async (f?: Parameters<RunStore["list"]>[0]) => (await s.list(f)).map((r) => r.id);
      expect(await ids()).toEqual(["b", "c", "a"]);
      expect(await ids({ pipelineId: "p1" })).toEqual(["c", "a"]);
      expect(await ids({ status: "running" })).toEqual(["b"]);
      expect(await ids({ pipelineId: "", limit: 2 })).toEqual(["b", "c"]);
      expect(await ids({ limit: -1 })).toEqual(["b", "c", "a"]);
      await expect(s.list({ limit: 1.5 })).rejects.toThrow(/datatype mismatch/);
      const [summary] = await s.list({ pipelineId: "p2" });
      expect(summary).toMatchObject({ id: "b", pipelineName: "P b", input: { id: "b" } });
      expect(summary).not.toHaveProperty("pipeline");
    });

    it("marks runs started once and sets their status", async () => {
      const s = (await backend.open()).runs();
      await create(s, "r");
      await s.markStarted("r", 50);
      await s.setStatus("r", "waiting");
      await s.markStarted("r", 60);
      expect(await s.get("r")).toMatchObject({ status: "running", startedAt: 50 });
      await s.setStatus("r", "queued");
      expect((await s.get("r"))?.status).toBe("queued");
    });

    it("appends gap-free seqs and applies each event to the run row", async () => {
      const s = (await backend.open()).runs();
      for (const id of ["ok", "bad", "stop"]) await create(s, id);
      expect(await s.append("ok", ev("ok", "run_started", { pipeline: "p", input: {}, seed: 1 }))).toBe(1);
      await s.append("ok", nodeFinished("ok", "in", usage(1, 2, 0.1)));
      await s.append("ok", nodeFinished("ok", "in", usage(0, 0, 0)));
      await s.append("ok", nodeFinished("ok", "out", usage(3, 4, 0.2)));
      expect((await s.get("ok"))?.usage).toEqual(usage(4, 6, 0.1 + 0.2));
      await s.append("ok", ev("ok", "run_waiting", { nodeId: "out", durationMs: 1, usage: usage(4, 6, 0.3) }));
      expect((await s.get("ok"))?.status).toBe("waiting");
      await s.append("ok", ev("ok", "run_resumed", { nodeId: "out", decision: "approve" }));
      expect((await s.get("ok"))?.status).toBe("running");
      expect(await s.append("ok", ev("ok", "run_finished", { at: 9, output: { done: true }, durationMs: 3, usage: usage(40, 60, 3) }))).toBe(7);
      expect(await s.get("ok")).toMatchObject({ status: "completed", finishedAt: 9, output: { done: true }, usage: usage(40, 60, 3) });
      await s.append("bad", ev("bad", "run_failed", { at: 5, error: { code: "E_X", message: "no" }, durationMs: 1, usage: usage(1, 1, 1) }));
      expect(await s.get("bad")).toMatchObject({ status: "failed", finishedAt: 5, error: { code: "E_X", message: "no" } });
      expect(await s.get("bad")).not.toHaveProperty("output");
      await s.append("stop", ev("stop", "run_cancelled", { reason: "user", durationMs: 1, usage: usage(0, 0, 0) }));
      expect(await s.get("stop")).toMatchObject({ status: "cancelled", error: { code: "E_CANCELLED", message: "user" } });
      const types = ["run_started", "node_finished", "node_finished", "node_finished", "run_waiting", "run_resumed", "run_finished"];
      expect((await s.events("ok")).map((e) => [e.seq, e.event.type])).toEqual(types.map((t, i) => [i + 1, t]));
    });

    it("appendBatch writes many runs' events at once, applying them in order", async () => {
      const s = (await backend.open()).runs();
      for (const id of ["x", "y", "z"]) await create(s, id);
      expect(await s.appendBatch([])).toEqual([]);
      await s.append("x", nodeFinished("x", "pre", usage(0, 0, 0.1)));
      const costs = [0.7, 0.2, 1e-9, 0.3];
      const seqs = await s.appendBatch([
        ...costs.map((c, i) => ({ runId: "x", event: nodeFinished("x", `n${i}`, usage(1, 1, c)) })),
        { runId: "y", event: nodeFinished("y", "a", usage(1, 0, 0.5)) },
        { runId: "y", event: ev("y", "run_finished", { output: 1, durationMs: 1, usage: usage(10, 10, 0.1) }) },
        { runId: "y", event: nodeFinished("y", "late", usage(1, 1, 0.2)) },
        { runId: "x", event: ev("x", "run_waiting", { nodeId: "n4", durationMs: 1, usage: usage(0, 0, 0) }) },
        { runId: "z", event: ev("z", "run_started", { pipeline: "p", input: {}, seed: 1 }) },
      ]);
      expect(seqs).toEqual([2, 3, 4, 5, 1, 2, 3, 6, 1]);
      // Float sums in the order the events came, as SQLite adds them one by one: 1.3000000010000001, not 1.300000001.
      const inOrder = costs.reduce((a, c) => a + c, 0.1);
      expect((await s.get("x"))?.usage).toEqual(usage(4, 4, inOrder));
      expect((await s.get("x"))?.status).toBe("waiting");
      expect(await s.get("y")).toMatchObject({ status: "completed", usage: usage(11, 11, 0.1 + 0.2) });
      expect(await s.appendBatch([{ runId: "z", event: nodeFinished("z", "a") }])).toEqual([2]);
    });

    it("pages events, counts seqs and forgets a seq another process has moved on", async () => {
      const o = await backend.open();
      const s = o.runs();
      await create(s, "r");
      for (let i = 0; i < 5; i++) await s.append("r", nodeFinished("r", `n${i}`));
      const seqs = async (after?: number, limit?: number) => (await s.events("r", after, limit)).map((e) => e.seq);
      expect(await seqs(2)).toEqual([3, 4, 5]);
      expect(await seqs(0, 2)).toEqual([1, 2]);
      expect(await seqs(1.5, 1)).toEqual([2]);
      expect(await seqs(-3, -1)).toEqual([1, 2, 3, 4, 5]);
      expect(await seqs(5)).toEqual([]);
      expect(await seqs(Number.NaN)).toEqual([]);
      expect(await s.events("nope")).toEqual([]);
      expect(await s.lastSeq("r")).toBe(5);
      expect(await s.lastSeq("nope")).toBe(0);
      const other = o.runs();
      expect(await other.append("r", nodeFinished("r", "elsewhere"))).toBe(6);
      expect(await s.lastSeq("r")).toBe(5);
      await expect(s.append("r", nodeFinished("r", "stale"))).rejects.toThrow();
      await s.forgetSeq("r");
      expect(await s.lastSeq("r")).toBe(6);
      expect(await s.append("r", ev("r", "run_finished", { output: 1, durationMs: 1, usage: usage(0, 0, 0) }))).toBe(7);
      // A finished run is forgotten, so what another process appends after it is seen.
      expect(await o.runs().append("r", nodeFinished("r", "after"))).toBe(8);
      expect(await s.lastSeq("r")).toBe(8);
    });

    it("lists the unfinished runs, oldest first", async () => {
      const s = (await backend.open()).runs();
      await create(s, "done", { createdAt: 1 });
      await create(s, "late", { createdAt: 30 });
      await create(s, "early", { createdAt: 10, status: "running" });
      await create(s, "paused", { createdAt: 5, status: "waiting" });
      await s.append("done", ev("done", "run_finished", { output: 1, durationMs: 1, usage: usage(0, 0, 0) }));
      const runs = await s.unfinished();
      expect(runs.map((r) => r.id)).toEqual(["early", "late"]);
      expect(runs[0]?.pipeline).toEqual(doc("P early"));
    });

    it("writes un-awaited calls for one run in call order", async () => {
      const s = (await backend.open()).runs();
      await create(s, "r");
      const calls: Array<Promise<unknown>> = [];
      for (let i = 0; i < 150; i++) {
        calls.push(s.append("r", nodeFinished("r", `n${i}`, usage(1, 0, 0))));
        if (i % 50 === 49) calls.push(s.appendBatch([{ runId: "r", event: nodeFinished("r", `b${i}`) }]));
      }
      calls.push(s.setStatus("r", "waiting"), s.append("r", ev("r", "run_resumed", { nodeId: "x", decision: "ok" })));
      const seqs = (await Promise.all(calls)).filter((v) => v !== undefined).map((v) => (Array.isArray(v) ? v[0] : v));
      expect(seqs).toEqual(Array.from({ length: 154 }, (_, i) => i + 1));
      const order = (await s.events("r")).map((e) => ("nodeId" in e.event ? e.event.nodeId : ""));
      expect(order.slice(0, 52)).toEqual([...Array.from({ length: 50 }, (_, i) => `n${i}`), "b49", "n50"]);
      expect(await s.get("r")).toMatchObject({ status: "running", usage: { inputTokens: 150 } });
    });
  });

  describe.skipIf(!backend.available)("hostile strings", () => {
    const strings = [...hostile.labels, ...nulStrings];

    it("round-trip unchanged through pipeline names, ids and messages", async () => {
      const s = (await backend.open()).pipelines(ticking());
      for (const [i, name] of strings.entries()) {
        const id = `${name}#${i}`;
        const saved = await s.save(doc(name), { id, message: name });
        expect(saved).toMatchObject({ id, name });
        expect((await s.get(id))?.pipeline.name).toBe(name);
        expect((await s.versions(id))[0]).toEqual({ version: 1, name, createdAt: saved.createdAt, ...(name ? { message: name } : {}) });
        expect(await s.rename(id, `${name}!`)).toMatchObject({ id, version: 2 });
        expect(await s.delete(id)).toBe(true);
        expect((await s.list({ deleted: true })).some((p) => p.id === id)).toBe(true);
        expect(await s.undelete(id)).toBe(true);
      }
      expect(await s.save(doc("a\u0000b"))).toMatchObject({ id: "a-b", name: "a\u0000b" });
      expect(await s.save(doc("A\u0000B"))).toMatchObject({ id: "a-b-2", name: "A\u0000B (2)" });
      expect((await s.list({ query: "a" })).map((p) => p.name)).toContain("A\u0000B (2)");
    });

    it("round-trip unchanged through runs and their events", async () => {
      const s = (await backend.open()).runs();
      for (const [i, text] of strings.entries()) {
        const id = `${text}#${i}`;
        // A label of the document too: PostgreSQL's JSON operators refuse \u0000 anywhere in it.
        const pipeline = { ...doc(text), nodes: doc(text).nodes.map((n) => (n.kind === "input" ? { ...n, label: text } : n)) };
        const input = { text, payloads: hostile.jsonPayloads };
        await create(s, id, { pipelineId: text, pipeline, input, createdAt: i, fromNode: text, parentRunId: text });
        await s.appendBatch([
          { runId: id, event: nodeFinished(id, text, usage(1, 1, 0)) },
          { runId: id, event: ev(id, "run_failed", { error: { code: "E_X", message: text }, durationMs: 1, usage: usage(1, 1, 0) }) },
        ]);
        const run = await s.get(id);
        expect(run).toMatchObject({ id, pipelineId: text, fromNode: text, parentRunId: text, pipeline, error: { message: text } });
        expect(JSON.stringify(run?.input)).toBe(JSON.stringify(input));
        expect((await s.events(id)).map((e) => (e.event.type === "node_finished" ? e.event.nodeId : e.seq))).toEqual([text, 2]);
        if (text !== "") expect(await s.list({ pipelineId: text })).toMatchObject([{ id, pipelineName: text }]);
      }
    });
  });
});

describe.skipIf(!pgBinDir)("PostgreSQL: two processes on one database", () => {
  it("concurrent saves of one pipeline from two pools number every version once", async () => {
    const url = await (server as TestPostgres).database();
    const [a, b] = [new PgPipelineStore(await pgPool(url)), new PgPipelineStore(await pgPool(url))];
    await a.save(doc("Shared"), { id: "shared" });
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).save(doc(`v${i}`), { id: "shared" })));
    const versions = (await a.versions("shared")).map((v) => v.version);
    expect(versions).toEqual(Array.from({ length: 41 }, (_, i) => 41 - i));
    expect((await b.get("shared"))?.version).toBe(41);
  });

  it("new pipelines of one name from two pools get their own names and ids", async () => {
    const url = await (server as TestPostgres).database();
    const [a, b] = [new PgPipelineStore(await pgPool(url)), new PgPipelineStore(await pgPool(url))];
    const saved = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).save(doc("Same"))));
    expect(saved.map((p) => p.id).sort()).toEqual(["same", ...Array.from({ length: 9 }, (_, i) => `same-${i + 2}`)].sort());
    expect(new Set(saved.map((p) => p.name)).size).toBe(10);
  });
});

describe.skipIf(!pgBinDir)("PostgreSQL text", () => {
  // SQLite writes a lone surrogate as WTF-8 and reads it back as three U+FFFD; PostgreSQL keeps it.
  it("keeps a lone surrogate in names and ids", async () => {
    const s = new PgPipelineStore(await pgPool());
    const name = "lone \ud800 surrogate";
    expect(await s.save(doc(name), { id: name, message: name })).toMatchObject({ id: name, name });
    expect(await s.versions(name)).toMatchObject([{ name, message: name }]);
  });
});

describe.skipIf(!pgBinDir)("PostgreSQL checkpointer", () => {
  const State = Annotation.Root({ log: Annotation<unknown[]>({ reducer: (a, b) => [...a, ...b], default: () => [] }) });

  it("runs a graph, pauses and resumes it, reads its state back and deletes the thread", async () => {
    const saver = await openPgCheckpointer(await pgPool());
    const graph = new StateGraph(State)
      .addNode("a", () => ({ log: ["a\u0000", ...hostile.jsonPayloads] }))
      .addNode("b", () => ({ log: [undefined, "b"] }))
      .addEdge(START, "a")
      .addEdge("a", "b")
      .addEdge("b", END)
      .compile({ checkpointer: saver, interruptBefore: ["b"] });
    const config = { configurable: { thread_id: "run-1" } };
    await graph.invoke({ log: ["start"] }, config);
    const paused = await graph.getState(config);
    expect(paused.next).toEqual(["b"]);
    expect(paused.metadata).toMatchObject({ source: "loop", step: 1 });
    await graph.invoke(null, config);
    const state = await graph.getState(config);
    // toEqual tells undefined from null, and own __proto__ keys from prototypes.
    expect(state.values.log).toEqual(["start", "a\u0000", ...hostile.jsonPayloads, undefined, "b"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(state.metadata).toMatchObject({ source: "loop", step: 2 });
    await saver.deleteThread("run-1");
    expect(await saver.getTuple(config)).toBeUndefined();
  });

  it("sets up on a new database from several processes at once", async () => {
    const url = await (server as TestPostgres).database();
    const pools = await Promise.all(Array.from({ length: 4 }, () => pgPool(url)));
    const savers = await Promise.all(pools.map((p) => openPgCheckpointer(p)));
    expect(savers).toHaveLength(4);
    const [{ n }] = (await (pools[0] as Pg).query("SELECT count(*)::int AS n FROM checkpoint_migrations")).rows;
    expect(n).toBe(5);
  });
});
