/**
 * One pipeline's decision in an optimizer cycle, as a pure function of what was measured, so the
 * rules can be read (and tested) in one place. The optimizer carries the decision out.
 */
import type { GateResult } from "@braid/engine";
import type { LiveMetrics } from "./metrics.js";
import { type Policy, evaluateLiveGates, toBaselineGate } from "./policy.js";

export type ActionKind = "none" | "wait" | "rollback" | "rollback-live" | "promote" | "queue-approval";

export interface Decision {
  /** What the cycle did; `stopped` when the kill switch held back `wouldHave`. */
  action: ActionKind | "stopped";
  reason: string;
  wouldHave?: ActionKind;
}

export interface BudgetCheck {
  kind: "usdPerDay" | "usdPer1kRuns";
  budget: number;
  /** Spent in the last 24 h, or the live version's cost per 1,000 runs. */
  actual: number;
  share: number;
}

export interface CycleInput {
  policy: Policy;
  stopped: boolean;
  live: LiveMetrics;
  candidate?: LiveMetrics;
  /** An approval was already asked (or decided) for this candidate version. */
  alreadyAsked: boolean;
}

const fmt = (n: number | undefined) => (n === undefined ? "?" : Number.isInteger(n) ? String(n) : n.toPrecision(4).replace(/\.?0+$/, ""));
const describe = (g: GateResult) => `${g.expr} (${fmt(g.actual)} vs ${fmt(g.threshold)})`;

function judge(input: CycleInput, gates: GateResult[]): { action: ActionKind; reason: string } {
  const { policy, candidate } = input;
  if (!candidate) return { action: "none", reason: "no candidate is tagged" };
  if (candidate.runs < policy.minSamples)
    return { action: "wait", reason: `candidate v${candidate.version} has ${candidate.runs} of ${policy.minSamples} samples` };
  if (gates.length === 0) return { action: "none", reason: "the policy has no gates to judge the candidate by" };
  // A gate that could not be evaluated (no critique ran, say) is no evidence of degradation either way.
  const broken = gates.filter((g) => !g.passed && g.error === undefined);
  if (broken.length > 0) {
    const why = `candidate v${candidate.version} broke ${broken.map(describe).join(", ")} over ${candidate.runs} runs`;
    return policy.rollbackOnDegrade ? { action: "rollback", reason: why } : { action: "none", reason: `${why}; rollbackOnDegrade is off` };
  }
  const unknown = gates.filter((g) => g.error !== undefined);
  if (unknown.length > 0) return { action: "none", reason: `gates could not be evaluated: ${unknown.map((g) => g.error).join("; ")}` };
  const passed = `candidate v${candidate.version} passed every gate over ${candidate.runs} runs`;
  if (policy.autoPromote && !policy.manualApprovalRequired) return { action: "promote", reason: passed };
  if (input.alreadyAsked) return { action: "none", reason: `${passed}; its approval was already asked` };
  return { action: "queue-approval", reason: `${passed}; promotion waits for approval` };
}

/** While stopped, an action is recorded as held back, never taken. */
function hold(stopped: boolean, d: { action: ActionKind; reason: string }): Decision {
  const acts = d.action !== "none" && d.action !== "wait";
  return stopped && acts ? { action: "stopped", reason: `stopped: no action (would ${d.action}: ${d.reason})`, wouldHave: d.action } : d;
}

/** The gates evaluated over the candidate (with `live.` from the live version) and what to do. */
export function decide(input: CycleInput): { gates: GateResult[]; decision: Decision } {
  const gates = input.candidate ? evaluateLiveGates(input.policy.gates, input.candidate, input.live) : [];
  return { gates, decision: hold(input.stopped, judge(input, gates)) };
}

/** Gates that read only the version measured (no `live.`): the ones the live version itself can break. */
export const absoluteGates = (gates: readonly string[]): string[] => gates.filter((g) => !toBaselineGate(g).includes("baseline."));

export interface LiveCheckInput {
  policy: Policy;
  stopped: boolean;
  live: LiveMetrics;
  /** The version that was live before this one, and whether this one came from a rollback. */
  previous?: { version: number; cameByRollback: boolean };
}

function judgeLive(input: LiveCheckInput, gates: GateResult[]): { action: ActionKind; reason: string } {
  const { policy, live, previous } = input;
  if (gates.length === 0 || live.runs < policy.minSamples)
    return { action: "none", reason: `live v${live.version} is not judged (${live.runs} runs, ${gates.length} absolute gates)` };
  const broken = gates.filter((g) => !g.passed && g.error === undefined);
  if (broken.length === 0) return { action: "none", reason: `live v${live.version} passes its gates` };
  const why = `live v${live.version} broke ${broken.map(describe).join(", ")} over ${live.runs} runs`;
  if (!policy.rollbackOnDegrade) return { action: "none", reason: `${why}; rollbackOnDegrade is off` };
  if (!previous) return { action: "none", reason: `${why}; there is no earlier live version to go back to` };
  // One step back at most: if the earlier version is no better (an outage, say), stepping further back would only churn.
  if (previous.cameByRollback) return { action: "none", reason: `${why}; it is already a rollback, so a person decides the next step` };
  return { action: "rollback-live", reason: `${why}; back to v${previous.version}, the version live before it` };
}

/** The live version against the policy's absolute gates: rolled back to the version live before it when it degrades. */
export function decideLive(input: LiveCheckInput): { gates: GateResult[]; decision: Decision } {
  const gates = evaluateLiveGates(absoluteGates(input.policy.gates), input.live, input.live);
  return { gates, decision: hold(input.stopped, judgeLive(input, gates)) };
}

/** Whether spending passed 80 % of a budget the policy sets; the larger share when both are set. */
export function checkBudget(policy: Policy, live: LiveMetrics, spentToday: number): BudgetCheck | undefined {
  const checks: BudgetCheck[] = [];
  const b = policy.budget;
  if (b?.usdPerDay) checks.push({ kind: "usdPerDay", budget: b.usdPerDay, actual: spentToday, share: spentToday / b.usdPerDay });
  if (b?.usdPer1kRuns && live.runs > 0)
    checks.push({ kind: "usdPer1kRuns", budget: b.usdPer1kRuns, actual: live.costPer1k, share: live.costPer1k / b.usdPer1kRuns });
  const worst = checks.sort((a, c) => c.share - a.share)[0];
  return worst && worst.share > 0.8 ? worst : undefined;
}
