/**
 * Evaluation overhead: the validation-loop example over 1,000 records on zero-latency simulated
 * backends, as an experiment with three code evaluators (json-schema on the output node's shape,
 * a regex, a JSONata expression) against the same records as a plain batch (the same runBatch,
 * no evaluators). Rounds alternate the two so that machine load hits both alike; the medians and
 * the CPU time per record are compared.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { type Dataset, type EvaluatorConfig, createPool, datasetHash } from "@braid/engine";
import { defaultRegistry } from "@braid/nodes";
import { runBatch } from "../../apps/server/src/batch/runner.js";
import { runExperiment } from "../../apps/server/src/eval/runner.js";
import { loadExample } from "../lib/pipelines.js";
import { fmt, fmtInt, median } from "../lib/stats.js";
import type { Scenario } from "../lib/types.js";

export const TARGETS = { addedPercent: 10 };
const CONCURRENCY = 32;
const EVALUATORS: EvaluatorConfig[] = [
  { type: "json-schema" },
  { type: "regex", path: "output.email", value: "^[^@\\s]+@[^@\\s]+\\.[A-Za-z]{2,}$" },
  { type: "expression", value: "output.price > 0 and $count(output.tags) >= 1" },
];

interface Measure {
  ms: number;
  cpuMs: number;
}

async function timed(fn: () => Promise<unknown>): Promise<Measure> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const cpu = process.cpuUsage(cpu0);
  return { ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
}

export const scenario: Scenario = {
  id: "eval-overhead",
  title: "Evaluation overhead (validation loop, 3 code evaluators)",
  async run({ quick, log }) {
    const n = 1000;
    const rounds = quick ? 2 : 5;
    const pipeline = loadExample("validation-loop");
    const pool = createPool({ latency: "zero" });
    const records = Array.from({ length: n }, (_, i) => ({ input: { sku: `WM-${1000 + i}` } }));
    const dataset: Dataset = { records, lines: records.map((_, i) => i + 1), hash: datasetHash(records) };
    const dir = mkdtempSync(join(tmpdir(), "braid-bench-eval-"));
    const batch = () =>
      runBatch({
        pipeline,
        registry: defaultRegistry,
        pool,
        inputs: Readable.from(records.map((r) => `${JSON.stringify(r.input)}\n`)),
        format: "jsonl",
        resultsFile: join(dir, "results.jsonl"),
        total: n,
        fresh: true,
        concurrency: CONCURRENCY,
        seed: 1,
      });
    const experiment = async () => {
      const exp = await runExperiment({ pipeline, registry: defaultRegistry, pool, dataset, evaluators: EVALUATORS, concurrency: CONCURRENCY, seed: 1 });
      if (exp.records.length !== n) throw new Error(`expected ${n} evaluated records, got ${exp.records.length}`);
      return exp;
    };
    const plain: Measure[] = [];
    const evaluated: Measure[] = [];
    let peakRss = 0;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 50);
    try {
      log(`warm-up, then ${rounds} alternating rounds of ${fmtInt(n)} records each…`);
      await batch();
      await experiment();
      for (let r = 0; r < rounds; r++) {
        if (r % 2 === 0) {
          plain.push(await timed(batch));
          evaluated.push(await timed(experiment));
        } else {
          evaluated.push(await timed(experiment));
          plain.push(await timed(batch));
        }
      }
    } finally {
      clearInterval(sampler);
      rmSync(dir, { recursive: true, force: true });
    }
    const wall = [median(plain.map((m) => m.ms)), median(evaluated.map((m) => m.ms))] as const;
    const cpu = [median(plain.map((m) => m.cpuMs)), median(evaluated.map((m) => m.cpuMs))] as const;
    const added = (wall[1] / wall[0] - 1) * 100;
    const addedCpu = (cpu[1] / cpu[0] - 1) * 100;
    return {
      rows: [
        { metric: `batch, no evaluators (${fmtInt(n)} records, concurrency ${CONCURRENCY})`, value: `${fmt(wall[0] / 1000)} s`, note: `median of ${rounds}` },
        { metric: "experiment, 3 code evaluators", value: `${fmt(wall[1] / 1000)} s` },
        { metric: "added by evaluation, wall time", value: `${fmt(added, 1)} %`, target: `≤ ${TARGETS.addedPercent} %`, met: added <= TARGETS.addedPercent },
        { metric: "added by evaluation, CPU time", value: `${fmt(addedCpu, 1)} %`, note: `${fmt(cpu[0] / n, 2)} → ${fmt(cpu[1] / n, 2)} ms per record` },
        { metric: "peak RSS of the bench process", value: `${fmtInt(peakRss / 2 ** 20)} MB`, target: "< 400 MB", met: peakRss / 2 ** 20 < 400 },
      ],
      data: { records: n, rounds, plain, evaluated, addedPercent: added, addedCpuPercent: addedCpu, peakRssMB: peakRss / 2 ** 20, targets: TARGETS },
    };
  },
};
