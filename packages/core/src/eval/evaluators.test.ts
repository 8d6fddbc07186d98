import { describe, expect, it } from "vitest";
import { type EvalContext, type Judge, evaluateRecord, runEvaluator, similarity } from "./evaluate.js";
import { type EvaluatorConfig, checkEvaluators } from "./evaluators.js";
import type { RunFacts } from "./run-facts.js";

const run = (over: Partial<RunFacts> = {}): RunFacts => ({
  status: "completed",
  durationMs: 120,
  usage: { inputTokens: 100, outputTokens: 50, costUsd: 0.002 },
  critiques: [{ node: "check", attempts: 2, passed: true, exhausted: false, score: 0.9 }],
  ...over,
});
const output = { name: "Yoga Mat WM-1", price: 12.5, email: "a@b.co", tags: ["home", "gift"] };
const ctx = (over: Partial<EvalContext> = {}): EvalContext => ({ input: { sku: "WM-1" }, output, expected: "WM-1", run: run(), ...over });

/** Each type with a config that passes on ctx(), one that fails, and one that cannot run (an error). */
const CASES: Array<{ pass: EvaluatorConfig; fail: EvaluatorConfig; error: [EvaluatorConfig, Partial<EvalContext>?] }> = [
  {
    pass: { type: "equals", path: "output.price", value: 12.5 },
    fail: { type: "equals", value: { name: "x" } },
    error: [{ type: "equals" }, { expected: undefined }],
  },
  { pass: { type: "contains", path: "output.name" }, fail: { type: "contains", value: "zzz" }, error: [{ type: "contains", path: "output.(" }] },
  { pass: { type: "icontains", value: "yoga mat" }, fail: { type: "icontains", value: "YOGA BALL" }, error: [{ type: "icontains" }, { expected: undefined }] },
  {
    pass: { type: "contains-any", value: ["nope", "gift"] },
    fail: { type: "contains-any", value: ["nope", "never"] },
    error: [{ type: "contains-any" }, { expected: "not a list" }],
  },
  {
    pass: { type: "contains-all", value: ["home", "gift"] },
    fail: { type: "contains-all", value: ["home", "sale"] },
    error: [{ type: "contains-all" }, { expected: undefined }],
  },
  {
    pass: { type: "regex", path: "output.email", value: "^[^@]+@[^@]+\\.[a-z]+$" },
    fail: { type: "regex", path: "output.name", value: "^\\d+$" },
    error: [{ type: "regex", value: "(a)\\1" }],
  },
  {
    pass: { type: "starts-with", path: "output.name", value: "Yoga" },
    fail: { type: "starts-with", path: "output.name" },
    error: [{ type: "starts-with" }, { expected: undefined }],
  },
  { pass: { type: "is-json" }, fail: { type: "is-json", path: "output.name" }, error: [{ type: "is-json", path: "$eval('1')" }] },
  {
    pass: { type: "json-schema", schema: { type: "object", required: ["price"], properties: { price: { type: "number" } } } },
    fail: { type: "json-schema", schema: { type: "object", required: ["sku"] } },
    error: [{ type: "json-schema" }],
  },
  {
    pass: { type: "expression", value: "output.price > 0 and input.sku = expected" },
    fail: { type: "expression", value: "$count(output.tags) > 5" },
    error: [{ type: "expression", value: "output.name" }],
  },
  {
    pass: { type: "similar", path: "output.name", value: "Yoga Mat WM-2" },
    fail: { type: "similar", path: "output.name", value: "Coffee" },
    error: [{ type: "similar" }, { expected: undefined }],
  },
  { pass: { type: "latency", value: 200 }, fail: { type: "latency", value: 100 }, error: [{ type: "latency", value: 100, path: "(" }] },
  { pass: { type: "cost", value: 0.01 }, fail: { type: "cost", value: 0.001 }, error: [{ type: "cost", value: 1, path: "(" }] },
  { pass: { type: "tokens", value: 150 }, fail: { type: "tokens", value: 149 }, error: [{ type: "tokens", value: 1, path: "(" }] },
  {
    pass: { type: "critique-pass" },
    fail: { type: "critique-pass", node: "check" },
    error: [{ type: "critique-pass", node: "other" }],
  },
  {
    pass: { type: "llm-rubric", value: "describes a product" },
    fail: { type: "llm-rubric", value: "is poetry" },
    error: [{ type: "llm-rubric", value: "anything" }],
  },
];

const judge: Judge = async (req) => (req.rubric === "is poetry" ? { score: 0.2, reason: "not poetry" } : { score: 0.9, reason: "a product" });

