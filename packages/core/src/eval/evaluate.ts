import { validateAgainstSchema } from "../format/json-schema.js";
import { stableStringify } from "../json.js";
import { evaluateExpression } from "../template/expression.js";
import { toRe2 } from "../template/regex.js";
import { type EvaluatorConfig, defaultThreshold, evaluatorName } from "./evaluators.js";
import type { RunFacts } from "./run-facts.js";
import { distance } from "fastest-levenshtein";

/** What an evaluator sees of one record (and what `expression` and `path` read). */
export interface EvalContext {
  input: unknown;
  output: unknown;
  expected?: unknown;
  run: RunFacts;
}

export interface EvalResult {
  name: string;
  type: EvaluatorConfig["type"];
  pass: boolean;
  /** 0..1, after `not`. */
  score: number;
  reason: string;
  /** Set when the evaluator could not run (bad expression, judge down): the record fails and counts as an error. */
  error?: string;
}

export interface JudgeRequest {
  rubric: string;
  input: unknown;
  output: unknown;
  expected?: unknown;
  backend?: string;
}
/** An LLM judge: a 0..1 score and why. Injected, so this library stays pure (the CLI wires it to a backend). */
export type Judge = (req: JudgeRequest) => Promise<{ score: number; reason: string }>;

export interface EvaluateOptions {
  judge?: Judge;
  /** `json-schema`'s schema when the evaluator names none: the output node's shape. */
  defaultSchema?: Record<string, unknown>;
}

/** Thrown inside an evaluator when it cannot run; becomes an error result. */
class CannotEvaluate extends Error {}

interface Raw {
  score: number;
  reason: string;
}

/** Every evaluator on one record, in order. `select-best` is pairwise and belongs to comparisons (compare.ts), so it is skipped here. */
export async function evaluateRecord(evaluators: readonly EvaluatorConfig[], ctx: EvalContext, opts: EvaluateOptions = {}): Promise<EvalResult[]> {
  const out: EvalResult[] = [];
  for (const ev of evaluators) if (ev.type !== "select-best") out.push(await runEvaluator(ev, ctx, opts));
  return out;
}

export async function runEvaluator(ev: EvaluatorConfig, ctx: EvalContext, opts: EvaluateOptions = {}): Promise<EvalResult> {
  const head = { name: evaluatorName(ev), type: ev.type };
  if (ctx.run.status === "failed") {
    const e = ctx.run.error;
    return { ...head, pass: false, score: 0, reason: `the run failed${e ? ` (${e.code}: ${e.message})` : ""}` };
  }
  try {
    const raw = await score(ev, ctx, opts);
    if (!Number.isFinite(raw.score) || raw.score < 0 || raw.score > 1) throw new CannotEvaluate(`score ${raw.score} is not between 0 and 1`);
    const s = ev.not ? 1 - raw.score : raw.score;
    const pass = s >= (ev.threshold ?? defaultThreshold(ev.type));
    return { ...head, pass, score: s, reason: ev.not ? `not: ${raw.reason}` : raw.reason };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ...head, pass: false, score: 0, reason: `could not evaluate: ${message}`, error: message };
  }
}

const bool = (ok: boolean, yes: string, no: string): Raw => ({ score: ok ? 1 : 0, reason: ok ? yes : no });

