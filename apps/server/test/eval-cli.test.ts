import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runCli } from "./cli-capture.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const pipeline = join(root, "examples", "validation-loop.json");
const dataset = join(root, "examples", "datasets", "validation-loop.jsonl");
const dir = mkdtempSync(join(tmpdir(), "braid-eval-cli-"));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
/** The example with its critique's loop cut to one evaluation: no corrections, straight to the best-effort fix. */
const weakened = () => {
  const doc = JSON.parse(readFileSync(pipeline, "utf8"));
  const check = doc.nodes.find((n: { id: string }) => n.id === "check");
  check.config.maxAttempts = 1;
  return file("weakened.json", JSON.stringify(doc));
};
const evalJson = async (...args: string[]) => {
  const r = await runCli("eval", ...args, "--latency", "zero", "--json");
  return { ...r, json: r.out ? JSON.parse(r.out) : undefined };
};
/** Wall-clock latencies are measured, not simulated; everything else must repeat exactly for a seed. */
const withoutTimes = (m: Record<string, unknown>) => Object.fromEntries(Object.entries(m).filter(([k]) => !/LatencyMs$/.test(k)));

afterEach(() => vi.restoreAllMocks());

describe("braid eval", () => {
  it("runs the shipped dataset offline, passes the gate, and is deterministic for a seed", async () => {
    const a = await evalJson(pipeline, "--dataset", dataset, "--gate", "score >= 0.7", "--seed", "3");
    expect(a.code, a.err).toBe(0);
    expect(a.json.metrics).toMatchObject({ records: 50, errorRate: 0 });
    expect(a.json.metrics.score).toBeGreaterThanOrEqual(0.7);
    expect(a.json.gates).toContainEqual({ expr: "score >= 0.7", passed: true, actual: a.json.metrics.score, threshold: 0.7 });
    expect(a.json.evaluators.map((e: { name: string }) => e.name)).toEqual(["shape", "names-sku", "valid-email", "price-positive", "critique"]);
    expect(a.json.comparison).toBeUndefined();
    const b = await evalJson(pipeline, "--dataset", dataset, "--gate", "score >= 0.7", "--seed", "3");
    expect(withoutTimes(b.json.metrics)).toEqual(withoutTimes(a.json.metrics));
    expect(b.json.evaluators).toEqual(a.json.evaluators);
  });

  it("a weakened copy against the example as baseline: a significant drop, a failed relative gate, exit 1", async () => {
    const out = join(dir, "weak.experiment.json");
    const r = await evalJson(weakened(), "--dataset", dataset, "--baseline", pipeline, "--gate", "score >= baseline.score - 0.03", "--out", out);
    expect(r.code, r.err).toBe(1);
    const score = r.json.comparison.metrics.find((m: { metric: string }) => m.metric === "score");
    expect(score.verdict).toBe("worse");
    expect(score.delta).toBeLessThan(-0.03);
    expect(score.ci[1]).toBeLessThan(0);
    // What the loop buys: outputs that pass the pipeline's own critique without exhausting it.
    expect(r.json.comparison.metrics.find((m: { metric: string }) => m.metric === 'passRate("critique")').verdict).toBe("worse");
    const gate = r.json.gates.find((g: { expr: string }) => g.expr === "score >= baseline.score - 0.03");
    expect(gate).toMatchObject({ passed: false });
    expect(gate.by).toBeGreaterThan(0);
    expect(r.json.comparison.disagreements[0].candidate.reasons[0]).toMatch(/critique: check exhausted after 1 attempt/);
    // The saved experiment serves as a baseline itself, with no second run.
    const again = await evalJson(pipeline, "--dataset", dataset, "--baseline", out, "--gate", "score >= baseline.score");
    expect(again.code, again.err).toBe(0);
    expect(again.json.comparison.metrics.find((m: { metric: string }) => m.metric === "score").verdict).toBe("better");
  });

  it("prints a summary table without --json", async () => {
    const r = await runCli("eval", pipeline, "--dataset", dataset, "--latency", "zero", "--quiet");
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/Experiment "Validated records \(validation loop\)" over .* \(50 records, dataset [0-9a-f]{16}, seed 1\) completed/);
    expect(r.out).toMatch(/critique\s+100\.0%/);
    expect(r.out).toMatch(/✔ passRate\("shape"\) >= 0\.99/);
  });

  it("bad input exits 2 with a message naming the file, line or field", async () => {
    const bad = file("bad.jsonl", '{"input":{"sku":"A"}}\nnope\n{"input":{"sku":"B"},"extra":1}\n');
    let r = await runCli("eval", pipeline, "--dataset", bad, "--latency", "zero");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/E_DATASET: .*bad\.jsonl: 2 bad rows, nothing imported: line 2: not valid JSON.*line 3: unknown key "extra"/);

    r = await runCli("eval", pipeline, "--dataset", dataset, "--gate", "scor >= 1", "--latency", "zero");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/E_GATE: gate "scor >= 1": unknown metric "scor"/);

    r = await runCli("eval", pipeline, "--dataset", dataset, "--gate", "score >= baseline.score", "--latency", "zero");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/needs a baseline/);

    const evaluators = file("evaluators.json", JSON.stringify({ evaluators: [{ type: "regex", value: "(a)\\1" }] }));
    r = await runCli("eval", pipeline, "--dataset", dataset, "--evaluators", evaluators, "--latency", "zero");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/E_EVALUATOR.*evaluators\[0\]\.value: regular expression/);

    const doc = JSON.parse(readFileSync(pipeline, "utf8"));
    doc.evaluation.evaluators[1].type = "containz";
    r = await runCli("eval", file("bad-section.json", JSON.stringify(doc)), "--dataset", dataset, "--latency", "zero");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/E_EVALUATOR.*evaluation\.evaluators\[1\]\.type: unknown evaluator type "containz"/);

    r = await runCli("eval", pipeline, "--latency", "zero");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/missing --dataset/);
  });

  it("an evaluators file adds evaluators and gates; a failing gate exits 1 and says by how much", async () => {
    const evaluators = file(
      "more.json",
      JSON.stringify({ evaluators: [{ type: "tokens", name: "few-tokens", value: 1 }], gates: ['passRate("few-tokens") >= 0.5'] }),
    );
    const r = await evalJson(pipeline, "--dataset", dataset, "--evaluators", evaluators);
    expect(r.code).toBe(1);
    expect(r.json.gates).toContainEqual({ expr: 'passRate("few-tokens") >= 0.5', passed: false, actual: 0, threshold: 0.5, by: 0.5 });
  });
});
