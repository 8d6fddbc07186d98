import { type NodeKind, stringifyValue, validateAgainstSchema, BraidError, emptyRefs } from "@braid/core";
import { z } from "zod";
import { BackendName, JsonSchemaObject, NodeRef, Template } from "./shared.js";
import { generateKind } from "./generate.js";
import { fact, summarise } from "./summary.js";

const BRANCHES = ["pass", "fail", "exhausted"] as const;

const Config = z
  .object({
    backend: BackendName.optional().describe("The judge; optional when only a schema is checked"),
    target: NodeRef.describe("The node whose output is evaluated"),
    rubric: z.array(z.string().min(1)).optional().describe("What a good output satisfies, one rule per line"),
    schema: JsonSchemaObject.optional().describe("JSON Schema the target's output must satisfy (checked without an LLM)"),
    threshold: z.number().min(0).max(1).default(0.8).describe("Minimum score to pass (0..1)"),
    maxAttempts: z.number().int().min(1).max(100).default(3).describe("Evaluations at most; the last failing one takes 'exhausted'"),
    prompt: Template.optional().describe("Extra instructions for the judge"),
    passWithIssues: z
      .boolean()
      .optional()
      .describe("Pass on the score alone even when the judge lists issues (they stay in the output as advice); off by default"),
  })
  .refine((c) => (c.rubric?.length ?? 0) > 0 || c.schema !== undefined, { message: "give a rubric, a schema, or both", path: ["rubric"] })
  .refine((c) => !((c.rubric?.length ?? 0) > 0 && !c.backend), { message: "a rubric is judged by an LLM: choose a backend", path: ["backend"] });
type Config = z.infer<typeof Config>;

const JUDGE_SHAPE = { score: 0, issues: ["string"] };

/**
 * Scores a target's output (LLM-judged rubric and/or deterministic JSON Schema) and branches:
 * `pass`, `fail` while evaluations remain, `exhausted` on the last failing one.
 */
