/**
 * Queue mode (`pnpm bench --only queue`): the sequential example as a batch through the REST API,
 * run by one server and 1 or 2 `braid worker` processes on a redis-server of its own, beside the
 * same batch in the embedded default (one process, no Redis) measured in the same run.
 * Zero-latency backends give the records/s the processes can do on this machine; while the
 * 2-worker batch runs, single REST runs are followed over SSE on the server, and the delay from an
 * event's time (written on a worker) to its arrival on the server is the relay's event delay.
 * Realistic latencies show how close shards come to their ideal, N / (workers × concurrency)
 * records' time: a batch's concurrency applies per shard, and a worker runs one shard at a time.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../lib/pipelines.js";
import { percentile } from "@braid/engine";
import { fmt, fmtInt } from "../lib/stats.js";
import type { Row, Scenario } from "../lib/types.js";

const SERVER = join(ROOT, "apps/server");
const RECORD_MS = 1300;
/** Per shard, so 2 workers have 256 records in flight: the embedded realistic scenario's concurrency. */
const REAL_CONCURRENCY = 128;

const redisBin = (() => {
  try {
    return execFileSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
})();

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

function braid(args: string[], env: Record<string, string>, readyWhen: RegExp): { child: ChildProcess; ready: Promise<string> } {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    cwd: SERVER,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = readyWhen.exec(out);
      if (m) resolve(m[1] ?? "");
    });
    child.stderr?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.once("exit", (code) => reject(new Error(`braid ${args[0]} exited with ${code}: ${out.slice(-1500)}`)));
  });
  return { child, ready };
}

/** Peak resident set of a live process, from /proc (VmHWM). */
const peakRssMB = (pid: number | undefined): number => {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
  } catch {
    return Number.NaN;
  }
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const inputs = (n: number) => `${Array.from({ length: n }, (_, i) => JSON.stringify({ country: "Kenya", segment: `segment ${i}` })).join("\n")}\n`;