describe("evaluators", () => {
  for (const c of CASES) {
    describe(c.pass.type, () => {
      it("passes", async () => {
        const r = await runEvaluator(c.pass, ctx(), { judge });
        expect(r, r.reason).toMatchObject({ pass: true, type: c.pass.type });
        expect(r.error).toBeUndefined();
        expect(r.score).toBeGreaterThan(0.5);
      });
      it("fails", async () => {
        const failCtx =
          c.fail.type === "critique-pass" ? ctx({ run: run({ critiques: [{ node: "check", attempts: 1, passed: false, exhausted: true }] }) }) : ctx();
        const r = await runEvaluator(c.fail, failCtx, { judge });
        expect(r.pass, r.reason).toBe(false);
        expect(r.error).toBeUndefined();
        expect(r.score).toBeLessThan(c.fail.type === "similar" || c.fail.type === "llm-rubric" ? 0.5 : 0.01);
      });
      it("is an error, never a pass, when it cannot run", async () => {
        const [ev, over] = c.error;
        const r = await runEvaluator(ev, ctx(over), {});
        expect(r.pass).toBe(false);
        expect(r.score).toBe(0);
        expect(r.error, r.reason).toBeTruthy();
      });
    });
  }

  it("`not` inverts the score and the verdict, but never an error", async () => {
    const inv = await runEvaluator({ type: "contains", value: "zzz", not: true }, ctx());
    expect(inv).toMatchObject({ pass: true, score: 1 });
    expect(inv.reason).toMatch(/^not: /);
    expect(await runEvaluator({ type: "expression", value: "output.name", not: true }, ctx())).toMatchObject({ pass: false, score: 0 });
  });

  it("thresholds: 1 for 0/1 evaluators, 0.5 for scored ones, or as configured", async () => {
    const sim = (threshold?: number) =>
      runEvaluator({ type: "similar", value: "abcdefghij", path: "'abcdeXXXXX'", ...(threshold ? { threshold } : {}) }, ctx());
    expect(await sim()).toMatchObject({ pass: true, score: 0.5 });
    expect((await sim(0.6)).pass).toBe(false);
    expect(await runEvaluator({ type: "expression", value: "0.4" }, ctx())).toMatchObject({ pass: false, score: 0.4 });
  });

  it("a failed run fails every evaluator with the run's error as the reason", async () => {
    const failed = ctx({ output: undefined, run: run({ status: "failed", error: { code: "E_BACKEND_FAILED", message: "down" } }) });
    const rs = await evaluateRecord([{ type: "is-json" }, { type: "latency", value: 1e6, not: true }], failed);
    expect(rs.map((r) => [r.pass, r.reason])).toEqual([
      [false, "the run failed (E_BACKEND_FAILED: down)"],
      [false, "the run failed (E_BACKEND_FAILED: down)"],
    ]);
  });

  it("json-schema defaults to the output node's shape; a judge that throws is an error", async () => {
    const schema = { type: "object", required: ["missing"] };
    expect((await runEvaluator({ type: "json-schema" }, ctx(), { defaultSchema: schema })).pass).toBe(false);
    const down: Judge = async () => {
      throw new Error("judge backend down");
    };
    expect(await runEvaluator({ type: "llm-rubric", value: "x" }, ctx(), { judge: down })).toMatchObject({ pass: false, error: "judge backend down" });
  });

  it("similarity is normalised Levenshtein", () => {
    expect(similarity("kitten", "sitting")).toBeCloseTo(1 - 3 / 7);
    expect(similarity("", "")).toBe(1);
    expect(similarity("abc", "")).toBe(0);
  });
});

describe("checkEvaluators", () => {
  it("names the field of every problem with E_EVALUATOR", () => {
    const { evaluators, diagnostics } = checkEvaluators([
      { type: "contains", value: "x" },
      { type: "nope" },
      { type: "regex", value: "(?=a)" },
      { type: "expression", value: "a +" },
      { type: "latency" },
      { type: "contains", value: "y" },
      { type: "equals", extra: 1 },
    ]);
    expect(evaluators).toHaveLength(1);
    expect(diagnostics.map((d) => [d.code, d.path])).toEqual([
      ["E_EVALUATOR", "evaluation.evaluators[1].type"],
      ["E_EVALUATOR", "evaluation.evaluators[2].value"],
      ["E_EVALUATOR", "evaluation.evaluators[3].value"],
      ["E_EVALUATOR", "evaluation.evaluators[4].value"],
      ["E_EVALUATOR", "evaluation.evaluators[5].name"],
      ["E_EVALUATOR", "evaluation.evaluators[6]"],
    ]);
  });
});