export const critiqueKind: NodeKind<Config> = {
  kind: "critique",
  title: "Critique",
  description: "Scores a node's output against a rubric and/or JSON Schema; branches pass / fail / exhausted.",
  configSchema: Config,
  defaults: (p) => ({
    backend: "validator",
    target: p.nodes.find((n) => n.kind === "generate")?.id ?? "",
    rubric: ["is complete and realistic"],
    threshold: 0.8,
    maxAttempts: 3,
  }),
  branches: () => [...BRANCHES],
  // With one evaluation, a failing result is already the last one: `fail` is never taken.
  optionalBranches: (c) => (c.maxAttempts === 1 ? ["fail"] : []),
  boundsCycleThrough: (c, branch) => (branch === "fail" ? c.maxAttempts : undefined),
  summary: (c) => summarise(c, "prompt", [fact.checks, fact.passBound, fact.rubric, fact.schema]),
  refs(c) {
    const refs = emptyRefs();
    refs.nodes.push({ field: "target", id: c.target });
    if (c.backend) refs.backends.push({ field: "backend", name: c.backend });
    if (c.prompt !== undefined) refs.templates.push({ field: "prompt", text: c.prompt });
    return refs;
  },
  outputKeys: () => ["score", "passed", "issues", "attempt"],
  async prepare(ctx) {
    const c = ctx.config;
    if (!c.rubric?.length || !c.backend) return {};
    return { backend: c.backend, prompt: await judgePrompt(ctx.config, ctx.state[c.target], ctx.render) };
  },
  async execute(ctx, prepared) {
    const c = ctx.config;
    const subject = ctx.state[c.target];
    if (subject === undefined) {
      throw new BraidError("E_TEMPLATE_RUNTIME", `critique target "${c.target}" has no output yet; connect it upstream of this critique`, {
        nodeId: ctx.node.id,
      });
    }
    const attempt = (ctx.meta[ctx.node.id]?.attempts ?? 0) + 1;
    const issues: string[] = [];
    let judged: Judgement | undefined;
    let score = 1;
    if (c.schema) {
      const problems = validateAgainstSchema(c.schema, subject);
      issues.push(...problems.map((p) => `schema: ${p}`));
      if (problems.length) score = Math.max(0, 1 - 0.25 * problems.length);
    }
    if (c.rubric?.length && c.backend) {
      const res = await ctx.llm(c.backend, {
        system: "You are a strict reviewer. Reply with JSON only.",
        prompt: prepared.prompt ?? "",
        json: { shape: JUDGE_SHAPE },
        temperature: 0,
        task: { type: "critique", subject, rubric: c.rubric },
      });
      judged = readJudgement(res.json, ctx.node.id);
      score = Math.min(score, judged.score);
      issues.push(...judged.issues);
    }
    score = Math.round(score * 1000) / 1000;
    // The score alone does not pass: a schema problem, a listed issue (unless allowed) or the
    // judge's own `passed: false` each keep the critique from passing.
    const blocked = issues.some((i) => i.startsWith("schema:"))
      ? "schema problems"
      : judged?.issues.length && !c.passWithIssues
        ? `the judge listed ${judged.issues.length} issue${judged.issues.length === 1 ? "" : "s"}`
        : judged?.verdict === false
          ? "the judge answered passed: false"
          : undefined;
    const passed = score >= c.threshold && blocked === undefined;
    const branch = passed ? "pass" : attempt >= c.maxAttempts ? "exhausted" : "fail";
    const why = score < c.threshold ? `score ${score} < ${c.threshold}` : `score ${score} ≥ ${c.threshold} but ${blocked}`;
    // How an off-scale score was read shows wherever the verdict does.
    const readAs = judged?.readAs ? ` (${judged.readAs})` : "";
    const summary = `${passed ? `score ${score} ≥ ${c.threshold}` : why}${readAs}`;
    const reason = passed ? summary : `${why} on attempt ${attempt} of ${c.maxAttempts}${readAs}`;
    ctx.emit({
      type: "loop_iteration",
      attempt,
      maxAttempts: c.maxAttempts,
      passed,
      branch,
      metrics: { score },
      summary,
    });
    return { output: { score, passed, issues, attempt }, branch, reason, meta: { attempts: attempt, score, passed, subject: c.target } };
  },
  // The simulated judge finds the defects the simulated drafts carry.
  simulate(req, sim) {
    const task = req.task as { subject?: unknown; rubric?: string[] };
    const issues = sim.findDefects(sim.parseMaybe(task.subject), task.rubric ?? []);
    const n = issues.length;
    const raw = n > 0 ? Math.max(0, 1 - 0.25 * n - sim.rng() * 0.05) : 0.9 + sim.rng() * 0.1;
    return JSON.stringify({ score: Math.round(raw * 100) / 100, passed: n === 0, issues });
  },
  diagram: { shape: "hexagon", icon: "✓", colour: "#e5631a", style: "fill:#fff9db,stroke:#f59f00,color:#4a3500" },
  recognises: ["hexagon"],
  // Branches from edge labels; the target is a predecessor that is not its corrector.
  fromDiagram(d) {
    const q = JSON.stringify;
    const edgeNotes: string[] = [];
    const branches = d.outgoing.map((e) => {
      const key = e.label?.toLowerCase().trim();
      const branch = key !== undefined && Object.hasOwn(LABEL_BRANCHES, key) ? LABEL_BRANCHES[key] : undefined;
      if (branch === undefined || branch !== key) {
        const what = branch === undefined ? "has no pass/fail/exhausted label; left without a branch" : `label ${q(e.label)} read as ${q(branch)}`;
        edgeNotes.push(`edge ${q(e.from)} → ${q(e.to)}: ${what}`);
      }
      return branch;
    });
    const correctors = new Set(d.outgoing.filter((_, i) => branches[i] === "fail").map((e) => e.to));
    const preds = d.incoming.map((e) => e.from);
    const target = preds.find((p) => !correctors.has(p)) ?? preds[0];
    // A generate node on the fail branch that feeds back into the critique is its corrector.
    const give: Record<string, Record<string, unknown>> = {};
    for (const id of correctors) {
      if (target && id !== target && d.kindOf(id) === generateKind.kind && preds.includes(id)) give[id] = { revises: target };
    }
    return {
      config: { backend: "validator", ...(target ? { target } : {}), rubric: ["TODO"], threshold: 0.8, maxAttempts: 3 },
      note: `${d.name}: ${d.how} ${target ? `checking ${q(target)}` : "with no target"}; placeholder backend "validator", rubric ["TODO"], threshold 0.8, maxAttempts 3`,
      branches,
      edgeNotes,
      give,
    };
  },
};

