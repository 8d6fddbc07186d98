/**
 * What an experiment is checked with, and what it is judged by afterwards: its evaluators (the
 * pipeline's `evaluation` section and/or given ones, validated by the library), gates, and the
 * A/B comparison of two experiments over one dataset version.
 */
import {
  type BackendPool,
  BraidError,
  type Comparison,
  type Diagnostic,
  type EvaluatorConfig,
  GATE_METRICS,
  type GateResult,
  type Pipeline,
  type RecordResult,
  checkEvaluators,
  checkGate,
  compareExperiments,
  evaluateGate,
  evaluationOf,
  evaluatorName,
  isPlainObject,
  selectBestWinRate,
} from "@braid/engine";
import type { ExperimentRecord, ExperimentRecordRow } from "../store/experiments.js";
import { poolPickJudge } from "./judge.js";

/** The most gates one request may check. */
export const MAX_GATES = 50;

function fail(diagnostics: Diagnostic[]): never {
  const code = diagnostics.some((d) => d.code === "E_EVALUATOR") ? "E_EVALUATOR" : "E_GATE";
  throw new BraidError(code, diagnostics.map((d) => d.message).join("; "), { details: { diagnostics } });
}

/** The evaluators and section gates of an experiment, or E_EVALUATOR / E_GATE naming the field. */
export function resolveEvaluators(pipeline: Pipeline, given: unknown, useSection: boolean): { evaluators: EvaluatorConfig[]; gates: string[] } {
  const section = useSection ? evaluationOf(pipeline) : { evaluators: [], gates: [], diagnostics: [] };
  if (section.diagnostics.length > 0) fail(section.diagnostics);
  const extra = given === undefined ? { evaluators: [], diagnostics: [] } : checkEvaluators(given, "evaluators");
  const list = Array.isArray(given) ? given : [];
  list.forEach((ev, i) => {
    const node = isPlainObject(ev) && ev.type === "critique-pass" ? ev.node : undefined;
    if (typeof node === "string" && !pipeline.nodes.some((n) => n.id === node))
      extra.diagnostics.push({
        code: "E_EVALUATOR",
        severity: "error",
        path: `evaluators[${i}].node`,
        message: `evaluators[${i}].node: no node is named "${node}"`,
      });
  });
  if (extra.diagnostics.length > 0) fail(extra.diagnostics);
  const evaluators = [...section.evaluators, ...extra.evaluators];
  if (evaluators.length === 0) throw new BraidError("E_EVALUATOR", "evaluators: none given, and the pipeline has no `evaluation` section (or it was not used)");
  const names = evaluators.map(evaluatorName);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new BraidError("E_EVALUATOR", `evaluators: "${twice}" is the name of a pipeline evaluator and a given one; give one a distinct name`);
  return { evaluators, gates: section.gates };
}

/** Gates over a completed experiment's metrics (and a baseline's, for `baseline.`); every gate is checked before any is evaluated. */
export function runGates(gates: unknown, e: ExperimentRecord, baseline?: ExperimentRecord): GateResult[] {
  if (!Array.isArray(gates) || gates.length === 0 || gates.length > MAX_GATES || !gates.every((g) => typeof g === "string"))
    throw new BraidError("E_GATE", `gates: must be a list of 1 to ${MAX_GATES} gate expressions such as "score >= 0.8"`);
  const evaluators = e.spec.evaluators.map(evaluatorName);
  for (const g of gates) checkGate(g, { metrics: GATE_METRICS, evaluators, baseline: baseline !== undefined });
  if (!e.metrics) throw new BraidError("E_EXPERIMENT_STATE", `experiment "${e.id}" is ${e.status}; gates need a completed experiment`);
  if (baseline && !baseline.metrics)
    throw new BraidError("E_EXPERIMENT_STATE", `baseline experiment "${baseline.id}" is ${baseline.status}; gates need a completed experiment`);
  return gates.map((g) => evaluateGate(g, e.metrics as NonNullable<ExperimentRecord["metrics"]>, baseline?.metrics));
}

export interface ExperimentComparison extends Comparison {
  candidate: string;
  baseline: string;
  /** Run ids of the records that disagree, to open both in the trace view. */
  runs: Record<number, { candidate?: string; baseline?: string }>;
  gates?: GateResult[];
}

const results = (rows: ExperimentRecordRow[]): RecordResult[] => rows.map((r) => r.result).filter((r): r is RecordResult => r !== undefined);

/**
 * A (candidate) against B (baseline): the library's paired-bootstrap comparison and per-record
 * disagreements (largest first), `select-best` win rate when either has that evaluator, and gates
 * with `baseline.` read from B.
 */
export async function compareTwo(
  a: ExperimentRecord,
  b: ExperimentRecord,
  rows: { a: ExperimentRecordRow[]; b: ExperimentRecordRow[] },
  inputs: unknown[],
  pool: BackendPool,
  opts: { gates?: string[]; limit?: number } = {},
): Promise<ExperimentComparison> {
  for (const e of [a, b])
    if (e.status !== "completed") throw new BraidError("E_EXPERIMENT_STATE", `experiment "${e.id}" is ${e.status}; compare needs two completed experiments`);
  if (a.datasetHash !== b.datasetHash)
    throw new BraidError(
      "E_DATASET",
      `the experiments ran over different datasets: "${a.id}" over dataset "${a.datasetId}" version ${a.datasetVersion} (hash ${a.datasetHash}, ${a.total} records), "${b.id}" over "${b.datasetId}" version ${b.datasetVersion} (hash ${b.datasetHash}, ${b.total} records); compare experiments over one dataset version`,
    );
  const ra = results(rows.a);
  const rb = results(rows.b);
  const comparison = compareExperiments(ra, rb, { seed: a.spec.seed, ...(opts.limit !== undefined ? { maxDisagreements: opts.limit } : {}) });
  const runs: ExperimentComparison["runs"] = {};
  for (const d of comparison.disagreements) {
    const ca = ra[d.index]?.runId;
    const cb = rb[d.index]?.runId;
    runs[d.index] = { ...(ca ? { candidate: ca } : {}), ...(cb ? { baseline: cb } : {}) };
  }
  const pick = [...a.spec.evaluators, ...b.spec.evaluators].find((e) => e.type === "select-best");
  if (pick?.type === "select-best")
    comparison.selectBest = await selectBestWinRate(ra, rb, inputs, poolPickJudge(pool), {
      seed: a.spec.seed,
      ...(pick.value ? { rubric: pick.value } : {}),
      ...(pick.backend ? { backend: pick.backend } : {}),
    });
  const out: ExperimentComparison = { ...comparison, candidate: a.id, baseline: b.id, runs };
  if (opts.gates && opts.gates.length > 0) out.gates = runGates(opts.gates, a, b);
  return out;
}

/** What clients see of an experiment: its record and, once completed, the pipeline's own gates evaluated. */
export function experimentView(e: ExperimentRecord) {
  const gates =
    e.metrics && e.spec.gates.length > 0 ? e.spec.gates.map((g) => evaluateGate(g, e.metrics as NonNullable<ExperimentRecord["metrics"]>)) : undefined;
  return { ...e, ...(gates ? { gates } : {}) };
}
