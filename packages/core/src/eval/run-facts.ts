import type { ErrorInfo } from "../errors.js";
import { type RunEvent, type Usage, emptyUsage } from "../events.js";

/** One critique's outcome in a run: its last pass decides. */
export interface CritiqueFact {
  node: string;
  attempts: number;
  passed: boolean;
  /** It ran out of attempts (took `exhausted`). */
  exhausted: boolean;
  score?: number;
}

/** What evaluators may read about a run besides its output (`run` in expressions). */
export interface RunFacts {
  status: "completed" | "failed";
  durationMs: number;
  usage: Usage;
  critiques: CritiqueFact[];
  error?: ErrorInfo;
}

/**
 * Collects the facts of one run from its events as they stream by, keeping only critique
 * outcomes (not outputs), so it costs the same whatever the run produced.
 */
export class RunFactsCollector {
  private readonly critiques = new Map<string, CritiqueFact>();
  private terminal: Extract<RunEvent, { type: "run_finished" | "run_failed" }> | undefined;

  observe(e: RunEvent): void {
    if (e.type === "loop_iteration" && e.passed !== undefined) {
      const score = e.metrics?.score;
      const fact: CritiqueFact = { node: e.nodeId, attempts: e.attempt, passed: e.passed, exhausted: e.branch === "exhausted" };
      if (typeof score === "number") fact.score = score;
      this.critiques.set(e.nodeId, fact);
    } else if (e.type === "run_finished" || e.type === "run_failed") this.terminal = e;
  }

  /** The facts so far; a run that never reached its end counts as failed. */
  facts(): RunFacts {
    const t = this.terminal;
    const critiques = [...this.critiques.values()];
    if (t?.type === "run_finished") return { status: "completed", durationMs: t.durationMs, usage: t.usage, critiques };
    return {
      status: "failed",
      durationMs: t?.durationMs ?? 0,
      usage: t?.usage ?? emptyUsage(),
      critiques,
      error: t?.error ?? { code: "E_INTERNAL", message: "the run ended without a result" },
    };
  }
}
