/**
 * A pipeline's deployment policy: how much REST traffic its candidate gets, what the optimizer may
 * do on its own, and the gates it judges versions by. Gates use the evaluation gate language over
 * live metrics; `live.x` is the live version's value (the language's `baseline.` prefix).
 */
import { BraidError, type GateResult, checkGate, evaluateGate, parseGate } from "@braid/engine";
import { z } from "zod";
import { MAX_GATES } from "../eval/experiment-checks.js";

/** The metrics a live gate may name (see metrics.ts), besides `passRate("<evaluator>")`. */
export const LIVE_METRICS = [
  "runs",
  "errorRate",
  "p50LatencyMs",
  "p95LatencyMs",
  "meanLatencyMs",
  "costPer1k",
  "critiquePassRate",
  "score",
  "onlineRuns",
  "onlineErrors",
] as const;

export const PolicySchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** Share (0–100) of REST runs without `?version=` sent to the candidate. */
  canaryPercent: z.number().min(0).max(100).default(10),
  autoPromote: z.boolean().default(false),
  rollbackOnDegrade: z.boolean().default(true),
  manualApprovalRequired: z.boolean().default(true),
  /** Candidate runs in the window before the optimizer promotes or rolls back. */
  minSamples: z.number().int().min(1).max(100_000).default(20),
  gates: z.array(z.string().min(1).max(500)).max(MAX_GATES).default([]),
  /** Share (0–1) of live runs the version's `llm-rubric` evaluators judge online; code evaluators score every live run. */
  onlineSample: z.number().min(0).max(1).default(0.1),
  /** Live p95 latency (ms) above which the optimizer tries pruning (an ablation trial over the dataset). */
  latencyTargetMs: z.number().positive().optional(),
  /** A dataset to try suggestions on: with one, a suggestion becomes a new version plus experiments comparing it with live. */
  datasetId: z.string().min(1).max(200).optional(),
  budget: z
    .strictObject({
      usdPerDay: z.number().positive().optional(),
      usdPer1kRuns: z.number().positive().optional(),
    })
    .optional(),
});
export type Policy = z.infer<typeof PolicySchema>;
export type PolicyInput = z.input<typeof PolicySchema>;

export const DEFAULT_POLICY: Policy = PolicySchema.parse({});

const fieldOf = (path: PropertyKey[]): string =>
  path
    .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))
    .join("")
    .replace(/^\./, "") || "policy";

/** `live.x` → `baseline.x`, outside quoted strings, so the evaluation language reads it. */
export function toBaselineGate(expr: string): string {
  return expr.replace(/("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|\blive\./g, (m, quoted: string | undefined) => (quoted ? m : "baseline."));
}

/** Checks one live gate; throws E_POLICY naming `field` and what is wrong. */
export function checkLiveGate(expr: string, field: string): void {
  try {
    // Any `passRate("x")` name is accepted: evaluators belong to pipeline versions, and the candidate a
    // policy will judge may not be saved yet. A name no version in the window has is reported when the
    // gate is evaluated ("could not be evaluated"), which never passes and never rolls back.
    checkGate(toBaselineGate(expr), { metrics: LIVE_METRICS, baseline: true });
  } catch (err) {
    // The gate language calls the prefix `baseline.`; say `live.` back to the user.
    const message = (err as Error).message.replace(/baseline\./g, "live.").replace(" (--baseline)", "");
    throw new BraidError("E_POLICY", `${field}: ${message}`, { details: { field } });
  }
}

/** A policy from outside (HTTP body, tRPC input): defaults filled, every gate checked; E_POLICY naming the first bad field. */
export function parsePolicy(input: unknown): Policy {
  const r = PolicySchema.safeParse(input === undefined ? {} : input);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${fieldOf(i.path)}: ${i.message}`);
    throw new BraidError("E_POLICY", issues.join("; "), { details: { fields: r.error.issues.map((i) => fieldOf(i.path)) } });
  }
  for (const [i, g] of r.data.gates.entries()) checkLiveGate(g, `gates[${i}]`);
  return r.data;
}

/** Evaluates live gates over a version's metrics, with `live.` read from the live version's. */
export function evaluateLiveGates(gates: readonly string[], metrics: object, live: object): GateResult[] {
  return gates.map((g) => {
    const r = evaluateGate(toBaselineGate(g), metrics, live);
    return { ...r, expr: g, ...(r.error ? { error: r.error.replace(/baseline\./g, "live.") } : {}) };
  });
}

export interface NamedGate {
  /** The metric on the left (`errorRate`), with `:2`, `:3` … for later gates on the same metric. */
  name: string;
  expr: string;
  metric?: string;
  cmp?: string;
  /** Set when the right side is a plain number, so the threshold can be changed by name. */
  threshold?: number;
}

/** The policy's gates with names, so `quality-gates/:name` can address one. */
export function namedGates(gates: readonly string[]): NamedGate[] {
  const seen = new Map<string, number>();
  return gates.map((expr, i) => {
    let g: ReturnType<typeof parseGate> | undefined;
    try {
      g = parseGate(toBaselineGate(expr));
    } catch {
      g = undefined;
    }
    const metric = g?.left.t === "metric" && g.left.evaluator === undefined && !g.left.baseline ? g.left.name : undefined;
    const base = metric ?? `gate${i + 1}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    const named: NamedGate = { name: n === 1 ? base : `${base}:${n}`, expr };
    if (metric && g) {
      named.metric = metric;
      named.cmp = g.cmp;
      if (g.right.t === "num") named.threshold = g.right.v;
    }
    return named;
  });
}

/** The gates with the one called `name` changed: its threshold, or the whole expression. */
export function changeGate(
  gates: readonly string[],
  name: string,
  change: { threshold?: number; expr?: string },
): { gates: string[]; before: string; after: string } {
  const named = namedGates(gates);
  const i = named.findIndex((g) => g.name === name);
  const target = named[i];
  if (!target) throw new BraidError("E_POLICY", `gates: no gate is named "${name}"; gates: ${named.map((g) => g.name).join(", ") || "none"}`);
  let after: string;
  if (change.expr !== undefined) after = change.expr;
  else if (change.threshold !== undefined) {
    if (target.threshold === undefined || !target.metric)
      throw new BraidError("E_POLICY", `gates[${i}]: "${target.expr}" is not \`metric <op> number\`; send the whole gate as \`expr\``);
    after = `${target.metric} ${target.cmp} ${change.threshold}`;
  } else throw new BraidError("E_POLICY", "threshold: give a threshold or an expr");
  checkLiveGate(after, `gates[${i}]`);
  const next = [...gates];
  next[i] = after;
  return { gates: next, before: target.expr, after };
}
