import type { ChildProcess } from "node:child_process";
import type { RunEvent } from "@braid/engine";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb } from "../src/store/db.js";
import { SqliteRunStore } from "../src/store/runs.js";
import { expectWholeSequentialLog, json, mostAtOnce, spawnServer, tempDir, waitFor, untilEnrichRunning } from "./helpers.js";
import { freePort, redisBin, spawnWorker, startRedis } from "./queue-helpers.js";

/**
 * Queue mode against a real redis-server on a loopback port of the test's own (queue-helpers.ts):
 * runs go through BullMQ to worker processes.
 */
/** When a run started and ended, from its log (every process shares the machine's clock). */
async function spanOf(store: SqliteRunStore, runId: string): Promise<{ start: number; end: number }> {
  const events = (await store.events(runId)).map((e) => e.event);
  return { start: events[0]?.at as number, end: events.at(-1)?.at as number };
}

/** POSTs runs `inFlight` at a time; returns the run ids in order. */
async function startRuns(url: string, n: number, pipeline: string, input: (i: number) => unknown, inFlight = 50): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i += inFlight) {
    const batch = Array.from({ length: Math.min(inFlight, n - i) }, (_, j) =>
      json(`${url}/api/pipelines/${pipeline}/runs?seed=${i + j}`, { method: "POST", body: JSON.stringify(input(i + j)) }),
    );
    for (const r of await Promise.all(batch)) {
      expect(r.status).toBe(202);
      ids.push(r.body.runId as string);
    }
  }
  return ids;
}

