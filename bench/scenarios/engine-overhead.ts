/**
 * Engine overhead per node step. Braid with tracing and persistence on (the server's RunManager:
 * every event in the SQLite event store and on the event hub, SqliteSaver checkpoints) against the
 * same graphs written directly in LangGraph.js with the same SqliteSaver, on zero-latency
 * simulated backends. Runs alternate between the two so that noise from other processes hits both
 * alike; each figure is the median over repetitions.
 *
 * A second pair of rows runs both without any persistence (Braid's engine alone, as batch runs
 * use it, against LangGraph without a checkpointer): it separates the engine's own cost from the
 * cost of what it stores.
 */
import { type BackendPool, type CompiledPipeline, type Pipeline, compile, createPool, startRun, useLeanRunnableContext } from "@braid/engine";
import { defaultRegistry } from "@braid/nodes";
import { openCheckpointStore, openPersistedBraid } from "../lib/persisted.js";
import { chainPipeline, loopPipeline, loopSteps } from "../lib/pipelines.js";
import { type RawGraph, rawChain, rawLoop, runRaw } from "../lib/raw-langgraph.js";
import { fmt, median, settle } from "../lib/stats.js";
import type { Row, Scenario } from "../lib/types.js";

export const TARGET_RATIO = 1.3;
const LOOP = 200;
const CHAIN = 50;

interface Case {
  name: string;
  steps: number;
  pipeline: Pipeline;
  raw: (pool: BackendPool, saver?: ReturnType<typeof openCheckpointStore>["checkpointer"]) => RawGraph;
}

const CASES: Case[] = [
  {
    name: `${LOOP}-iteration loop (${loopSteps(LOOP)} steps)`,
    steps: loopSteps(LOOP),
    pipeline: loopPipeline(LOOP),
    raw: (pool, saver) => rawLoop(pool, LOOP, saver),
  },
  { name: `${CHAIN}-node chain`, steps: CHAIN, pipeline: chainPipeline(CHAIN), raw: (pool, saver) => rawChain(pool, CHAIN, saver) },
];

async function runInMemory(pipeline: Pipeline, compiled: CompiledPipeline, pool: BackendPool, seed: number): Promise<void> {
  const run = startRun(pipeline, { registry: defaultRegistry, pool, compiled, seed });
  let last: { type: string } | undefined;
  for await (const e of run.events) last = e;
  if (last?.type !== "run_finished") throw new Error(`benchmark run ended with ${last?.type}`);
}

interface Sample {
  /** Wall-clock ms per node step. */
  wall: number;
  /** CPU ms (user + system, all threads of this process) per node step: blind to other processes' load. */
  cpu: number;
}

/**
 * Alternating, warmed-up measurement of two workloads. Each repetition runs both back to back
 * (in alternating order), so a pair shares the machine's load of the moment; the ratio reported
 * is the median of the per-pair ratios.
 */
async function sideBySide(steps: number, reps: number, braid: () => Promise<unknown>, raw: () => Promise<unknown>): Promise<{ b: Sample[]; r: Sample[] }> {
  const time = async (f: () => Promise<unknown>): Promise<Sample> => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await f();
    const wall = (performance.now() - t0) / steps;
    const c = process.cpuUsage(c0);
    return { wall, cpu: (c.user + c.system) / 1000 / steps };
  };
  for (let i = 0; i < 2; i++) {
    await braid();
    await raw();
  }
  const b: Sample[] = [];
  const r: Sample[] = [];
  for (let i = 0; i < reps; i++) {
    await settle();
    if (i % 2 === 0) {
      b.push(await time(braid));
      r.push(await time(raw));
    } else {
      r.push(await time(raw));
      b.push(await time(braid));
    }
  }
  return { b, r };
}

const pairRatio = (b: Sample[], r: Sample[], key: keyof Sample) => median(b.map((x, i) => x[key] / (r[i] as Sample)[key]));

export const scenario: Scenario = {
  id: "engine-overhead",
  title: "Engine overhead per node step (zero-latency simulated backends)",
  async run({ quick, log }) {
    const reps = quick ? 5 : 15;
    const rows: Row[] = [];
    const data: Record<string, unknown> = { reps, targetRatio: TARGET_RATIO };
    for (const persisted of [true, false]) {
      for (const c of CASES) {
        const pool = createPool({ latency: "zero" });
        const braid = persisted ? openPersistedBraid("braid", defaultRegistry, pool) : undefined;
        const rawStore = persisted ? openCheckpointStore("raw") : undefined;
        try {
          const raw = c.raw(pool, rawStore?.checkpointer);
          const compiled = compile(c.pipeline, defaultRegistry, { backends: pool.availability() });
          let seed = 0;
          const { b, r } = await sideBySide(
            c.steps,
            reps,
            () => {
              useLeanRunnableContext(true);
              return braid ? braid.run(c.pipeline, seed++) : runInMemory(c.pipeline, compiled, pool, seed++);
            },
            // Plain LangGraph as it ships: with LangChain's own runnable context (Braid's compile() replaces it process-wide).
            () => {
              useLeanRunnableContext(false);
              return runRaw(raw, `raw-${seed++}`, compiled.recursionLimit);
            },
          );
          const bm = median(b.map((x) => x.wall));
          const rm = median(r.map((x) => x.wall));
          const ratio = pairRatio(b, r, "wall");
          const cpuRatio = pairRatio(b, r, "cpu");
          const label = `${c.name}, ${persisted ? "persisted" : "in memory"}`;
          log(`${label}: Braid ${fmt(bm, 3)} ms/step, LangGraph ${fmt(rm, 3)} ms/step, ratio ${fmt(ratio)} (CPU time ${fmt(cpuRatio)})`);
          rows.push(
            { metric: `${label}: Braid`, value: `${fmt(bm, 3)} ms/step` },
            { metric: `${label}: raw LangGraph`, value: `${fmt(rm, 3)} ms/step` },
            persisted
              ? { metric: `${label}: ratio`, value: `${fmt(ratio)}×`, target: `≤ ${TARGET_RATIO}×`, met: ratio <= TARGET_RATIO }
              : { metric: `${label}: ratio`, value: `${fmt(ratio)}×`, note: "no store, no checkpointer, as batch runs" },
            { metric: `${label}: CPU-time ratio`, value: `${fmt(cpuRatio)}×`, note: "same runs, CPU ms instead of wall ms" },
          );
          data[`${persisted ? "persisted" : "memory"}:${c.name}`] = {
            steps: c.steps,
            braidMsPerStep: bm,
            rawMsPerStep: rm,
            ratio,
            cpuRatio,
            braid: b,
            raw: r,
          };
        } finally {
          await braid?.close();
          await rawStore?.close();
        }
      }
    }
    return { rows, data };
  },
};
