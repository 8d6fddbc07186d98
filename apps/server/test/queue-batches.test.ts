import type { ChildProcess } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, profileJsonl, spawnServer, tempDir, waitFor } from "./helpers.js";
import { freePort, redisBin, spawnWorker, startRedis } from "./queue-helpers.js";

/** Batches in queue mode: split into shard jobs that worker processes run; the batch folder is the record of what is done. */

type Result = { index: number; seed: number; status: string; output?: unknown };
const resultsOf = async (url: string, id: string): Promise<Result[]> => {
  const text = await (await fetch(`${url}/api/batches/${id}/results`)).text();
  return text
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Result);
};
/** Every record once: indices 0..n-1, none twice, each run on its own seed. */
function expectEachRecordOnce(results: Result[], n: number, seed = 1): void {
  const indices = results.map((r) => r.index).sort((a, b) => a - b);
  expect(indices).toEqual(Array.from({ length: n }, (_, i) => i));
  for (const r of results) expect(r.seed).toBe(seed + r.index);
}
const finished = (url: string, id: string, timeoutMs = 60_000) =>
  waitFor(
    `batch ${id}`,
    async () => {
      const b = (await json(`${url}/api/batches/${id}`)).body;
      return b.status === "running" ? undefined : b;
    },
    timeoutMs,
    100,
  );

