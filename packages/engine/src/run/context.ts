import type { BackendPool } from "../backends/pool.js";
import type { RunEventInit, Usage } from "../events.js";

/** Outputs recorded by an earlier run, per node and per visit, that a re-run reuses instead of executing. */
export type ReuseMap = Map<string, Array<{ output: unknown; meta?: Record<string, unknown>; branch?: string; replaces?: string[] }>>;

/** Everything a node execution needs from its run; passed through LangGraph's config. */
export interface RunContext {
  runId: string;
  seed: number;
  pool: BackendPool;
  signal: AbortSignal;
  usage: Usage;
  emit(event: RunEventInit): void;
  /** Called after usage grows; aborts the run when a budget is exceeded. */
  checkBudget(): void;
  now(): number;
  /** Runs every LLM node on this backend (the X-Braid-Backend header). */
  backendOverride?: string;
  reuse?: ReuseMap;
}

export const RUN_CONTEXT_KEY = "__braid";