describe.skipIf(!redisBin)("queue mode (BullMQ on Redis, worker processes)", () => {
  const { dir, cleanup } = tempDir("braid-queue-");
  const children: ChildProcess[] = [];
  let redis: ChildProcess | undefined;
  let env: Record<string, string>;
  let port = 0;
  /** A data folder and key prefix of the test's own, so the workers earlier tests left running never take its jobs. */
  const isolated = (extra: Record<string, string>): Record<string, string> => {
    const own = tempDir("braid-queue-");
    cleanups.push(own.cleanup);
    return { ...env, BRAID_DATA_DIR: own.dir, BRAID_QUEUE_PREFIX: `t${cleanups.length}`, ...extra };
  };
  const cleanups: Array<() => void> = [];
  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port, dir);
    env = {
      BRAID_DATA_DIR: dir,
      BRAID_PORT: "0",
      BRAID_SIM_LATENCY: "realistic",
      BRAID_REDIS_URL: `redis://127.0.0.1:${port}`,
      BRAID_WORKERS: "0",
      BRAID_QUEUE_LOCK_MS: "1000",
    };
  });
  afterAll(() => {
    for (const c of children) c.kill("SIGKILL");
    redis?.kill("SIGKILL");
    cleanup();
    for (const c of cleanups) c();
  });

  it("a worker killed with -9 mid-run: another worker resumes the run, each node once, the log gap-free", async () => {
    const server = spawnServer(env);
    children.push(server.child);
    const url = await server.ready;
    const first = spawnWorker(env);
    children.push(first.child);
    await first.ready;
    const started = await json(`${url}/api/pipelines/sequential/runs?seed=3`, {
      method: "POST",
      body: JSON.stringify({ country: "Poland", segment: "students" }),
    });
    expect(started.status).toBe(202);
    const runId = started.body.runId as string;
    const db = openDb(dir);
    const store = new SqliteRunStore(db);
    await untilEnrichRunning(store, runId);
    first.child.kill("SIGKILL");
    await new Promise((r) => first.child.once("exit", r));
    const beforeKill = (await store.events(runId)).length;
    expect((await store.get(runId))?.status).toBe("running");

    const second = spawnWorker(env);
    children.push(second.child);
    await second.ready;
    const done = await waitFor("the run to complete on the second worker", async () => {
      const r = await json(`${url}/api/runs/${runId}`);
      return r.body.status === "completed" ? r.body : undefined;
    });
    expect(done.status).toBe("completed");
    const stored = await store.events(runId);
    expect(stored.length).toBeGreaterThan(beforeKill);
    expectWholeSequentialLog(stored);
    db.close();
  }, 60_000);

  it("SIGTERM to a worker mid-run: it hands the run back, and another worker finishes it, each node once", async () => {
    const server = spawnServer(env);
    children.push(server.child);
    const url = await server.ready;
    const first = spawnWorker({ ...env, BRAID_SHUTDOWN_GRACE_MS: "100" });
    children.push(first.child);
    await first.ready;
    const started = await json(`${url}/api/pipelines/sequential/runs?seed=5`, {
      method: "POST",
      body: JSON.stringify({ country: "Kenya", segment: "farmers" }),
    });
    const runId = started.body.runId as string;
    const db = openDb(dir);
    const store = new SqliteRunStore(db);
    await waitFor("enrich running", async () =>
      (await store.events(runId)).some((e) => e.event.type === "node_started" && e.event.nodeId === "enrich") ? true : undefined,
    );
    first.child.kill("SIGTERM");
    const code = await new Promise((r) => first.child.once("exit", r));
    expect(code).toBe(0);
    expect((await store.get(runId))?.status).toBe("running");
    const second = spawnWorker(env);
    children.push(second.child);
    await second.ready;
    await waitFor("the handed-back run to complete", async () => ((await json(`${url}/api/runs/${runId}`)).body.status === "completed" ? true : undefined));
    const stored = await store.events(runId);
    expectWholeSequentialLog(stored);
    db.close();
  }, 60_000);

  it("two servers: a run started on one is followed live (SSE) and cancelled from the other, which stops it on the worker within 2 s", async () => {
    const a = spawnServer(env);
    const b = spawnServer(env);
    children.push(a.child, b.child);
    const [urlA, urlB] = await Promise.all([a.ready, b.ready]);
    const w = spawnWorker(env);
    children.push(w.child);
    await w.ready;
    const watched = await json(`${urlA}/api/pipelines/sequential/runs`, { method: "POST", body: JSON.stringify({ country: "Chile", segment: "nurses" }) });
    const res = await fetch(`${urlB}/api/runs/${watched.body.runId}/events`);
    const text = await res.text();
    const types = [...text.matchAll(/^data: (.*)$/gm)].map((m) => (JSON.parse(m[1] as string) as RunEvent).type);
    expect(types[0]).toBe("run_started");
    expect(types[types.length - 1]).toBe("run_finished");

    const victim = await json(`${urlA}/api/pipelines/sequential/runs`, { method: "POST", body: JSON.stringify({ country: "Peru", segment: "cooks" }) });
    const id = victim.body.runId as string;
    await waitFor("the victim to run", async () => ((await json(`${urlB}/api/runs/${id}`)).body.status === "running" ? true : undefined));
    const cancelAt = Date.now();
    expect((await json(`${urlB}/api/runs/${id}/cancel`, { method: "POST" })).body.cancelled).toBe(true);
    await waitFor("the cancel to reach the worker", async () => ((await json(`${urlA}/api/runs/${id}`)).body.status === "cancelled" ? true : undefined), 5000);
    expect(Date.now() - cancelAt).toBeLessThan(2000);
  }, 60_000);

  it("1,000 runs over three workers: all complete, each executed once, every log gap-free", async () => {
    // A 30 s lock: a worker that crashed would leave its runs stuck past the test's time, so all three must stay up.
    const e = isolated({ BRAID_SIM_LATENCY: "zero", BRAID_QUEUE_LIMIT: "5000", BRAID_QUEUE_LOCK_MS: "30000" });
    const server = spawnServer(e);
    children.push(server.child);
    // Started together on a new data folder: the second to open the database waits for the first's header and migrations.
    const workers = [spawnWorker(e, 8), spawnWorker(e, 8), spawnWorker(e, 8)];
    const url = await server.ready;
    children.push(...workers.map((w) => w.child));
    await Promise.all(workers.map((w) => w.ready));
    const t0 = Date.now();
    const ids = await startRuns(url, 1000, "sequential", (i) => ({ country: "Chile", segment: `s${i}` }));
    const submittedMs = Date.now() - t0;
    const db = openDb(e.BRAID_DATA_DIR as string);
    const store = new SqliteRunStore(db);
    const ended = async () => {
      let n = 0;
      for (const status of ["completed", "failed", "cancelled"] as const) n += (await store.list({ status, limit: 2000 })).length;
      return n;
    };
    await waitFor("1,000 runs to end", async () => ((await ended()) === 1000 ? true : undefined), 90_000, 200);
    const wallMs = Date.now() - t0;
    expect(await store.list({ status: "completed", limit: 2000 })).toHaveLength(1000);
    let events = 0;
    for (const id of ids) {
      const stored = await store.events(id);
      events += stored.length;
      expectWholeSequentialLog(stored);
      expect(stored.filter((s) => s.event.type === "run_started")).toHaveLength(1);
    }
    console.log(`queue: 1000 runs (${events} events) over 3 workers in ${wallMs} ms, submitted in ${submittedMs} ms`);
    expect(wallMs).toBeLessThan(90_000);
    // No worker died on the way (a busy database once crashed them: SQLITE_BUSY on a read-then-write transaction).
    expect(workers.map((w) => w.child.exitCode)).toEqual([null, null, null]);
    db.close();
    for (const c of [server.child, ...workers.map((w) => w.child)]) c.kill("SIGKILL");
  }, 120_000);

  it("a pipeline limit of 2 holds across three workers, other pipelines' runs pass the waiting ones, and a waiting run can be cancelled", async () => {
    const e = isolated({ BRAID_SIM_LATENCY: "zero", BRAID_PIPELINE_CONCURRENCY: "sequential:2" });
    const server = spawnServer(e);
    children.push(server.child);
    const url = await server.ready;
    const workers = [spawnWorker(e), spawnWorker(e), spawnWorker(e)];
    children.push(...workers.map((w) => w.child));
    await Promise.all(workers.map((w) => w.ready));
    const a = await startRuns(url, 30, "sequential", (i) => ({ country: "Peru", segment: `a${i}` }));
    const held = (await startRuns(url, 1, "sequential", () => ({ country: "Peru", segment: "held" })))[0] as string;
    expect((await json(`${url}/api/runs/${held}/cancel`, { method: "POST" })).body.cancelled).toBe(true);
    const b = await startRuns(url, 20, "parallel", (i) => ({ sku: `B-${i}`, category: "lamp" }));
    const db = openDb(e.BRAID_DATA_DIR as string);
    const store = new SqliteRunStore(db);
    await waitFor(
      "every run to end",
      async () => ((await Promise.all([...a, ...b].map((id) => store.get(id)))).every((r) => r?.status === "completed") ? true : undefined),
      60_000,
      100,
    );
    for (const id of a) expectWholeSequentialLog(await store.events(id));
    const aSpans = await Promise.all(a.map((id) => spanOf(store, id)));
    expect(mostAtOnce(aSpans)).toBeLessThanOrEqual(2);
    // Waiting behind A, B would finish after A's last run started; here it is done before half of A has started.
    const bDone = Math.max(...(await Promise.all(b.map((id) => spanOf(store, id)))).map((s) => s.end));
    expect(aSpans.filter((s) => s.start < bDone).length).toBeLessThan(a.length / 2);
    expect((await store.get(held))?.status).toBe("cancelled");
    expect((await store.events(held)).map((s) => s.event.type)).toEqual(["run_cancelled"]);
    db.close();
    for (const c of [server.child, ...workers.map((w) => w.child)]) c.kill("SIGKILL");
  }, 90_000);

  it("a worker killed with -9 while holding a pipeline's only lease: the lease expires and the pipeline's other runs proceed", async () => {
    const e = isolated({ BRAID_PIPELINE_CONCURRENCY: "sequential:1" });
    const server = spawnServer(e);
    children.push(server.child);
    const url = await server.ready;
    const first = spawnWorker(e);
    children.push(first.child);
    await first.ready;
    const ids = await startRuns(url, 3, "sequential", (i) => ({ country: "Kenya", segment: `k${i}` }));
    const db = openDb(e.BRAID_DATA_DIR as string);
    const store = new SqliteRunStore(db);
    const holder = await waitFor("one run to be running", async () => {
      for (const id of ids) if ((await store.events(id)).some((s) => s.event.type === "node_started")) return id;
      return undefined;
    });
    const redisClient = new Redis(e.BRAID_REDIS_URL as string);
    const leases = `${e.BRAID_QUEUE_PREFIX}:leases:sequential`;
    expect(await redisClient.zrange(leases, 0, -1)).toEqual([holder]);
    first.child.kill("SIGKILL");
    await new Promise((r) => first.child.once("exit", r));
    const killedAt = Date.now();
    // Cancelled, the holder is never taken up again: only the lease's expiry lets the other runs go.
    expect((await json(`${url}/api/runs/${holder}/cancel`, { method: "POST" })).body.cancelled).toBe(true);
    const second = spawnWorker(e);
    children.push(second.child);
    await second.ready;
    const others = ids.filter((id) => id !== holder);
    await waitFor(
      "the other runs to complete",
      async () => ((await Promise.all(others.map((id) => store.get(id)))).every((r) => r?.status === "completed") ? true : undefined),
      30_000,
      100,
    );
    await waitFor("the holder to end cancelled", async () => ((await store.get(holder))?.status === "cancelled" ? true : undefined));
    for (const id of others) {
      expectWholeSequentialLog(await store.events(id));
      expect((await spanOf(store, id)).start).toBeGreaterThan(killedAt);
    }
    expect(mostAtOnce(await Promise.all(others.map((id) => spanOf(store, id))))).toBe(1);
    // The last run's release follows its end (and an expired lease's key lapses on its own): nothing is left shortly after.
    await waitFor("no lease left", async () => ((await redisClient.zrange(leases, 0, -1)).length === 0 ? true : undefined), 5000, 100);
    redisClient.disconnect();
    db.close();
    for (const c of [server.child, second.child]) c.kill("SIGKILL");
  }, 60_000);

  it("Redis gone: the server stays up and answers new runs with a coded 503; when Redis is back, runs are accepted and complete", async () => {
    const server = spawnServer(env);
    children.push(server.child);
    const url = await server.ready;
    const w = spawnWorker(env);
    children.push(w.child);
    await w.ready;
    const body = JSON.stringify({ country: "Chile", segment: "nurses" });
    redis?.kill("SIGKILL");
    await new Promise((r) => redis?.once("exit", r));
    const refused = await waitFor("a 503", async () => {
      const r = await json(`${url}/api/pipelines/sequential/runs`, { method: "POST", body });
      return r.status === 503 ? r : undefined;
    });
    expect(refused.body.error.code).toBe("E_QUEUE_UNAVAILABLE");
    expect(refused.headers.get("retry-after")).toBe("2");
    expect((await json(`${url}/healthz`)).status).toBe(200);
    redis = await startRedis(port, dir);
    const accepted = await waitFor("a 202 after Redis is back", async () => {
      const r = await json(`${url}/api/pipelines/sequential/runs`, { method: "POST", body });
      return r.status === 202 ? r : undefined;
    });
    await waitFor("the run to complete", async () => ((await json(`${url}/api/runs/${accepted.body.runId}`)).body.status === "completed" ? true : undefined));
  }, 60_000);
});
