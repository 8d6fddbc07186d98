import { type NodeKind, BraidError, complexityScore, emptyRefs, isTruthy, stringifyValue } from "@braid/core";
import { z } from "zod";
import { BackendName, BranchId, BranchRef, Template } from "./shared.js";
import { fact, summarise } from "./summary.js";

const Branch = z.object({
  id: BranchId,
  label: z.string().optional(),
  when: z.string().optional().describe("JSONata condition over the state (rules strategy)"),
  weight: z.number().min(0).optional().describe("Relative weight (weighted strategy)"),
  upTo: z.number().min(0).max(10).optional().describe("Highest complexity score for this branch (complexity strategy)"),
});

const Config = z
  .object({
    strategy: z.enum(["rules", "complexity", "classifier", "weighted"]).describe("How the branch is chosen"),
    branches: z.array(Branch).min(1, "a route needs at least one branch").meta({ widget: "branches" }),
    default: BranchRef.describe("Branch taken when nothing else matches"),
    subject: Template.optional().describe("Template of what complexity/classifier look at (default {{input}})"),
    rules: z.array(z.string()).optional().describe("Validation rules: each adds a point of complexity"),
    backend: BackendName.optional().describe("The classifier's backend"),
    prompt: Template.optional().describe("Classifier instructions"),
    maxIterations: z.number().int().min(1).max(1000).optional().describe("Loop bound: after this many visits the route takes exitBranch"),
    exitBranch: BranchRef.optional(),
  })
  .superRefine((c, ctx) => {
    const ids = c.branches.map((b) => b.id);
    const dup = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dup) ctx.addIssue({ code: "custom", message: `branch id "${dup}" is used twice`, path: ["branches"] });
    if (!ids.includes(c.default))
      ctx.addIssue({ code: "custom", message: `default "${c.default}" is not one of the branches (${ids.join(", ")})`, path: ["default"] });
    if (c.strategy === "classifier" && !c.backend) ctx.addIssue({ code: "custom", message: "the classifier strategy needs a backend", path: ["backend"] });
    if (c.strategy === "weighted" && !c.branches.some((b) => (b.weight ?? 1) > 0))
      ctx.addIssue({ code: "custom", message: "at least one branch needs a weight above 0", path: ["branches"] });
    if (c.maxIterations !== undefined && (!c.exitBranch || !ids.includes(c.exitBranch))) {
      ctx.addIssue({ code: "custom", message: "maxIterations needs exitBranch: the branch taken once the bound is reached", path: ["exitBranch"] });
    }
  });
type Config = z.infer<typeof Config>;

/** Picks exactly one branch and records why. */
export const routeKind: NodeKind<Config> = {
  kind: "route",
  title: "Route",
  description: "Picks one branch: ordered rules, a complexity score, an LLM classifier, or a seeded weighted choice.",
  configSchema: Config,
  defaults: () => ({
    strategy: "complexity",
    branches: [{ id: "fast", upTo: 3 }, { id: "quality", upTo: 7 }, { id: "premium" }],
    default: "premium",
  }),
  branches: (c) => c.branches.map((b) => b.id),
  boundsCycleThrough: (c, branch) => (c.maxIterations !== undefined && branch !== c.exitBranch ? c.maxIterations : undefined),
  summary: (c) => summarise(c, "prompt", [fact.strategy, fact.loopBound]),
  refs(c) {
    const refs = emptyRefs();
    c.branches.forEach((b, i) => {
      if (b.when !== undefined && c.strategy === "rules") refs.expressions.push({ field: `branches[${i}].when`, text: b.when });
    });
    if (c.subject !== undefined) refs.templates.push({ field: "subject", text: c.subject });
    if (c.prompt !== undefined) refs.templates.push({ field: "prompt", text: c.prompt });
    if (c.backend && c.strategy === "classifier") refs.backends.push({ field: "backend", name: c.backend });
    return refs;
  },
  outputKeys: () => ["branch", "reason", "score"],
  async execute(ctx) {
    const c = ctx.config;
    const decided = await decide(ctx, c);
    ctx.emit({ type: "route_decided", branch: decided.branch, reason: decided.reason });
    const output: Record<string, unknown> = { branch: decided.branch, reason: decided.reason };
    if (decided.score !== undefined) output.score = decided.score;
    return { output, branch: decided.branch, reason: decided.reason };
  },
  // The simulated classifier: simple subjects land on the first label, complex ones on the last.
  simulate(req, sim) {
    const task = req.task as { labels?: unknown[]; subject?: unknown };
    const c = sim.complexityOf(sim.parseMaybe(task.subject));
    const labels = (task.labels ?? []).filter((l): l is string => typeof l === "string");
    // Saturating map: simple records land on the first label, deep ones on the last,
    // without needing to know how many labels there are in advance.
    const idx = Math.min(labels.length - 1, Math.floor((c.score / (c.score + 8)) * labels.length));
    const label = labels[Math.max(0, idx)] ?? "";
    return JSON.stringify({ label, reason: `complexity ${c.score} (${c.fields} fields, depth ${c.depth}, ${c.arrays} arrays) maps to "${label}"` });
  },
  diagram: { shape: "rhombus", icon: "⋔", colour: "#8e4ec6", style: "fill:#f3f0ff,stroke:#7048e8,color:#25124f" },
  recognises: ["rhombus"],
  // A branch per distinct edge label (or per unlabelled edge), with no conditions yet.
  fromDiagram(d) {
    const branches: Array<{ id: string; label?: string }> = [];
    const byLabel = new Map<string, string>();
    const taken = new Set<string>();
    const assigned = d.outgoing.map((e) => {
      const existing = e.label === undefined ? undefined : byLabel.get(e.label);
      if (existing !== undefined) return existing;
      const id = uniqueId(e.label === undefined ? `branch_${branches.length + 1}` : branchIdOf(e.label), taken);
      if (e.label !== undefined) byLabel.set(e.label, id);
      branches.push(e.label === undefined || e.label === id ? { id } : { id, label: e.label });
      return id;
    });
    const first = branches[0]?.id;
    const list = branches.map((b) => JSON.stringify(b.id)).join(", ") || "none";
    return {
      config: { strategy: "rules", branches, ...(first !== undefined ? { default: first } : {}) },
      note: `${d.name}: ${d.how} with strategy "rules", branches ${list} without conditions${first !== undefined ? `, default ${JSON.stringify(first)}` : ""}`,
      branches: assigned,
    };
  },
};

