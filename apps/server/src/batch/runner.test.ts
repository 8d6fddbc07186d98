import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BackendConfigInput, BackendConfigSchema, type Pipeline, type RunEvent, createPool, startRun } from "@braid/engine";
import { defaultRegistry } from "@braid/nodes";
import { describe, expect, it } from "vitest";
import { type BatchProgress, runBatch } from "./runner.js";
import type { BatchResult } from "./stats.js";

const dir = mkdtempSync(join(tmpdir(), "braid-batch-"));
let n = 0;
const paths = (ext = "jsonl") => {
  n++;
  return { inputs: join(dir, `in${n}.${ext}`), results: join(dir, `out${n}.jsonl`), errors: join(dir, `out${n}.errors.jsonl`) };
};
const lines = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : []);
const results = (file: string) => lines(file).map((l) => JSON.parse(l) as BatchResult);

/** in → greet (generate) → out; the input must be {name: string, age?: integer}. */
const pipeline = (backend = "generator"): Pipeline =>
  ({
    format: "braid/pipeline@1",
    name: "greet",
    input: { example: { name: "Ann" }, schema: { type: "object", required: ["name"], properties: { name: { type: "string" }, age: { type: "integer" } } } },
    nodes: [
      { id: "in", kind: "input" },
      { id: "greet", kind: "generate", config: { backend, prompt: "Profile for {{input.name}}", shape: { name: "string", email: "string" } } },
      { id: "out", kind: "output", config: { value: "{{greet}}" } },
    ],
    edges: [
      { from: "in", to: "greet" },
      { from: "greet", to: "out" },
    ],
  }) as Pipeline;

/** Zero-latency simulated backends, plus any given here (simulated latency, failures, streaming). */
const zeroPool = (...extra: BackendConfigInput[]) => createPool({ latency: "zero", extra: extra.map((c) => BackendConfigSchema.parse(c)) });
/** A backend that fails about half of its calls, deterministically per seed; no retries, no breaker. */
const flakyPool = () => zeroPool({ name: "flaky", provider: "simulated", retries: 0, circuitBreaker: false, simulation: { failureRate: 0.5 } });

function writeInputs(file: string, count: number, bad: Record<number, string> = {}): void {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(bad[i] ?? JSON.stringify({ name: `person ${i}`, age: 20 + (i % 50) }));
  writeFileSync(file, `${out.join("\n")}\n`);
}

