import { readFileSync } from "node:fs";
import { defaultRegistry } from "@braid/nodes";
import { describe, expect, it } from "vitest";
import { lintDocument } from "../format/lint.js";
import type { Pipeline } from "../format/schema.js";
import type { ExperimentMetrics } from "./metrics.js";
import { GateError, checkGate, evaluateGate, parseGate } from "./gates.js";
import { GATE_METRICS, evaluationOf, outputSchemaOf } from "./pipeline.js";

const metrics: ExperimentMetrics = {
  records: 50,
  score: 0.82,
  passRate: 0.7,
  passRates: { "json-schema": 0.98, critique: 0.62 },
  errorRate: 0.02,
  p50LatencyMs: 400,
  p95LatencyMs: 900,
  meanLatencyMs: 450,
  tokensPer1k: 200_000,
  costPer1k: 0.4,
};
const baseline: ExperimentMetrics = { ...metrics, score: 0.9, passRates: { "json-schema": 1, critique: 1 } };

describe("quality gates", () => {
  it("absolute gates pass or fail, saying by how much", () => {
    expect(evaluateGate("score >= 0.8", metrics)).toEqual({ expr: "score >= 0.8", passed: true, actual: 0.82, threshold: 0.8 });
    expect(evaluateGate("p95LatencyMs <= 800", metrics)).toEqual({ expr: "p95LatencyMs <= 800", passed: false, actual: 900, threshold: 800, by: 100 });
    expect(evaluateGate("costPer1k <= 0.5", metrics).passed).toBe(true);
    expect(evaluateGate("errorRate <= 0.01", metrics)).toMatchObject({ passed: false, by: 0.01 });
  });

  it("relative gates read the baseline's metrics", () => {
    expect(evaluateGate("score >= baseline.score - 0.03", metrics, baseline)).toEqual({
      expr: "score >= baseline.score - 0.03",
      passed: false,
      actual: 0.82,
      threshold: 0.87,
      by: 0.05,
    });
    expect(evaluateGate("p95LatencyMs <= baseline.p95LatencyMs * 1.1", metrics, baseline).passed).toBe(true);
    expect(evaluateGate("score >= baseline.score", metrics)).toMatchObject({ passed: false, error: expect.stringMatching(/needs a baseline/) });
  });

  it('passRate("x") reads one evaluator\'s pass rate', () => {
    expect(evaluateGate('passRate("json-schema") >= 0.99', metrics)).toMatchObject({ passed: false, actual: 0.98, by: 0.01 });
    expect(evaluateGate("passRate('critique') >= baseline.passRate('critique') - 0.5", metrics, baseline).passed).toBe(true);
    expect(evaluateGate("passRate >= 0.5", metrics).passed).toBe(true);
  });

  it("an unknown metric or evaluator is an error naming it, never a pass", () => {
    const r = evaluateGate("scor >= 0.8", metrics);
    expect(r.passed).toBe(false);
    expect(r.error).toMatch(/unknown metric "scor"; metrics: records, score, passRate/);
    expect(evaluateGate('passRate("nope") > 0', metrics).error).toMatch(/no evaluator is named "nope"; evaluators: json-schema, critique/);
    expect(() => checkGate("latency < 5", { metrics: GATE_METRICS, baseline: false })).toThrow(GateError);
    expect(() => checkGate("score > baseline.score", { metrics: GATE_METRICS, baseline: false })).toThrow(/needs a baseline/);
    expect(() => checkGate('passRate("x") > 0', { metrics: GATE_METRICS, evaluators: ["y"], baseline: false })).toThrow(/no evaluator is named "x"/);
  });

  it("refuses malformed gates with the position", () => {
    expect(() => parseGate("score >=")).toThrow(/expected a number or a metric at the end/);
    expect(() => parseGate("score 0.8")).toThrow(/expected a comparison/);
    expect(() => parseGate("score >= 0.8 extra")).toThrow(/unexpected text after the gate at position 13/);
    expect(() => parseGate("score >= $x")).toThrow(/unexpected "\$" at position 9/);
    expect(() => parseGate("(score >= 1")).toThrow(/expected "\)"/);
    expect(() => parseGate("passRate(x) > 1")).toThrow(/evaluator name in quotes/);
    expect(parseGate("-score + 2 * (1 - errorRate) / 2 != 0").cmp).toBe("!=");
  });
});

describe("the pipeline's evaluation section", () => {
  const pipeline = (evaluation: unknown): Pipeline =>
    ({
      format: "braid/pipeline@1",
      name: "t",
      nodes: [
        { id: "in", kind: "input" },
        { id: "gen", kind: "generate", config: { backend: "b", prompt: "p", shape: { name: "string", n: 0, tags: ["string"] } } },
        { id: "out", kind: "output", config: { value: "{{gen}}" } },
      ],
      edges: [],
      evaluation,
    }) as Pipeline;

  it("checks evaluators and gates with coded diagnostics that name the field", () => {
    const r = evaluationOf(
      pipeline({
        evaluators: [{ type: "is-json" }, { type: "critique-pass", node: "nope" }],
        gates: ["score >= 0.8", 'passRate("x") > 0', "baseline.score > 0", 3],
      }),
    );
    expect(r.diagnostics.map((d) => [d.code, d.path])).toEqual([
      ["E_EVALUATOR", "evaluation.evaluators[1].node"],
      ["E_GATE", "evaluation.gates[1]"],
      ["E_GATE", "evaluation.gates[2]"],
      ["E_GATE", "evaluation.gates[3]"],
    ]);
    expect(r.gates).toEqual(["score >= 0.8"]);
    expect(evaluationOf(pipeline(undefined))).toEqual({ evaluators: [], gates: [], diagnostics: [] });
  });

  it("knows the output node's shape as a JSON Schema", () => {
    expect(outputSchemaOf(pipeline(undefined))).toEqual({
      type: "object",
      required: ["name", "n", "tags"],
      properties: { name: { type: "string" }, n: { type: "number" }, tags: { type: "array", items: { type: "string" } } },
    });
  });

  it("lint reports the section's problems; the example's section is clean; files without one stay valid", () => {
    const example = JSON.parse(readFileSync(new URL("../../../../examples/validation-loop.json", import.meta.url), "utf8"));
    expect(lintDocument(example, { registry: defaultRegistry }).diagnostics).toEqual([]);
    const { evaluation: _, ...without } = example;
    expect(lintDocument(without, { registry: defaultRegistry }).diagnostics).toEqual([]);
    example.evaluation.evaluators[2].value = "(?<=a)b";
    const ds = lintDocument(example, { registry: defaultRegistry }).diagnostics;
    expect(ds.map((d) => [d.code, d.path])).toEqual([["E_EVALUATOR", "evaluation.evaluators[2].value"]]);
  });
});