/** A branch id from an edge label: letters, digits, `_` and `-`, starting with a letter. */
function branchIdOf(label: string): string {
  const base = label.replace(/[^A-Za-z0-9_-]+/g, "_").replace(/^_+|_+$/g, "");
  if (base === "") return "branch";
  return /^[A-Za-z]/.test(base) ? base : `b_${base}`;
}

function uniqueId(base: string, used: Set<string>): string {
  let id = base;
  for (let n = 2; used.has(id); n++) id = `${base}_${n}`;
  used.add(id);
  return id;
}

type Decision = { branch: string; reason: string; score?: number };

async function decide(ctx: Parameters<NodeKind<Config>["execute"]>[0], c: Config): Promise<Decision> {
  if (c.maxIterations !== undefined && c.exitBranch && ctx.visit >= c.maxIterations) {
    return { branch: c.exitBranch, reason: `loop bound reached: ${c.maxIterations} iterations` };
  }
  switch (c.strategy) {
    case "rules": {
      for (const b of c.branches) {
        if (b.when === undefined || b.when.trim() === "") continue;
        let v: unknown;
        try {
          v = await ctx.evaluate(b.when);
        } catch (err) {
          // Coded errors (a size limit) keep their code; anything else is the expression's fault.
          const code = err instanceof BraidError ? err.code : "E_EXPRESSION";
          throw new BraidError(code, `branch "${b.id}": ${(err as Error).message}`, { nodeId: ctx.node.id });
        }
        if (isTruthy(v)) return { branch: b.id, reason: `rule for "${b.id}" matched: ${b.when}` };
      }
      return { branch: c.default, reason: "no rule matched; took the default" };
    }
    case "complexity": {
      const subject = await ctx.value(c.subject ?? "{{input}}");
      const s = complexityScore(subject, c.rules?.length ?? 0);
      const parts = `fields ${s.fields}, depth ${s.depth}, arrays ${s.arrays ? "yes" : "no"}, rules ${s.rules}`;
      for (const b of c.branches) {
        if (b.upTo !== undefined && s.score <= b.upTo) return { branch: b.id, reason: `complexity ${s.score} ≤ ${b.upTo} (${parts})`, score: s.score };
      }
      return { branch: c.default, reason: `complexity ${s.score} above every threshold (${parts})`, score: s.score };
    }
    case "classifier": {
      const subject = await ctx.value(c.subject ?? "{{input}}");
      const labels = c.branches.map((b) => b.id);
      const instructions = c.prompt ? await ctx.render(c.prompt) : "Classify the request.";
      const res = await ctx.llm(c.backend as string, {
        system: "You are a router. Reply with JSON only.",
        prompt: `${instructions}\nLabels: ${c.branches.map((b) => (b.label ? `${b.id} (${b.label})` : b.id)).join(", ")}\nRequest:\n${stringifyValue(subject)}\nReply as JSON: {"label": "<one label>", "reason": "<why>"}`,
        json: { shape: { label: "string", reason: "string" } },
        temperature: 0,
        task: { type: "classify", labels, subject },
      });
      const picked = res.json as { label: string; reason: string };
      if (labels.includes(picked.label)) return { branch: picked.label, reason: `classifier: ${picked.reason}` };
      return { branch: c.default, reason: `classifier answered "${picked.label}", which is not a branch; took the default` };
    }
    case "weighted": {
      const weights = c.branches.map((b) => Math.max(0, b.weight ?? 1));
      const total = weights.reduce((a, b) => a + b, 0);
      const r = ctx.random() * total;
      let acc = 0;
      for (let i = 0; i < c.branches.length; i++) {
        acc += weights[i] as number;
        if (r < acc) return { branch: (c.branches[i] as { id: string }).id, reason: `weighted draw ${(r / total).toFixed(3)} (weights ${weights.join("/")})` };
      }
      return { branch: c.default, reason: "weighted draw fell through; took the default" };
    }
  }
}