/** Follows one REST run's SSE stream on the server; the delay of each event from its time to its arrival. */
async function followRun(url: string, i: number, delays: number[]): Promise<void> {
  const started = await fetch(`${url}/api/pipelines/sequential/runs?seed=${i}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ country: "Chile", segment: `follower ${i}` }),
  });
  const { runId } = (await started.json()) as { runId: string };
  const res = await fetch(`${url}/api/runs/${runId}/events`);
  const reader = res.body?.getReader();
  if (!reader) return;
  const decoder = new TextDecoder();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    const now = Date.now();
    buf += decoder.decode(value, { stream: true });
    let cut = buf.indexOf("\n\n");
    while (cut >= 0) {
      const data = buf
        .slice(0, cut)
        .split("\n")
        .find((l) => l.startsWith("data: "));
      buf = buf.slice(cut + 2);
      cut = buf.indexOf("\n\n");
      if (!data) continue;
      const e = JSON.parse(data.slice(6)) as { type: string; at?: number };
      if (typeof e.at === "number") delays.push(now - e.at);
      if (e.type === "run_finished" || e.type === "run_failed" || e.type === "run_cancelled") {
        await reader.cancel();
        return;
      }
    }
  }
}

interface Measured {
  workers: number;
  records: number;
  wallMs: number;
  rate: number;
  serverRssMB: number;
  workerRssMB: number[];
  eventDelayP95Ms?: number;
  eventDelays?: number;
}

/** One batch through one server and `workers` worker processes (0: the embedded default, no Redis). */
async function measure(opts: {
  workers: number;
  n: number;
  latency: "zero" | "realistic";
  concurrency: number;
  redisUrl?: string;
  follow?: boolean;
}): Promise<Measured> {
  const dataDir = mkdtempSync(join(tmpdir(), "braid-bench-queue-"));
  const env: Record<string, string> = { BRAID_DATA_DIR: dataDir, BRAID_PORT: "0", BRAID_SIM_LATENCY: opts.latency };
  if (opts.redisUrl) Object.assign(env, { BRAID_REDIS_URL: opts.redisUrl, BRAID_WORKERS: "0", BRAID_QUEUE_PREFIX: `bench${Date.now().toString(36)}` });
  const procs: ChildProcess[] = [];
  try {
    const server = braid(["serve"], env, /serving (http:\/\/\S+)/);
    procs.push(server.child);
    const workers = Array.from({ length: opts.workers }, () => braid(["worker", "--concurrency", "8"], env, /(worker executing)/));
    for (const w of workers) procs.push(w.child);
    const url = await server.ready;
    await Promise.all(workers.map((w) => w.ready));
    const posted = await fetch(`${url}/api/pipelines/sequential/batches?concurrency=${opts.concurrency}`, {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: inputs(opts.n),
    });
    if (posted.status !== 202) throw new Error(`batch refused: ${posted.status} ${await posted.text()}`);
    const { batchId } = (await posted.json()) as { batchId: string };
    const delays: number[] = [];
    const followers: Promise<void>[] = [];
    for (;;) {
      const b = (await (await fetch(`${url}/api/batches/${batchId}`)).json()) as {
        status: string;
        startedAt: number;
        finishedAt?: number;
        summary?: { ok: number; failed: number; failures: unknown[] };
      };
      if (b.status !== "running") {
        if (b.status !== "completed" || b.summary?.ok !== opts.n)
          throw new Error(`batch ended ${b.status} with ${b.summary?.ok} ok of ${opts.n}: ${JSON.stringify(b.summary?.failures)}`);
        await Promise.all(followers);
        const wallMs = (b.finishedAt as number) - b.startedAt;
        const out: Measured = {
          workers: opts.workers,
          records: opts.n,
          wallMs,
          rate: (opts.n * 1000) / wallMs,
          serverRssMB: peakRssMB(server.child.pid),
          workerRssMB: workers.map((w) => peakRssMB(w.child.pid)),
        };
        if (delays.length > 0) Object.assign(out, { eventDelayP95Ms: percentile(delays, 0.95), eventDelays: delays.length });
        return out;
      }
      if (opts.follow && followers.length < 30) followers.push(followRun(url, followers.length, delays));
      await sleep(200);
    }
  } finally {
    for (const p of procs) p.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export const scenario: Scenario = {
  id: "queue",
  title: "Queue mode: batches over worker processes (BullMQ on Redis)",
  async run({ quick, log }) {
    if (!redisBin) return { rows: [{ metric: "queue mode", value: "not measured: redis-server is not installed", met: null }], data: {}, placeholder: true };
    const port = await freePort();
    const redisDir = mkdtempSync(join(tmpdir(), "braid-bench-redis-"));
    const redis = spawn(redisBin, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", redisDir], { stdio: "ignore" });
    const redisUrl = `redis://127.0.0.1:${port}`;
    await sleep(300);
    try {
      const nZero = quick ? 2000 : 10_000;
      const nReal = quick ? 2000 : 10_000;
      log(`zero latency, ${fmtInt(nZero)} records at concurrency 32: embedded, then 1 and 2 workers…`);
      const embedded = await measure({ workers: 0, n: nZero, latency: "zero", concurrency: 32 });
      const one = await measure({ workers: 1, n: nZero, latency: "zero", concurrency: 32, redisUrl });
      const two = await measure({ workers: 2, n: nZero, latency: "zero", concurrency: 32, redisUrl, follow: true });
      log(`realistic latency, ${fmtInt(nReal)} records at concurrency ${REAL_CONCURRENCY} per shard over 2 workers…`);
      const real = await measure({ workers: 2, n: nReal, latency: "realistic", concurrency: REAL_CONCURRENCY, redisUrl });
      const ideal = (nReal / (2 * REAL_CONCURRENCY)) * RECORD_MS;
      const over = real.wallMs / ideal - 1;
      log(`realistic latency, ${fmtInt(nReal)} records at concurrency ${2 * REAL_CONCURRENCY}, embedded (the baseline)…`);
      const realEmbedded = await measure({ workers: 0, n: nReal, latency: "realistic", concurrency: 2 * REAL_CONCURRENCY });
      const overEmbedded = realEmbedded.wallMs / ideal - 1;
      const zero = `zero latency, concurrency 32 (${fmtInt(nZero)} records)`;
      const rss = (m: Measured) => `server ${fmtInt(m.serverRssMB)} MB, workers ${m.workerRssMB.map(fmtInt).join(" / ") || "none"} MB`;
      const rows: Row[] = [
        {
          metric: `${zero}: embedded (one process, no Redis)`,
          value: `${fmtInt(embedded.rate)} records/s`,
          note: `baseline; peak RSS ${fmtInt(embedded.serverRssMB)} MB`,
        },
        { metric: `${zero}: 1 worker`, value: `${fmtInt(one.rate)} records/s`, note: `${fmt(one.rate / embedded.rate)}× embedded; ${rss(one)}` },
        { metric: `${zero}: 2 workers`, value: `${fmtInt(two.rate)} records/s`, note: `${fmt(two.rate / one.rate)}× 1 worker; ${rss(two)}` },
        {
          metric: `${zero}: p95 event delay, worker → server SSE, during the 2-worker batch`,
          value: two.eventDelayP95Ms === undefined ? "n/a" : `${fmtInt(two.eventDelayP95Ms)} ms`,
          note: `${two.eventDelays ?? 0} events of 30 followed runs`,
        },
        {
          metric: `realistic latency, concurrency ${REAL_CONCURRENCY} per shard (${fmtInt(nReal)} records), 2 workers: wall time`,
          value: `${fmt(real.wallMs / 1000, 1)} s vs ideal ${fmt(ideal / 1000, 1)} s`,
        },
        {
          metric: `realistic latency, 2 workers: over ideal`,
          value: `${fmt(over * 100, 1)} %`,
          target: "≤ 10 %",
          met: over <= 0.1,
          note: `ideal: N / (2 × ${REAL_CONCURRENCY}) × 1.3 s; ${rss(real)}`,
        },
        {
          metric: `realistic latency, embedded at concurrency ${2 * REAL_CONCURRENCY}: over the same ideal`,
          value: `${fmt(overEmbedded * 100, 1)} %`,
          note: `baseline, ${fmt(realEmbedded.wallMs / 1000, 1)} s; peak RSS ${fmtInt(realEmbedded.serverRssMB)} MB`,
        },
      ];
      return {
        rows,
        data: {
          embedded,
          one,
          two,
          realistic: { ...real, idealMs: ideal, overIdeal: over, embedded: { ...realEmbedded, overIdeal: overEmbedded } },
          concurrencyPerShard: REAL_CONCURRENCY,
        },
      };
    } finally {
      redis.kill("SIGKILL");
      rmSync(redisDir, { recursive: true, force: true });
    }
  },
};
