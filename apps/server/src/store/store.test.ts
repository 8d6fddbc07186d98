import type { RunEvent } from "@braid/engine";
import { afterEach, describe, expect, it } from "vitest";
import { minimalPipeline, storedEvent, tempDir } from "../../test/helpers.js";
import { EventHub } from "../runs/hub.js";
import { migrate, openDb } from "./db.js";
import { MIGRATIONS } from "./migrations.js";
import { SqlitePipelineStore } from "./pipelines.js";
import { SqliteRunStore } from "./runs.js";

const doc = minimalPipeline;
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
function db() {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return { db: openDb(t.dir), dir: t.dir };
}

describe("pipeline store", () => {
  it("versions every save, lists, restores and soft-deletes", async () => {
    const s = new SqlitePipelineStore(db().db);
    const a = await s.save(doc("My Flow!"));
    expect(a).toMatchObject({ id: "my-flow", version: 1 });
    // A second new pipeline of the same name gets a free name (and so its own id).
    expect(await s.save(doc("My Flow!"))).toMatchObject({ id: "my-flow-2", name: "My Flow! (2)" });
    await s.save(doc("Renamed"), { id: "my-flow", message: "rename" });
    expect((await s.get("my-flow"))?.pipeline.name).toBe("Renamed");
    expect((await s.versions("my-flow")).map((v) => [v.version, v.name, v.message])).toEqual([
      [2, "Renamed", "rename"],
      [1, "My Flow!", undefined],
    ]);
    expect(await s.restore("my-flow", 1)).toMatchObject({ version: 3, name: "My Flow!" });
    expect((await s.get("my-flow", 2))?.pipeline.name).toBe("Renamed");
    expect(await s.delete("my-flow")).toBe(true);
    expect(await s.get("my-flow")).toBeUndefined();
    expect((await s.list()).map((p) => p.id)).toEqual(["my-flow-2"]);
  });
});

describe("migrations", () => {
  it("upgrades an older data folder and keeps its data", async () => {
    const { db: d, dir } = db();
    const pipelines = new SqlitePipelineStore(d);
    await pipelines.save(doc("Kept"), { id: "kept" });
    d.close();
    const reopened = openDb(dir);
    const next = [...MIGRATIONS, "ALTER TABLE pipelines ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';"];
    expect(migrate(reopened, next)).toEqual({ from: MIGRATIONS.length, to: MIGRATIONS.length + 1 });
    expect((await new SqlitePipelineStore(reopened).get("kept"))?.pipeline.name).toBe("Kept");
    expect(reopened.prepare("SELECT tags FROM pipelines WHERE id = 'kept'").get()).toEqual({ tags: "[]" });
    expect(migrate(reopened, next)).toEqual({ from: MIGRATIONS.length + 1, to: MIGRATIONS.length + 1 });
  });

  it("refuses a data folder written by a newer version", () => {
    const { db: d } = db();
    d.pragma(`user_version = ${MIGRATIONS.length + 5}`);
    expect(() => migrate(d)).toThrow(/newer Braid/);
  });
});

describe("run store and event hub", () => {
  const ev = storedEvent;

  it("appends gap-free sequences and applies the final event to the run", async () => {
    const s = new SqliteRunStore(db().db);
    await s.create({ id: "r1", pipeline: doc("p"), input: { a: 1 }, seed: 1, options: {}, createdAt: 1 });
    expect(await s.append("r1", ev("r1", "run_started", { pipeline: "p", input: {}, seed: 1 }))).toBe(1);
    expect(
      await s.append(
        "r1",
        ev("r1", "node_finished", { nodeId: "in", span: "in#1", output: 1, durationMs: 1, usage: { inputTokens: 5, outputTokens: 7, costUsd: 0.5 } }),
      ),
    ).toBe(2);
    await s.append("r1", ev("r1", "run_finished", { output: { ok: true }, durationMs: 3, usage: { inputTokens: 5, outputTokens: 7, costUsd: 0.5 } }));
    expect(await s.get("r1")).toMatchObject({ status: "completed", output: { ok: true }, usage: { inputTokens: 5, outputTokens: 7, costUsd: 0.5 } });
    expect((await s.events("r1", 1)).map((e) => e.seq)).toEqual([2, 3]);
    expect((await s.list({ status: "completed" })).map((r) => [r.id, r.pipelineName])).toEqual([["r1", "p"]]);
  });

  it("a batch that fails leaves no gap: the next event takes the seq the failed batch would have used", async () => {
    const s = new SqliteRunStore(db().db);
    await s.create({ id: "r", pipeline: doc("p"), input: null, seed: 1, options: {}, createdAt: 1 });
    const bad = ev("r", "node_started", { nodeId: "in", span: "in#1", kind: "input", attempt: 1, big: 1n }) as RunEvent; // JSON cannot hold a BigInt
    await expect(
      s.appendBatch([
        { runId: "r", event: ev("r", "run_started", { pipeline: "p", input: {}, seed: 1 }) },
        { runId: "r", event: bad },
      ]),
    ).rejects.toThrow();
    expect(await s.append("r", ev("r", "run_started", { pipeline: "p", input: {}, seed: 1 }))).toBe(1);
    expect((await s.events("r")).map((e) => e.seq)).toEqual([1]);
  });

  it("follow() yields stored then live events exactly once, in order", async () => {
    const s = new SqliteRunStore(db().db);
    const hub = new EventHub();
    await s.create({ id: "r", pipeline: doc("p"), input: null, seed: 1, options: {}, createdAt: 1 });
    const push = async (e: RunEvent) => hub.publish("r", { seq: await s.append("r", e), event: e });
    await push(ev("r", "run_started", { pipeline: "p", input: {}, seed: 1 }));
    await push(ev("r", "node_started", { nodeId: "in", span: "in#1", kind: "input", attempt: 1 }));
    const seen: number[] = [];
    const done = (async () => {
      for await (const e of hub.follow(s, "r", 1)) seen.push(e.seq);
    })();
    await new Promise((r) => setTimeout(r, 5));
    await push(ev("r", "node_finished", { nodeId: "in", span: "in#1", output: 1, durationMs: 0, usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 } }));
    await push(ev("r", "run_finished", { output: 1, durationMs: 1, usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 } }));
    await done;
    expect(seen).toEqual([2, 3, 4]);
  });
});
