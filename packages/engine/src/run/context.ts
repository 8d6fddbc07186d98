import type { BackendPool } from "../backends/pool.js";
import type { RunEvent, RunEventInit, Usage } from "@braid/core";
import type { RunLimits } from "./limits.js";

/** Outputs recorded by an earlier run, per node and per visit, that a re-run reuses instead of executing. */
export type ReuseMap = Map<string, Array<{ output: unknown; meta?: Record<string, unknown>; branch?: string; replaces?: string[] }>>;

/**
 * What an interrupted run already logged, so that resuming it neither re-executes a node whose
 * node_finished is in the log nor logs the same started/decision/token events twice.
 */
export interface ResumeLog {
  finished: Map<string, { output: unknown; meta?: Record<string, unknown>; branch?: string; replaces?: string[] }>;
  /** `${span}|${type}` for node_started, route_decided, loop_iteration, node_waiting and token events already logged. */
  seen: Set<string>;
  runStarted: boolean;
  /**
   * A `run_resumed` came after the last `run_waiting`: the pause's decision was already taken up
   * once (the run was then handed back or its worker died), so it must not be logged or applied again.
   */
  resumedSincePause: boolean;
}

/** Builds a ResumeLog from a run's stored events. */
export function resumeLogFrom(events: Iterable<RunEvent>): ResumeLog {
  const log: ResumeLog = { finished: new Map(), seen: new Set(), runStarted: false, resumedSincePause: false };
  for (const e of events) {
    if (e.type === "run_started") log.runStarted = true;
    else if (e.type === "run_resumed") log.resumedSincePause = true;
    else if (e.type === "run_waiting") log.resumedSincePause = false;
    else if (e.type === "node_finished") {
      const rec: { output: unknown; meta?: Record<string, unknown>; branch?: string; replaces?: string[] } = { output: e.output };
      if (e.meta) rec.meta = e.meta;
      if (e.branch !== undefined) rec.branch = e.branch;
      if (e.replaces) rec.replaces = e.replaces;
      log.finished.set(e.span, rec);
    } else if (e.type === "node_started" || e.type === "route_decided" || e.type === "loop_iteration" || e.type === "token" || e.type === "node_waiting")
      log.seen.add(`${e.span}|${e.type}`);
  }
  return log;
}

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
  limits: RunLimits;
  /** Node executions so far (all branches together; a resumed run counts afresh), checked against limits.maxSteps. */
  steps: { count: number };
  /** Runs every LLM node on this backend (the X-Braid-Backend header). */
  backendOverride?: string;
  /** false: no token events, and backends are not asked to stream (see RunOptions.tokens). */
  tokens?: boolean;
  reuse?: ReuseMap;
  resumeLog?: ResumeLog;
  /** The run has a checkpointer, so a node can pause it for a review. */
  canPause?: boolean;
}

export const RUN_CONTEXT_KEY = "__braid";
