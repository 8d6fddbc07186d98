/**
 * One batch-throughput measurement in its own process, so that its peak RSS is its own:
 *
 *   tsx bench/batch-child.ts --n 10000 --concurrency 32 --latency zero [--raw]
 *
 * Writes N inputs to a temp folder, runs the sequential example over them with the batch runner
 * (results streamed to results.jsonl), and prints one JSON line: records, elapsed, rate, peak RSS.
 * With --raw it runs the same five-step graph written directly in LangGraph.js at the same
 * concurrency instead (no files, no events): the baseline for the throughput figure.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type BackendPool, type LatencyProfile, createPool } from "@braid/engine";
import { defaultRegistry } from "@braid/nodes";
import { Annotation, END, START, StateGraph } from "@langchain/langgraph";
import { runBatch } from "../apps/server/src/batch/runner.js";
import { loadExample } from "./lib/pipelines.js";

const { values } = parseArgs({ options: { n: { type: "string" }, concurrency: { type: "string" }, latency: { type: "string" }, raw: { type: "boolean" } } });
const N = Number(values.n ?? 10_000);
const concurrency = Number(values.concurrency ?? 32);
const latency = (values.latency ?? "zero") as LatencyProfile;

const pipeline = loadExample("sequential");
const pool = createPool({ latency });
const dir = mkdtempSync(join(tmpdir(), "braid-bench-batch-"));
const segments = ["small business owners", "students", "retirees", "nurses", "software engineers", "farmers"];
const countries = ["Ukraine", "Poland", "Kenya", "Brazil", "Japan", "Canada"];
const input = (i: number) => ({ country: countries[i % countries.length], segment: `${segments[i % segments.length]} #${i}` });

async function braid(): Promise<Record<string, unknown>> {
  const inputs = join(dir, "inputs.jsonl");
  writeFileSync(inputs, `${Array.from({ length: N }, (_, i) => JSON.stringify(input(i))).join("\n")}\n`);
  const resultsFile = join(dir, "results.jsonl");
  const t0 = performance.now();
  const summary = await runBatch({ pipeline, registry: defaultRegistry, pool, inputs, format: "jsonl", resultsFile, concurrency, seed: 1, total: N });
  const elapsedMs = performance.now() - t0;
  const written = readFileSync(resultsFile, "utf8").split("\n").filter(Boolean).length;
  if (summary.ok !== N || written !== N) throw new Error(`expected ${N} ok results, got ${summary.ok} ok and ${written} lines`);
  return {
    records: N,
    elapsedMs,
    rate: (N * 1000) / elapsedMs,
    runTimeP50Ms: summary.durationMs.p50,
    runTimeP95Ms: summary.durationMs.p95,
    costUsd: summary.usage.costUsd,
  };
}

/** The sequential example's five steps in plain LangGraph: the same backend calls, nothing else. */
async function raw(p: BackendPool): Promise<Record<string, unknown>> {
  const merge = (a: Record<string, unknown>, b: Record<string, unknown>) => ({ ...a, ...b });
  const S = Annotation.Root({
    input: Annotation<Record<string, unknown>>(),
    outputs: Annotation<Record<string, unknown>>({ reducer: merge, default: () => ({}) }),
  });
  type State = typeof S.State;
  const g = new StateGraph(S) as unknown as StateGraph<typeof S.spec, State, Partial<State>, string>;
  const call = (id: string, backend: string, shape: unknown) => async (s: State, config: { signal?: AbortSignal }) => {
    const res = await p.call(
      backend,
      { prompt: `${id}: ${JSON.stringify(s.input)} ${JSON.stringify(s.outputs)}`, json: { shape }, task: { type: "generate" } },
      { signal: config.signal as AbortSignal, seedKey: id, random: Math.random },
    );
    return { outputs: { [id]: JSON.parse(res.text) } };
  };
  const nodes = pipeline.nodes;
  g.addNode("in", (s: State) => ({ outputs: { in: s.input } }));
  for (const n of nodes.filter((x) => x.kind === "generate")) {
    const c = n.config as { backend: string; shape: unknown };
    g.addNode(n.id, call(n.id, c.backend, c.shape));
  }
  g.addNode("out", (s: State) => ({
    outputs: { out: { ...(s.outputs.basic as object), ...(s.outputs.enrich as object), ...(s.outputs.validate as object) } },
  }));
  g.addEdge(START, "in");
  for (const e of pipeline.edges) g.addEdge(e.from, e.to);
  g.addEdge("out", END);
  const app = g.compile();
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < N) {
        const i = next++;
        await app.invoke({ input: input(i) }, { recursionLimit: 25, signal: new AbortController().signal });
      }
    }),
  );
  const elapsedMs = performance.now() - t0;
  return { records: N, elapsedMs, rate: (N * 1000) / elapsedMs };
}

try {
  const cpu0 = process.cpuUsage();
  const result = values.raw ? await raw(pool) : await braid();
  const cpu = process.cpuUsage(cpu0);
  const cpuPerRecordMs = (cpu.user + cpu.system) / 1000 / N;
  const maxRssMB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ ...result, concurrency, latency, raw: values.raw ?? false, cpuPerRecordMs, maxRssMB })}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
