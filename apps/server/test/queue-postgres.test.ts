import { type ChildProcess, spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPg } from "../src/store/pg/db.js";
import { PgRunStore } from "../src/store/pg/runs.js";
import { SERVER_ROOT, expectWholeSequentialLog, json, spawnServer, tempDir, waitFor } from "./helpers.js";
import { type TestPostgres, pgBinDir, startPostgres } from "./pg-helpers.js";
import { freePort, redisBin, spawnWorker, startRedis } from "./queue-helpers.js";

/** Runs `braid <args>` to its end; resolves with its exit code and output. */
function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { cwd: SERVER_ROOT, env: { ...process.env, ...env } });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.once("exit", (code) => resolve({ code, out }));
  });
}

describe("BRAID_DATABASE_URL that cannot be used", () => {
  it("the server refuses to start with one line naming the URL, its password masked", async () => {
    const port = await freePort();
    const { dir, cleanup } = tempDir("braid-pg-");
    const { code, out } = await cli(["serve"], {
      BRAID_DATA_DIR: dir,
      BRAID_PORT: "0",
      BRAID_DATABASE_URL: `postgres://braid:s3cret-pw@127.0.0.1:${port}/braid`,
    });
    cleanup();
    expect(code).toBe(1);
    expect(out).toContain(`braid serve: cannot use the PostgreSQL database at postgres://braid:***@127.0.0.1:${port}/braid (BRAID_DATABASE_URL)`);
    expect(out).not.toContain("s3cret-pw");
    expect(out).not.toMatch(/\n\s+at /); // one line, no stack trace
  }, 30_000);

  it("a URL that is not postgres:// is a usage error naming the variable", async () => {
    const { code, out } = await cli(["serve"], { BRAID_PORT: "0", BRAID_DATABASE_URL: "mysql://root:hunter2@db/braid" });
    expect(code).toBe(2);
    expect(out).toContain("BRAID_DATABASE_URL must start with postgres:// or postgresql://");
    expect(out).not.toContain("hunter2");
  }, 30_000);
});

describe.skipIf(!redisBin || !pgBinDir)("queue mode on PostgreSQL: two servers, two workers, one database", () => {
  const children: ChildProcess[] = [];
  const { dir, cleanup } = tempDir("braid-queue-pg-");
  let pg: TestPostgres;
  let redis: ChildProcess | undefined;
  let env: Record<string, string>;
  let store: PgRunStore;
  let close: () => Promise<void>;

  beforeAll(async () => {
    pg = await startPostgres();
    const databaseUrl = await pg.database();
    const redisPort = await freePort();
    redis = await startRedis(redisPort, dir);
    // Each process gets a data folder of its own: nothing may pass between them but PostgreSQL and Redis.
    env = {
      BRAID_PORT: "0",
      BRAID_SIM_LATENCY: "realistic",
      BRAID_REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      BRAID_DATABASE_URL: databaseUrl,
      BRAID_WORKERS: "0",
      BRAID_QUEUE_LOCK_MS: "1000",
    };
    const pool = await openPg(databaseUrl);
    store = new PgRunStore(pool);
    close = () => pool.end();
  }, 60_000);
  afterAll(async () => {
    for (const c of children) c.kill("SIGKILL");
    redis?.kill("SIGKILL");
    await close?.();
    await pg?.destroy();
    cleanup();
  });

  const own = (extra: Record<string, string> = {}) => {
    const d = tempDir("braid-queue-pg-");
    return { ...env, BRAID_DATA_DIR: d.dir, ...extra };
  };

  it("runs started on one server complete on the workers, are read from the other, and survive a worker killed with -9", async () => {
    const a = spawnServer(own());
    const b = spawnServer(own());
    children.push(a.child, b.child);
    const [urlA, urlB] = await Promise.all([a.ready, b.ready]);
    const first = spawnWorker(own(), 4);
    const second = spawnWorker(own(), 4);
    children.push(first.child, second.child);
    await Promise.all([first.ready, second.ready]);

    // Both servers seeded from one new database: the examples exist once, at version 1.
    const listed = (await json(`${urlB}/api/pipelines`)).body as Array<{ id: string; version: number }>;
    expect(listed.filter((p) => p.id === "sequential").map((p) => p.version)).toEqual([1]);

    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await json(`${urlA}/api/pipelines/sequential/runs?seed=${i}`, { method: "POST", body: JSON.stringify({ country: "Chile", segment: `s${i}` }) });
      expect(r.status).toBe(202);
      ids.push(r.body.runId as string);
    }
    // Kill the first worker while it is inside a run's `enrich` node.
    await waitFor(
      "a run inside enrich",
      async () => {
        for (const id of ids) {
          const events = (await store.events(id)).map((e) => e.event);
          if (events.some((e) => e.type === "node_started" && e.nodeId === "enrich") && !events.some((e) => e.type === "run_finished")) return true;
        }
        return undefined;
      },
      30_000,
    );
    first.child.kill("SIGKILL");
    await new Promise((r) => first.child.once("exit", r));

    for (const id of ids) {
      const done = await waitFor(
        `run ${id} to complete`,
        async () => {
          const r = await json(`${urlB}/api/runs/${id}`);
          return r.body.status === "completed" ? r.body : undefined;
        },
        60_000,
        100,
      );
      expect(done.output).toBeTruthy();
      expectWholeSequentialLog(await store.events(id));
    }

    // The other server streams a finished run's whole log from PostgreSQL.
    const sse = await fetch(`${urlB}/api/runs/${ids[0]}/events`);
    const text = await sse.text();
    expect(text).toContain("event: run_finished");
    expect((text.match(/^id: /gm) ?? []).length).toBe((await store.events(ids[0] as string)).length);

    // The CLI reads the same database.
    const listedRuns = await cli(["runs", "list", "--json", "--pipeline", "sequential"], { BRAID_DATABASE_URL: env.BRAID_DATABASE_URL as string });
    expect(listedRuns.code).toBe(0);
    const cliIds = (JSON.parse(listedRuns.out) as Array<{ id: string }>).map((r) => r.id);
    for (const id of ids) expect(cliIds).toContain(id);
  }, 180_000);
});
