/**
 * Batch throughput: the sequential example over N inputs with the batch runner (compile once,
 * results streamed to results.jsonl), each measurement in a child process so that its peak RSS
 * is its own. Zero-latency backends at concurrency 32 give the records/s Braid itself can do; the
 * same five-step graph in plain LangGraph.js at the same concurrency is the baseline beside it.
 * Realistic latencies at concurrency 256 must come close to the ideal N / 256 × 1.3 s.
 */
import { spawn } from "node:child_process";
import { ROOT } from "../lib/pipelines.js";
import { fmt, fmtInt } from "../lib/stats.js";
import type { Row, Scenario } from "../lib/types.js";

export const TARGETS = { recordsPerSecond: 1000, rssMB: 400, latencyBoundSlack: 0.1 };

interface ChildResult {
  records: number;
  elapsedMs: number;
  rate: number;
  maxRssMB: number;
  concurrency: number;
  /** CPU time (user + system, all threads) per record. */
  cpuPerRecordMs: number;
}

function child(args: string[]): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["--import", "tsx", "bench/batch-child.ts", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    p.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    p.on("error", reject);
    p.on("close", (code) => {
      const line = out.trim().split("\n").pop() ?? "";
      if (code !== 0 || !line.startsWith("{")) reject(new Error(`batch-child ${args.join(" ")} exited with ${code}: ${err.trim().slice(-2000)}`));
      else resolve(JSON.parse(line) as ChildResult);
    });
  });
}

export const scenario: Scenario = {
  id: "batch-throughput",
  title: "Batch throughput (sequential example)",
  async run({ quick, log }) {
    const nZero = quick ? 2000 : 10_000;
    const nReal = quick ? 1024 : 10_000;
    const size = (n: number) => `${fmtInt(n)} records${quick && n < 10_000 ? ", --quick" : ""}`;
    const rows: Row[] = [];

    log(`zero latency: ${size(nZero)} at concurrency 32 (Braid, then plain LangGraph)…`);
    const braid = await child(["--n", String(nZero), "--concurrency", "32", "--latency", "zero"]);
    const raw = await child(["--n", String(nZero), "--concurrency", "32", "--latency", "zero", "--raw"]);
    const zero = `zero latency, concurrency 32 (${size(nZero)})`;
    rows.push(
      {
        metric: `${zero}: Braid batch`,
        value: `${fmtInt(braid.rate)} records/s`,
        target: `≥ ${fmtInt(TARGETS.recordsPerSecond)}`,
        met: braid.rate >= TARGETS.recordsPerSecond,
      },
      { metric: `${zero}: plain LangGraph, same graph`, value: `${fmtInt(raw.rate)} records/s`, note: "baseline: no files, no events, no validation" },
      { metric: `${zero}: CPU per record, Braid / LangGraph`, value: `${fmt(braid.cpuPerRecordMs)} / ${fmt(raw.cpuPerRecordMs)} ms` },
      { metric: `${zero}: Braid peak RSS`, value: `${fmtInt(braid.maxRssMB)} MB`, target: `< ${TARGETS.rssMB} MB`, met: braid.maxRssMB < TARGETS.rssMB },
    );

    const ideal = (nReal / 256) * 1300;
    log(`realistic latency: ${size(nReal)} at concurrency 256, ideal ${fmt(ideal / 1000, 1)} s (Braid, then plain LangGraph)…`);
    const real = await child(["--n", String(nReal), "--concurrency", "256", "--latency", "realistic"]);
    const realRaw = await child(["--n", String(nReal), "--concurrency", "256", "--latency", "realistic", "--raw"]);
    const over = real.elapsedMs / ideal - 1;
    const overRaw = realRaw.elapsedMs / ideal - 1;
    const lat = `realistic latency, concurrency 256 (${size(nReal)})`;
    rows.push(
      { metric: `${lat}: Braid wall time`, value: `${fmt(real.elapsedMs / 1000, 1)} s vs ideal ${fmt(ideal / 1000, 1)} s` },
      {
        metric: `${lat}: Braid over ideal`,
        value: `${fmt(over * 100, 1)} %`,
        target: `≤ ${TARGETS.latencyBoundSlack * 100} %`,
        met: over <= TARGETS.latencyBoundSlack,
      },
      { metric: `${lat}: plain LangGraph over ideal`, value: `${fmt(overRaw * 100, 1)} %`, note: `${fmt(realRaw.elapsedMs / 1000, 1)} s; baseline` },
      {
        metric: `${lat}: CPU per record, Braid / LangGraph`,
        value: `${fmt(real.cpuPerRecordMs)} / ${fmt(realRaw.cpuPerRecordMs)} ms`,
        note: "× 256 in flight, per 1.3 s wave",
      },
      { metric: `${lat}: Braid peak RSS`, value: `${fmtInt(real.maxRssMB)} MB`, target: `< ${TARGETS.rssMB} MB`, met: real.maxRssMB < TARGETS.rssMB },
    );
    return {
      rows,
      data: {
        zero: { braid, raw },
        realistic: { braid: { ...real, overIdeal: over }, raw: { ...realRaw, overIdeal: overRaw }, idealMs: ideal },
        targets: TARGETS,
      },
    };
  },
};
