/**
 * Online evaluators: every finished live REST run is scored, in the background, by its own
 * pipeline version's `evaluation.evaluators`, and the results are stored for the live metrics
 * (`score`, `passRate("x")`, `onlineRuns` in metrics.ts). Code evaluators score every run; an
 * `llm-rubric` judges only the policy's `onlineSample` share of them, since each judgement is a
 * model call. Nothing here can slow or fail the run: it starts after the run's end is stored and
 * published, and a failure is logged, never thrown.
 */
import { createHash } from "node:crypto";
import {
  type EvaluateOptions,
  type EvaluatorConfig,
  type Judge,
  RunFactsCollector,
  evaluateRecord,
  evaluationOf,
  evaluatorName,
  outputSchemaOf,
} from "@braid/engine";
import type { EventHub } from "../runs/hub.js";
import type { DeploymentStore, OnlineScore } from "../store/deployments.js";
import type { RunStore } from "../store/runs.js";
import { DEFAULT_POLICY, type Policy } from "./policy.js";

/** Types that compare with `value`, else with the record's `expected`: a live run has no expected output. */
const NEEDS_VALUE: ReadonlySet<EvaluatorConfig["type"]> = new Set([
  "equals",
  "contains",
  "icontains",
  "contains-any",
  "contains-all",
  "starts-with",
  "similar",
]);

/**
 * Whether a run is in the judged share: a hash of its id, so the same run always gets the same
 * answer (a second evaluation agrees with the first) and the share holds over many runs.
 */
export function sampled(runId: string, share: number): boolean {
  if (share <= 0) return false;
  if (share >= 1) return true;
  return createHash("sha256").update(runId).digest().readUInt32BE(0) / 2 ** 32 < share;
}

/**
 * A JSONata `path` or `expression` that names `expected`. Read loosely (a string literal that says
 * "expected" counts too): on a live run such an evaluator would fail every run for want of an
 * expected output, and a score dragged down by that could roll back a good version.
 */
const READS_EXPECTED = /\bexpected\b/;

/** The evaluators that can score a live run: none that needs `expected`, no pairwise `select-best`, `llm-rubric` only when judged. */
export function onlineEvaluators(evaluators: readonly EvaluatorConfig[], judged: boolean): EvaluatorConfig[] {
  return evaluators.filter((ev) => {
    if (ev.type === "select-best") return false;
    if (ev.path !== undefined && READS_EXPECTED.test(ev.path)) return false;
    if (ev.type === "expression") return !READS_EXPECTED.test(ev.value);
    if (ev.type === "llm-rubric") return judged;
    return !(NEEDS_VALUE.has(ev.type) && (ev as { value?: unknown }).value === undefined);
  });
}

const CLOSE_WAIT_MS = 5_000;

export interface OnlineDeps {
  hub: EventHub;
  runs: RunStore;
  store: DeploymentStore;
  /** The pipeline's policy (its `onlineSample`). */
  policy: (pipelineId: string) => Promise<Policy>;
  judge: Judge;
  now?: () => number;
  log?: (message: string) => void;
}

export class OnlineEvaluation {
  private readonly unlisten: () => void;
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly deps: OnlineDeps) {
    // Queue mode relays every process's events here too; hasOnlineScores and the idempotent write
    // keep a run from counting twice (a rubric may still be judged twice in a race).
    this.unlisten = deps.hub.listenAll((e) => {
      if (e.event.type === "run_finished" || e.event.type === "run_failed") this.schedule(e.event.runId);
    });
  }

  /**
   * After the current flush returns (a microtask, so the events of other runs are published first)
   * and before any timer: an optimizer cycle that counts the run finds its code evaluators' results.
   */
  private schedule(runId: string): void {
    if (this.closed) return;
    const p: Promise<void> = Promise.resolve()
      .then(() => this.evaluate(runId))
      .then(
        () => undefined,
        (err: unknown) => (this.deps.log ?? console.warn)(`braid: online evaluation of run ${runId} failed: ${(err as Error).message}`),
      )
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  /** Scores one run and stores the results; returns what it stored (nothing for a run that is no live traffic, has no online evaluator, or was scored before). */
  async evaluate(runId: string): Promise<OnlineScore[]> {
    const { runs, store } = this.deps;
    const run = await runs.get(runId);
    if (!run?.options.traffic || run.pipelineId === undefined || run.pipelineVersion === undefined) return [];
    if (run.status !== "completed" && run.status !== "failed") return [];
    const pipelineId = run.pipelineId;
    const { evaluators } = evaluationOf(run.pipeline);
    const chosen = onlineEvaluators(evaluators, sampled(runId, (await this.policyOf(pipelineId)).onlineSample));
    if (chosen.length === 0 || (await store.hasOnlineScores(runId))) return [];
    const facts = new RunFactsCollector();
    for (const e of await runs.events(runId)) facts.observe(e.event);
    const opts: EvaluateOptions = { judge: this.deps.judge };
    const schema = outputSchemaOf(run.pipeline);
    if (schema) opts.defaultSchema = schema;
    // A judge that throws comes back as an error result (runEvaluator catches it), stored like any other.
    const results = await evaluateRecord(chosen, { input: run.input, output: run.output, run: facts.facts() }, opts);
    if (this.closed) return [];
    const weights = new Map(chosen.map((ev) => [evaluatorName(ev), ev.weight ?? 1]));
    const at = (this.deps.now ?? Date.now)();
    const rows = results.map((r) => ({
      runId,
      pipelineId,
      version: run.pipelineVersion as number,
      evaluator: r.name,
      weight: weights.get(r.name) ?? 1,
      score: r.score,
      pass: r.pass,
      ...(r.error !== undefined ? { error: r.error } : {}),
      at,
    }));
    await store.saveOnlineScores(rows);
    return rows;
  }

  /** A stored policy that no longer parses must not stop scoring: the default share applies. */
  private async policyOf(pipelineId: string): Promise<Pick<Policy, "onlineSample">> {
    try {
      return await this.deps.policy(pipelineId);
    } catch {
      return DEFAULT_POLICY;
    }
  }

  /** Stops listening and waits a little for the evaluations under way; one that ends later (a slow judge) is dropped, not written to a closed database. */
  async close(): Promise<void> {
    this.unlisten();
    await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((r) => setTimeout(r, CLOSE_WAIT_MS).unref())]);
    this.closed = true;
  }
}