async function score(ev: EvaluatorConfig, ctx: EvalContext, opts: EvaluateOptions): Promise<Raw> {
  const subject = ev.path ? await evaluateExpression(ev.path, ctx) : ctx.output;
  const expect = (v: unknown): unknown => {
    const value = v ?? ctx.expected;
    if (value === undefined) throw new CannotEvaluate("no `value` given and the record has no `expected`");
    return value;
  };
  const strings = (v: unknown): string[] => {
    const value = expect(v);
    if (!Array.isArray(value)) throw new CannotEvaluate(`needs a list of strings; got ${clip(value)}`);
    return value.map(textOf);
  };
  const { run } = ctx;
  switch (ev.type) {
    case "equals": {
      const value = expect(ev.value);
      const same =
        typeof subject === "string" || typeof value === "string" ? textOf(subject) === textOf(value) : stableStringify(subject) === stableStringify(value);
      return bool(same, "equal", `expected ${clip(value)}, got ${clip(subject)}`);
    }
    case "contains":
    case "icontains": {
      const fold = ev.type === "icontains" ? (s: string) => s.toLowerCase() : (s: string) => s;
      const needle = textOf(expect(ev.value));
      return bool(fold(textOf(subject)).includes(fold(needle)), `contains ${clip(needle)}`, `does not contain ${clip(needle)}`);
    }
    case "contains-any": {
      const hay = textOf(subject);
      const hit = strings(ev.value).find((s) => hay.includes(s));
      return bool(hit !== undefined, `contains ${clip(hit)}`, "contains none of the values");
    }
    case "contains-all": {
      const hay = textOf(subject);
      const missing = strings(ev.value).filter((s) => !hay.includes(s));
      return bool(missing.length === 0, "contains every value", `missing ${missing.map((m) => clip(m)).join(", ")}`);
    }
    case "starts-with": {
      const prefix = textOf(expect(ev.value));
      return bool(textOf(subject).startsWith(prefix), `starts with ${clip(prefix)}`, `does not start with ${clip(prefix)}`);
    }
    case "regex": {
      const re = toRe2(new RegExp(ev.value, ev.flags ?? ""));
      return bool(re.matcher(textOf(subject)).find(), `matches /${ev.value}/`, `does not match /${ev.value}/`);
    }
    case "is-json": {
      if (typeof subject !== "string") return bool(subject !== undefined, "is a JSON value", "there is no output");
      try {
        JSON.parse(subject);
        return bool(true, "is JSON text", "");
      } catch (err) {
        return bool(false, "", `is not JSON (${(err as Error).message})`);
      }
    }
    case "json-schema": {
      const schema = ev.schema ?? opts.defaultSchema;
      if (!schema) throw new CannotEvaluate("no `schema` given and the output node's shape is not known");
      const problems = validateAgainstSchema(schema, typeof subject === "string" ? parseOr(subject) : subject);
      return bool(problems.length === 0, "matches the schema", problems.slice(0, 3).join("; "));
    }
    case "expression": {
      const r = await evaluateExpression(ev.value, ctx);
      if (typeof r === "boolean") return bool(r, `${ev.value} is true`, `${ev.value} is false`);
      if (typeof r === "number" && r >= 0 && r <= 1) return { score: r, reason: `${ev.value} = ${r}` };
      throw new CannotEvaluate(`${ev.value} must give true/false or a number from 0 to 1; it gave ${clip(r)}`);
    }
    case "similar": {
      const target = textOf(expect(ev.value));
      const s = similarity(textOf(subject), target);
      return { score: s, reason: `similarity ${round(s)} to ${clip(target)}` };
    }
    case "latency":
      return bool(run.durationMs <= ev.value, `${run.durationMs} ms ≤ ${ev.value} ms`, `${run.durationMs} ms > ${ev.value} ms`);
    case "cost":
      return bool(run.usage.costUsd <= ev.value, `$${run.usage.costUsd} ≤ $${ev.value}`, `$${run.usage.costUsd} > $${ev.value}`);
    case "tokens": {
      const n = run.usage.inputTokens + run.usage.outputTokens;
      return bool(n <= ev.value, `${n} tokens ≤ ${ev.value}`, `${n} tokens > ${ev.value}`);
    }
    case "critique-pass": {
      const list = ev.node ? run.critiques.filter((c) => c.node === ev.node) : run.critiques;
      if (list.length === 0) throw new CannotEvaluate(ev.node ? `critique "${ev.node}" did not run` : "no critique ran");
      const bad = list.filter((c) => !c.passed || c.exhausted);
      const tell = (c: (typeof list)[number]) =>
        `${c.node} ${c.passed && !c.exhausted ? "passed" : c.exhausted ? "exhausted" : "failed"} after ${c.attempts} attempt${c.attempts === 1 ? "" : "s"}`;
      return bool(bad.length === 0, list.map(tell).join(", "), bad.map(tell).join(", "));
    }
    case "llm-rubric": {
      if (!opts.judge) throw new CannotEvaluate("no judge is configured for llm-rubric");
      const v = await opts.judge({
        rubric: ev.value,
        input: ctx.input,
        output: subject,
        expected: ctx.expected,
        ...(ev.backend ? { backend: ev.backend } : {}),
      });
      if (typeof v?.score !== "number") throw new CannotEvaluate("the judge gave no score");
      return { score: v.score, reason: v.reason || `judge score ${round(v.score)}` };
    }
    case "select-best":
      throw new CannotEvaluate("select-best compares two experiments; run it with a baseline");
  }
}

/** Text an evaluator compares: strings as they are, anything else as compact JSON. */
export function textOf(v: unknown): string {
  if (typeof v === "string") return v;
  return v === undefined ? "" : (JSON.stringify(v) ?? "");
}

function parseOr(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

const round = (n: number) => Math.round(n * 1000) / 1000;
const clip = (v: unknown): string => {
  const s = v === undefined ? "nothing" : (JSON.stringify(v) ?? String(v));
  return s.length > 80 ? `${s.slice(0, 80)}…` : s;
};

/** Normalised Levenshtein similarity, 1 − distance / longer length (1 = identical, 0 = nothing in common). */
export function similarity(a: string, b: string): number {
  const longer = Math.max(a.length, b.length);
  return longer === 0 ? 1 : 1 - distance(a, b) / longer;
}