describe("runBatch", () => {
  it("runs every record, writes one result line each and a summary with per-node percentiles", async () => {
    const p = paths();
    writeInputs(p.inputs, 40);
    let maxRunning = 0;
    const summary = await runBatch({
      pipeline: pipeline(),
      registry: defaultRegistry,
      pool: zeroPool(),
      inputs: p.inputs,
      format: "jsonl",
      resultsFile: p.results,
      concurrency: 4,
      seed: 100,
      onProgress: (pr) => {
        maxRunning = Math.max(maxRunning, pr.running);
      },
    });
    expect(summary).toMatchObject({ status: "completed", seen: 40, ok: 40, failed: 0, badRows: 0, resumed: 0, ran: 40 });
    expect(maxRunning).toBeLessThanOrEqual(4);
    expect(maxRunning).toBeGreaterThan(1);
    const rs = results(p.results);
    expect(rs).toHaveLength(40);
    expect(new Set(rs.map((r) => r.index))).toEqual(new Set(Array.from({ length: 40 }, (_, i) => i)));
    for (const r of rs) {
      expect(r.line).toBe(r.index + 1);
      expect(r.seed).toBe(100 + r.index);
      expect(r.status).toBe("ok");
      expect(r.output).toMatchObject({ name: expect.any(String) });
      expect(Object.keys(r.nodes).sort()).toEqual(["greet", "in", "out"]);
    }
    expect(Object.keys(summary.nodes).sort()).toEqual(["greet", "in", "out"]);
    expect(summary.nodes.greet).toMatchObject({ count: 40 });
    expect(summary.nodes.greet?.p95).toBeGreaterThanOrEqual(summary.nodes.greet?.p50 ?? 0);
    expect(summary.usage.costUsd).toBeGreaterThan(0);
    expect(summary.usage.costUsd).toBeCloseTo(
      rs.reduce((s, r) => s + r.usage.costUsd, 0),
      6,
    );
    expect(lines(p.errors)).toEqual([]);
  });

  it("writes the results file in input order even when records finish out of order", async () => {
    const p = paths();
    writeInputs(p.inputs, 40);
    // Latency jitter makes records finish out of order at concurrency 8.
    const pool = zeroPool({ name: "jittery", provider: "simulated", simulation: { latencyMs: 15, jitterMs: 14 } });
    const finishedOrder: number[] = [];
    await runBatch({
      pipeline: pipeline("jittery"),
      registry: defaultRegistry,
      pool,
      inputs: p.inputs,
      format: "jsonl",
      resultsFile: p.results,
      concurrency: 8,
      onResult: (r) => {
        finishedOrder.push(r.index);
      },
    });
    const written = results(p.results).map((r) => r.index);
    expect(written).toEqual(Array.from({ length: 40 }, (_, i) => i));
    // The test means something only if they did finish out of order.
    expect(finishedOrder).not.toEqual(written);
  });

  it("gives the same output for the same record and seed, whatever the concurrency", async () => {
    const a = paths();
    const b = paths();
    writeInputs(a.inputs, 12);
    writeInputs(b.inputs, 12);
    await runBatch({
      pipeline: pipeline(),
      registry: defaultRegistry,
      pool: zeroPool(),
      inputs: a.inputs,
      format: "jsonl",
      resultsFile: a.results,
      concurrency: 1,
    });
    await runBatch({
      pipeline: pipeline(),
      registry: defaultRegistry,
      pool: zeroPool(),
      inputs: b.inputs,
      format: "jsonl",
      resultsFile: b.results,
      concurrency: 8,
    });
    const byIndex = (f: string) => Object.fromEntries(results(f).map((r) => [r.index, r.output]));
    expect(byIndex(b.results)).toEqual(byIndex(a.results));
  });

  it("reports bad rows (unparseable, failing the input schema) with line numbers in the errors file and never stops", async () => {
    const p = paths();
    writeInputs(p.inputs, 10, { 2: "{not json", 5: JSON.stringify({ age: 3 }), 7: JSON.stringify({ name: "x", age: "old" }) });
    const summary = await runBatch({
      pipeline: pipeline(),
      registry: defaultRegistry,
      pool: zeroPool(),
      inputs: p.inputs,
      format: "jsonl",
      resultsFile: p.results,
      concurrency: 3,
    });
    expect(summary).toMatchObject({ status: "completed", ok: 7, failed: 0, badRows: 3, badRowLines: [3, 6, 8] });
    const errs = lines(p.errors).map((l) => JSON.parse(l));
    expect(errs.map((e) => [e.line, e.index, e.code])).toEqual([
      [3, 2, "E_PARSE"],
      [6, 5, "E_INPUT_SCHEMA"],
      [8, 7, "E_INPUT_SCHEMA"],
    ]);
    expect(errs[0].raw).toBe("{not json");
    expect(errs[1].message).toMatch(/name/);
    expect(errs[2].message).toMatch(/age/);
    expect(
      results(p.results)
        .map((r) => r.line)
        .sort((x, y) => x - y),
    ).toEqual([1, 2, 4, 5, 7, 9, 10]);
  });

  it("reads CSV, converting cells by the input schema", async () => {
    const p = paths("csv");
    writeFileSync(p.inputs, "name,age\nAnn,31\nBob,thirty\n,5\nCara,\n");
    const summary = await runBatch({
      pipeline: pipeline(),
      registry: defaultRegistry,
      pool: zeroPool(),
      inputs: p.inputs,
      format: "csv",
      resultsFile: p.results,
    });
    // "thirty" is not an integer: a bad row. An empty name is still a string (""), so it runs.
    expect(summary).toMatchObject({ ok: 3, badRows: 1, badRowLines: [3] });
    expect(results(p.results).find((r) => r.line === 2)?.input).toEqual({ name: "Ann", age: 31 });
    expect(results(p.results).find((r) => r.line === 5)?.input).toEqual({ name: "Cara" });
  });

  it("records failed runs with their reasons, grouped in the summary", async () => {
    const p = paths();
    writeInputs(p.inputs, 30);
    const summary = await runBatch({
      pipeline: pipeline("flaky"),
      registry: defaultRegistry,
      pool: flakyPool(),
      inputs: p.inputs,
      format: "jsonl",
      resultsFile: p.results,
      concurrency: 5,
    });
    expect(summary.failed).toBeGreaterThan(0);
    expect(summary.ok).toBeGreaterThan(0);
    expect(summary.ok + summary.failed).toBe(30);
    expect(summary.failures[0]).toMatchObject({ code: "E_BACKEND_FAILED", count: summary.failed });
    expect(summary.failures[0]?.message).toMatch(/flaky/);
    expect(summary.failures[0]?.lines.length).toBe(Math.min(10, summary.failed));
    const failed = results(p.results).filter((r) => r.status === "failed");
    expect(failed).toHaveLength(summary.failed);
    expect(failed[0]?.error).toMatchObject({ code: "E_BACKEND_FAILED", nodeId: "greet" });
  });

  it("resumes after an interruption: no duplicates, every record present once", async () => {
    const p = paths();
    const N = 60;
    const K = 15;
    writeInputs(p.inputs, N, { 10: "oops" });
    const controller = new AbortController();
    const first = await runBatch({
      pipeline: pipeline(),
      registry: defaultRegistry,
      pool: zeroPool(),
      inputs: p.inputs,
      format: "jsonl",
      resultsFile: p.results,
      concurrency: 4,
      signal: controller.signal,
      onProgress: (pr: BatchProgress) => {
        if (pr.ok + pr.failed >= K) controller.abort();
      },
    });
    expect(first.status).toBe("interrupted");
    const after1 = results(p.results);
    expect(after1.length).toBeGreaterThanOrEqual(K);
    expect(after1.length).toBeLessThan(N - 1);

    // A crash mid-write leaves half a line: it is cut and that record runs again.
    appendFileSync(p.results, '{"line":999,"index":998,"hash":"abc","st');

    const progress: BatchProgress[] = [];
    const second = await runBatch({
      pipeline: pipeline(),
      registry: defaultRegistry,
      pool: zeroPool(),
      inputs: p.inputs,
      format: "jsonl",
      resultsFile: p.results,
      concurrency: 4,
      onProgress: (pr) => progress.push(pr),
    });
    expect(second).toMatchObject({ status: "completed", resumed: after1.length, ran: N - 1 - after1.length, ok: N - 1, badRows: 1 });
    const all = results(p.results);
    expect(all).toHaveLength(N - 1);
    const keys = all.map((r) => `${r.line}:${r.hash}`);
    expect(new Set(keys).size).toBe(N - 1);
    expect(all.map((r) => r.index).sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i).filter((i) => i !== 10));
    // The records that ran before the interruption were not run again.
    const firstRunIds = new Set(after1.map((r) => r.runId));
    expect(all.filter((r) => firstRunIds.has(r.runId))).toHaveLength(after1.length);
    // The bad row is reported once, not once per pass.
    expect(lines(p.errors)).toHaveLength(1);
    expect(progress.at(-1)).toMatchObject({ total: N, etaMs: 0 });

    // A third pass has nothing left to do.
    const third = await runBatch({
      pipeline: pipeline(),
      registry: defaultRegistry,
      pool: zeroPool(),
      inputs: p.inputs,
      format: "jsonl",
      resultsFile: p.results,
    });
    expect(third).toMatchObject({ ran: 0, resumed: N - 1 });
    expect(results(p.results)).toHaveLength(N - 1);
  });

  it("treats a changed record as new, and --retry-failed runs failed records again", async () => {
    const p = paths();
    writeInputs(p.inputs, 20);
    const first = await runBatch({
      pipeline: pipeline("flaky"),
      registry: defaultRegistry,
      pool: flakyPool(),
      inputs: p.inputs,
      format: "jsonl",
      resultsFile: p.results,
      concurrency: 4,
    });
    expect(first.failed).toBeGreaterThan(0);
    // Retry with a healthy pool under the same backend name: the failures are replaced by results.
    const healthy = zeroPool({ name: "flaky", provider: "simulated", retries: 0 });
    const second = await runBatch({
      pipeline: pipeline("flaky"),
      registry: defaultRegistry,
      pool: healthy,
      inputs: p.inputs,
      format: "jsonl",
      resultsFile: p.results,
      retryFailed: true,
    });
    expect(second).toMatchObject({ ok: 20, failed: 0, resumed: first.ok, ran: first.failed });
    const rs = results(p.results);
    expect(rs).toHaveLength(20);
    expect(rs.every((r) => r.status === "ok")).toBe(true);

    // Editing line 3 changes its hash: it runs again; the others are skipped.
    const text = readFileSync(p.inputs, "utf8").split("\n");
    text[2] = JSON.stringify({ name: "someone else" });
    writeFileSync(p.inputs, text.join("\n"));
    const third = await runBatch({
      pipeline: pipeline("flaky"),
      registry: defaultRegistry,
      pool: healthy,
      inputs: p.inputs,
      format: "jsonl",
      resultsFile: p.results,
    });
    expect(third.ran).toBe(1);
  });

  it("--fresh starts over", async () => {
    const p = paths();
    writeInputs(p.inputs, 5);
    await runBatch({ pipeline: pipeline(), registry: defaultRegistry, pool: zeroPool(), inputs: p.inputs, format: "jsonl", resultsFile: p.results });
    const again = await runBatch({
      pipeline: pipeline(),
      registry: defaultRegistry,
      pool: zeroPool(),
      inputs: p.inputs,
      format: "jsonl",
      resultsFile: p.results,
      fresh: true,
    });
    expect(again).toMatchObject({ ran: 5, resumed: 0 });
    expect(results(p.results)).toHaveLength(5);
  });

  it("runs without token events (tokens: false), with the same outputs as a streamed run", async () => {
    // A streaming backend with no latency: chunks arrive at once.
    const pool = zeroPool({ name: "generator", provider: "simulated", simulation: { streamChunks: 3 } });
    const collect = async (tokens: boolean | undefined) => {
      const run = startRun(pipeline(), { registry: defaultRegistry, pool, input: { name: "Ann" }, seed: 5, ...(tokens === undefined ? {} : { tokens }) });
      const events: RunEvent[] = [];
      for await (const e of run.events) events.push(e);
      return events;
    };
    const streamed = await collect(undefined);
    const quiet = await collect(false);
    expect(streamed.filter((e) => e.type === "token").length).toBeGreaterThan(0);
    expect(quiet.filter((e) => e.type === "token")).toEqual([]);
    const output = (es: RunEvent[]) => es.find((e) => e.type === "run_finished");
    expect(output(quiet)).toMatchObject({ output: (output(streamed) as { output: unknown }).output });
  });

  it("starts its first records apart (a slow start), so the first one is at its call before the next begins", async () => {
    const p = paths();
    writeInputs(p.inputs, 24);
    const slow = zeroPool({ name: "slow", provider: "simulated", simulation: { latencyMs: 30, streamChunks: 0 } });
    const run = async (rampMs: number) => {
      const order: string[] = [];
      const summary = await runBatch({
        pipeline: pipeline("slow"),
        registry: defaultRegistry,
        pool: slow,
        inputs: p.inputs,
        format: "jsonl",
        resultsFile: `${p.results}.${rampMs}`,
        concurrency: 8,
        rampMs,
        seed: 1,
        onEvent: (index, e) => {
          if (e.type === "run_started" || (e.type === "node_started" && e.nodeId === "greet")) order.push(`${index}:${e.type}`);
        },
      });
      expect(summary.ok).toBe(24);
      return order;
    };
    // Started together, every record's run starts before the first reaches its call: their calls then go out, and answer, in one burst.
    const together = await run(0);
    expect(together.slice(0, 8).every((s) => s.endsWith("run_started"))).toBe(true);
    const ramped = await run(20);
    for (let i = 0; i < 7; i++) expect(ramped.indexOf(`${i}:node_started`)).toBeLessThan(ramped.indexOf(`${i + 1}:run_started`));
  });
});
