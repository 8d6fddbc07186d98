/** What `braid eval` prints: per-evaluator figures, the summary table, the progress bar. */
import type { Comparison, GateResult, RecordResult } from "@braid/engine";
import { duration, money, progressLine } from "../batch/format.js";
import type { BatchProgress } from "../batch/runner.js";
import type { Experiment } from "./runner.js";

export interface EvaluatorSummary {
  name: string;
  type: string;
  passRate: number;
  meanScore: number;
  errors: number;
}

export function evaluatorSummaries(exp: Experiment): EvaluatorSummary[] {
  const by = new Map<string, { type: string; pass: number; score: number; errors: number; n: number }>();
  for (const r of exp.records as RecordResult[])
    for (const e of r.evaluations) {
      const s = by.get(e.name) ?? { type: e.type, pass: 0, score: 0, errors: 0, n: 0 };
      s.n++;
      s.score += e.score;
      if (e.pass) s.pass++;
      if (e.error !== undefined) s.errors++;
      by.set(e.name, s);
    }
  return [...by].map(([name, s]) => ({ name, type: s.type, passRate: s.pass / s.n, meanScore: s.score / s.n, errors: s.errors }));
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const num = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(2) : x.toFixed(3));
const signed = (x: number) => `${x > 0 ? "+" : ""}${num(x)}`;

/** `[######------] 23/50 (46.0%) · 812 rec/s · ETA 1s · 0 failed · $0.0123` */
export function progressBar(p: BatchProgress, width = 24): string {
  const done = p.ok + p.failed + p.badRows;
  const filled = p.total ? Math.min(width, Math.round((done / p.total) * width)) : 0;
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${progressLine(p)}`;
}

export function summaryTable(
  exp: Experiment,
  opts: { dataset: string; elapsedMs: number; simulated: boolean; gates: GateResult[]; comparison?: Comparison; baseline?: string },
): string {
  const m = exp.metrics;
  const out: string[] = [];
  out.push(
    `Experiment "${exp.pipeline}" over ${opts.dataset} (${m.records} records, dataset ${exp.dataset.hash}, seed ${exp.seed}) ${exp.status} in ${duration(opts.elapsedMs)}`,
  );
  out.push(`  score      ${num(m.score)} · pass rate ${pct(m.passRate)} · error rate ${pct(m.errorRate)}`);
  out.push(`  latency    p50 ${duration(m.p50LatencyMs)} · p95 ${duration(m.p95LatencyMs)}`);
  out.push(`  per 1,000  ${money(m.costPer1k)} · ${Math.round(m.tokensPer1k).toLocaleString("en-US")} tokens${opts.simulated ? " (simulated backends)" : ""}`);
  const evs = evaluatorSummaries(exp);
  const w = Math.max(9, ...evs.map((e) => e.name.length));
  out.push(`  ${"evaluator".padEnd(w)}  ${"pass rate".padStart(9)}  ${"mean score".padStart(10)}  ${"errors".padStart(6)}`);
  for (const e of evs) out.push(`  ${e.name.padEnd(w)}  ${pct(e.passRate).padStart(9)}  ${num(e.meanScore).padStart(10)}  ${String(e.errors).padStart(6)}`);
  const c = opts.comparison;
  if (c) {
    out.push(`  comparison with baseline "${opts.baseline ?? "baseline"}" (paired bootstrap, ${c.resamples} resamples, 95% CI)`);
    const mw = Math.max(6, ...c.metrics.map((d) => d.metric.length));
    out.push(`    ${"metric".padEnd(mw)}  ${"this".padStart(9)}  ${"baseline".padStart(9)}  ${"delta".padStart(9)}  ${"95% CI".padEnd(20)}  verdict`);
    for (const d of c.metrics)
      out.push(
        `    ${d.metric.padEnd(mw)}  ${num(d.candidate).padStart(9)}  ${num(d.baseline).padStart(9)}  ${signed(d.delta).padStart(9)}  ${`[${signed(d.ci[0])}, ${signed(d.ci[1])}]`.padEnd(20)}  ${d.verdict}`,
      );
    const sb = c.selectBest;
    if (sb)
      out.push(
        `    select-best: ${sb.winRate === undefined ? "no record could be judged" : `this version preferred on ${pct(sb.winRate)} of ${sb.judged} judged records`}${sb.errors > 0 ? ` · ${sb.errors} judge errors (${sb.firstError})` : ""}`,
      );
    if (c.disagreements.length > 0) {
      out.push(`    largest disagreements (record: this vs baseline score)`);
      for (const d of c.disagreements.slice(0, 5))
        out.push(`      #${d.index}: ${num(d.candidateScore)} vs ${num(d.baselineScore)}${d.candidate.reasons[0] ? ` · ${d.candidate.reasons[0]}` : ""}`);
    }
  }
  if (opts.gates.length > 0) {
    out.push("  gates");
    for (const g of opts.gates) {
      if (g.error) out.push(`    ✘ ${g.expr}: ${g.error}`);
      else
        out.push(
          `    ${g.passed ? "✔" : "✘"} ${g.expr}  (actual ${num(g.actual ?? Number.NaN)}, threshold ${num(g.threshold ?? Number.NaN)}${g.passed ? "" : `, missed by ${num(g.by ?? 0)}`})`,
        );
    }
  }
  return out.join("\n");
}