/** Edge labels a hand-written flowchart uses for a critique's branches. */
const LABEL_BRANCHES: Record<string, "pass" | "fail" | "exhausted"> = {
  pass: "pass",
  passed: "pass",
  ok: "pass",
  yes: "pass",
  valid: "pass",
  good: "pass",
  accept: "pass",
  fail: "fail",
  failed: "fail",
  no: "fail",
  retry: "fail",
  invalid: "fail",
  bad: "fail",
  revise: "fail",
  reject: "fail",
  exhausted: "exhausted",
  "give up": "exhausted",
  "max attempts": "exhausted",
  timeout: "exhausted",
};

/** What a judge's answer says: a 0..1 score, its issues, its own verdict, and how the score was read. */
export interface Judgement {
  score: number;
  issues: string[];
  verdict?: boolean;
  /** Set when the score was not on 0..1, e.g. `judge score 4 read as 4/10`. */
  readAs?: string;
}

const SCALE_KEYS = ["scale", "max", "maxScore", "outOf", "out_of"] as const;
const ISSUE_KEYS = ["issues", "problems", "violations", "errors"] as const;

/**
 * Reads the judge's JSON. Models asked for 0..1 often answer on a scale of their own (4 of 10, 90
 * of 100): a score is divided by the scale the answer names (`scale`, `max`, `outOf`, or a text such
 * as "0-10"), else by the evident one (≤ 1 as is, ≤ 10 → /10, ≤ 100 → /100). Reading 4 as 4/10
 * rather than 4/5 errs towards failing, which costs a retry, never a false pass. A score that fits
 * no scale (negative, above 100 or above the named scale, not a number) is E_OUTPUT_SHAPE naming
 * the node: guessing there would turn a broken judge into a verdict.
 */
export function readJudgement(answer: unknown, nodeId: string): Judgement {
  const bad = (what: string): BraidError =>
    new BraidError("E_OUTPUT_SHAPE", `critique "${nodeId}": the judge's ${what}; expected {"score": <0..1>, "issues": [...]}`, { nodeId });
  if (answer === null || typeof answer !== "object" || Array.isArray(answer)) throw bad("answer is not a JSON object");
  const a = answer as Record<string, unknown>;
  const raw = a.score;
  if (raw === undefined) throw bad("answer has no score");
  if (typeof raw !== "number" || !Number.isFinite(raw)) throw bad(`score ${JSON.stringify(raw)} is not a finite number`);
  const named = SCALE_KEYS.map((k) => scaleOf(a[k])).find((m) => m !== undefined);
  const scale = named ?? (raw <= 1 ? 1 : raw <= 10 ? 10 : raw <= 100 ? 100 : undefined);
  if (raw < 0 || scale === undefined || raw > scale)
    throw bad(`score ${raw} is outside ${named ? `its scale 0..${named}` : "any scale (0..1, 0..10, 0..100)"}`);
  const issueKey = ISSUE_KEYS.find((k) => a[k] !== undefined);
  const list = issueKey === undefined ? [] : Array.isArray(a[issueKey]) ? (a[issueKey] as unknown[]) : [a[issueKey]];
  // Blank entries ("", null) are no issue; anything else is one, in its own words.
  const issues = list.filter((i) => i !== null && !(typeof i === "string" && i.trim() === "")).map((i) => (typeof i === "string" ? i : JSON.stringify(i)));
  return {
    score: raw / scale,
    issues,
    ...(typeof a.passed === "boolean" ? { verdict: a.passed } : {}),
    ...(scale !== 1 ? { readAs: `judge score ${raw} read as ${raw}/${scale}` } : {}),
  };
}

/** A positive scale maximum: a number, or the last number of a text such as "0-10", "1..5", "out of 100". */
function scaleOf(v: unknown): number | undefined {
  const n = typeof v === "number" ? v : typeof v === "string" ? Number(/(\d+(?:\.\d+)?)\D*$/.exec(v)?.[1]) : Number.NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

async function judgePrompt(c: Config, subject: unknown, render: (t: string) => Promise<string>): Promise<string> {
  const extra = c.prompt ? `\n${await render(c.prompt)}` : "";
  return [
    "Evaluate the output below against each rubric rule.",
    `Rubric:\n${(c.rubric ?? []).map((r, i) => `${i + 1}. ${r}`).join("\n")}`,
    `Output:\n${stringifyValue(subject)}`,
    `Reply as JSON: {"score": <a number from 0 to 1>, "issues": ["<one line per problem>"]}; an output that passes has no issues.${extra}`,
  ].join("\n\n");
}