describe.skipIf(!redisBin)("batches in queue mode (shard jobs on worker processes)", () => {
  const children: ChildProcess[] = [];
  const cleanups: Array<() => void> = [];
  let redis: ChildProcess;
  let port = 0;
  let redisDir = "";
  /** A data folder and key prefix of the test's own, so workers another test left never take its jobs. */
  const envFor = (extra: Record<string, string> = {}) => {
    const own = tempDir("braid-qbatch-");
    cleanups.push(own.cleanup);
    return {
      BRAID_DATA_DIR: own.dir,
      BRAID_PORT: "0",
      BRAID_SIM_LATENCY: "zero",
      BRAID_REDIS_URL: `redis://127.0.0.1:${port}`,
      BRAID_WORKERS: "0",
      BRAID_QUEUE_LOCK_MS: "1000",
      BRAID_QUEUE_PREFIX: `b${cleanups.length}`,
      ...extra,
    };
  };
  const start = async (env: Record<string, string>, workers: number) => {
    const server = spawnServer(env);
    children.push(server.child);
    const ws = Array.from({ length: workers }, () => spawnWorker(env));
    for (const w of ws) children.push(w.child);
    const url = await server.ready;
    await Promise.all(ws.map((w) => w.ready));
    return { url, workers: ws.map((w) => w.child), server: server.child };
  };
  const post = (url: string, n: number, query = "concurrency=8") =>
    json(`${url}/api/pipelines/sequential/batches?${query}`, { method: "POST", headers: { "content-type": "application/x-ndjson" }, body: profileJsonl(n) });

  beforeAll(async () => {
    port = await freePort();
    const d = tempDir("braid-qbatch-redis-");
    cleanups.push(d.cleanup);
    redisDir = d.dir;
    redis = await startRedis(port, redisDir);
  });
  afterAll(() => {
    for (const c of children) c.kill("SIGKILL");
    redis?.kill("SIGKILL");
    for (const c of cleanups) c();
  });

  it("a 1,000-record batch is spread over two workers in shards, and its results are the embedded mode's, record for record", async () => {
    const env = envFor();
    const { url } = await start(env, 2);
    const r = await post(url, 1000);
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    const b = await finished(url, r.body.batchId);
    expect(b).toMatchObject({ status: "completed", total: 1000, shards: { size: 200, count: 5 } });
    expect(b.summary).toMatchObject({ ok: 1000, failed: 0, badRows: 0, seen: 1000 });
    const results = await resultsOf(url, b.id);
    expectEachRecordOnce(results, 1000);
    // Both workers ran shards.
    const shardsDir = join(env.BRAID_DATA_DIR, "batches", b.id, "shards");
    const pids = new Set(
      readdirSync(shardsDir)
        .filter((f) => f.endsWith(".done.json"))
        .map((f) => JSON.parse(readFileSync(join(shardsDir, f), "utf8")).pid),
    );
    expect(pids.size).toBe(2);

    // The same batch in one process without Redis: the same output for every record.
    const embedded = spawnServer({ BRAID_DATA_DIR: envFor().BRAID_DATA_DIR, BRAID_PORT: "0", BRAID_SIM_LATENCY: "zero" });
    children.push(embedded.child);
    const eurl = await embedded.ready;
    const e = await post(eurl, 1000);
    const eb = await finished(eurl, e.body.batchId);
    expect(eb.shards).toBeUndefined();
    const byIndex = new Map((await resultsOf(eurl, eb.id)).map((x) => [x.index, x.output]));
    for (const x of results) expect(x.output).toEqual(byIndex.get(x.index));
  }, 120_000);

  it("single REST runs are not held behind a running batch: their queue wait stays under a second", async () => {
    const env = envFor();
    const { url } = await start(env, 2);
    const r = await post(url, 4000);
    expect(r.status).toBe(202);
    await waitFor("the batch under way", async () => ((await json(`${url}/api/batches/${r.body.batchId}`)).body.progress?.ran > 200 ? true : undefined));
    const waits: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = Date.now();
      const run = await json(`${url}/api/pipelines/sequential/runs?wait=true`, {
        method: "POST",
        body: JSON.stringify({ country: "Chile", segment: `s${i}` }),
      });
      expect(run.status).toBe(200);
      // Queue wait: from the request to a worker starting the run (startedAt), on the machine's one clock.
      const stored = (await json(`${url}/api/runs/${run.body.runId}`)).body as { createdAt: number; startedAt?: number };
      waits.push((stored.startedAt ?? Number.POSITIVE_INFINITY) - Math.max(t0, stored.createdAt));
    }
    expect((await json(`${url}/api/batches/${r.body.batchId}`)).body.status).toBe("running");
    // Mid-batch, the results so far are readable from the shards: whole lines, no record twice.
    const sofar = await resultsOf(url, r.body.batchId);
    expect(sofar.length).toBeGreaterThan(200);
    expect(new Set(sofar.map((x) => x.index)).size).toBe(sofar.length);
    waits.sort((a, b) => a - b);
    expect(waits[Math.ceil(0.95 * waits.length) - 1], `queue waits ${waits.join(", ")} ms`).toBeLessThan(1000);
    await json(`${url}/api/batches/${r.body.batchId}/cancel`, { method: "POST" });
  }, 120_000);

  it("Redis restarts mid-batch: new work gets a coded 503 meanwhile, and the batch completes afterwards with every record once", async () => {
    const env = envFor();
    const { url } = await start(env, 2);
    const r = await post(url, 3000, "concurrency=4");
    const id = r.body.batchId as string;
    await waitFor("a fifth of the batch", async () => ((await json(`${url}/api/batches/${id}`)).body.progress?.seen >= 600 ? true : undefined));
    redis.kill("SIGKILL");
    await new Promise((res) => redis.once("exit", res));
    const refused = await waitFor("a 503 for a new batch", async () => {
      const x = await post(url, 10);
      return x.status === 503 ? x : undefined;
    });
    expect(refused.body.error.code).toBe("E_QUEUE_UNAVAILABLE");
    expect((await json(`${url}/api/pipelines/sequential/runs`, { method: "POST", body: "{}" })).status).toBe(503);
    expect((await json(`${url}/api/batches/${id}`)).body.status).toBe("running");
    redis = await startRedis(port, redisDir);
    const b = await finished(url, id, 90_000);
    expect(b.status).toBe("completed");
    expect(b.summary).toMatchObject({ ok: 3000, failed: 0 });
    expectEachRecordOnce(await resultsOf(url, id), 3000);
  }, 150_000);

  it("a worker killed with -9 mid-batch, and a cancel then resume from another server: nothing lost or doubled", async () => {
    const env = envFor();
    const { url, workers } = await start(env, 2);
    const other = spawnServer(env);
    children.push(other.child);
    const otherUrl = await other.ready;
    const r = await post(url, 2000, "concurrency=4");
    const id = r.body.batchId as string;
    await waitFor("the batch under way", async () => ((await json(`${url}/api/batches/${id}`)).body.progress?.seen >= 300 ? true : undefined));
    workers[0]?.kill("SIGKILL");
    // The other server follows it too, and cancels it: both workers' shards stop, and it ends cancelled.
    await waitFor("progress seen from the other server", async () =>
      (await json(`${otherUrl}/api/batches/${id}`)).body.progress?.seen >= 500 ? true : undefined,
    );
    const asked = Date.now();
    expect((await json(`${otherUrl}/api/batches/${id}/cancel`, { method: "POST" })).body.cancelled).toBe(true);
    const cancelled = await finished(url, id, 10_000);
    expect(cancelled.status).toBe("cancelled");
    expect(Date.now() - asked).toBeLessThan(3000);
    const partial = await resultsOf(url, id);
    expect(partial.length).toBeLessThan(2000);
    expect(new Set(partial.map((x) => x.index)).size).toBe(partial.length);
    // Resumed: the records done are kept, the rest run, once each.
    const again = spawnWorker(env);
    children.push(again.child);
    await again.ready;
    expect((await json(`${url}/api/batches/${id}/resume`, { method: "POST" })).status).toBe(202);
    const b = await finished(url, id);
    expect(b.status).toBe("completed");
    expectEachRecordOnce(await resultsOf(url, id), 2000);
  }, 150_000);
});
