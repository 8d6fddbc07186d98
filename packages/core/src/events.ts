import type { ErrorInfo } from "./errors.js";

/** Tokens and money spent. `estimated` is true when a provider reported no usage. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  estimated?: boolean;
}

export const emptyUsage = (): Usage => ({ inputTokens: 0, outputTokens: 0, costUsd: 0 });

export function addUsage(into: Usage, add: Usage): Usage {
  into.inputTokens += add.inputTokens;
  into.outputTokens += add.outputTokens;
  into.costUsd = roundCost(into.costUsd + add.costUsd);
  if (add.estimated) into.estimated = true;
  return into;
}

/** Costs are kept to 1e-8 USD so that sums are stable across platforms and runs. */
export const roundCost = (usd: number): number => Math.round(usd * 1e8) / 1e8;

export type BreakerState = "closed" | "open" | "half-open" | "isolated";

interface Base {
  runId: string;
  /** Epoch milliseconds when the event was created. */
  at: number;
}

/**
 * One execution of one node. `span` pairs node_started with node_finished/node_failed;
 * it is `${nodeId}#${n}` where n counts that node's executions in the run (loops give n > 1).
 */
interface SpanBase extends Base {
  nodeId: string;
  span: string;
}

export type RunEvent =
  /** `only`: a single-node run, in which only that node executed (RunOptions.only). */
  | (Base & { type: "run_started"; pipeline: string; input: unknown; seed: number; parentRunId?: string; fromNode?: string; only?: string })
  | (SpanBase & {
      type: "node_started";
      kind: string;
      attempt: number;
      backend?: string;
      prompt?: string;
      system?: string;
    })
  | (SpanBase & { type: "token"; text: string })
  | (SpanBase & { type: "retry"; backend: string; attempt: number; delayMs: number; error: string })
  | (SpanBase & { type: "fallback"; from: string; to: string; reason: string })
  | (SpanBase & { type: "cache_hit"; backend: string })
  /** A backend's circuit breaker changed state during this node's call. */
  | (SpanBase & { type: "breaker"; backend: string; from: BreakerState; to: BreakerState })
  | (SpanBase & {
      type: "node_finished";
      output: unknown;
      durationMs: number;
      usage: Usage;
      backend?: string;
      model?: string;
      raw?: string;
      /** Set when the output was taken from a recorded run instead of executing. */
      reused?: boolean;
      /** Branching kinds: the branch taken. */
      branch?: string;
      /** Kind-specific bookkeeping (critique attempts and score), kept so a re-run can reuse it. */
      meta?: Record<string, unknown>;
      /** Nodes whose latest output this one replaced (a corrector's `revises`). */
      replaces?: string[];
    })
  | (SpanBase & { type: "route_decided"; branch: string; reason: string })
  | (SpanBase & {
      /** One pass of a bounded loop, emitted by any kind that bounds one (a critique, a route). */
      type: "loop_iteration";
      /** 1-based: this node's evaluations in the loop so far. */
      attempt: number;
      /** The bound, when the kind has one. */
      maxAttempts?: number;
      branch: string;
      /** Whether this pass ends the loop successfully, when the kind judges that. */
      passed?: boolean;
      /** Numbers the kind measured on this pass (a critique's `score`), shown as name and value. */
      metrics?: Record<string, number>;
      /** One line written by the kind for timelines and logs: "score 0.72 < 0.8". */
      summary?: string;
    })
  | (SpanBase & { type: "node_failed"; error: ErrorInfo; durationMs: number })
  /**
   * A node paused for a person (the approval kind): what to show them. The run then ends this
   * stretch with run_waiting; resuming continues at this node and its node_finished carries the decision.
   */
  | (SpanBase & {
      type: "node_waiting";
      /** The node's message template, rendered. */
      message: string;
      /** The node whose output is under review, when there is one. */
      reviews?: string;
      /** The output under review. */
      value: unknown;
      /** Whether the reviewer may send an edited value. */
      allowEdit: boolean;
      /** The decisions a reviewer may send (the `timeout` branch is taken by the server, not a person). */
      decisions: string[];
      /** Epoch milliseconds when the node takes its `timeout` branch by itself. */
      timeoutAt?: number;
    })
  /** The run paused at `nodeId` and holds no resources until resumed; its status is `waiting`. */
  | (Base & { type: "run_waiting"; nodeId: string; durationMs: number; usage: Usage })
  /** A waiting run continues at `nodeId` with a decision (a person's, or `timeout`). */
  | (Base & { type: "run_resumed"; nodeId: string; decision: string; reviewer?: string; comment?: string })
  | (Base & { type: "run_finished"; output: unknown; durationMs: number; usage: Usage })
  | (Base & { type: "run_failed"; error: ErrorInfo; durationMs: number; usage: Usage })
  | (Base & { type: "run_cancelled"; reason: string; durationMs: number; usage: Usage });

export type RunEventType = RunEvent["type"];
/** Every status a run can have, in the order a run passes through them. The one list: schemas, filters and the CLI read it. */
export const RUN_STATUSES = ["queued", "running", "waiting", "completed", "failed", "cancelled"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** A run that is waiting for a slot or executing (a run `waiting` for a review holds no slot and is not active). */
export const isActiveStatus = (status: string): boolean => status === "queued" || status === "running";

export const TERMINAL_EVENTS: ReadonlySet<RunEventType> = new Set(["run_finished", "run_failed", "run_cancelled"]);

export function isTerminal(e: RunEvent): e is Extract<RunEvent, { type: "run_finished" | "run_failed" | "run_cancelled" }> {
  return TERMINAL_EVENTS.has(e.type);
}

export function statusOf(e: RunEvent): RunStatus | undefined {
  if (e.type === "run_finished") return "completed";
  if (e.type === "run_failed") return "failed";
  if (e.type === "run_cancelled") return "cancelled";
  if (e.type === "run_waiting") return "waiting";
  if (e.type === "run_resumed") return "running";
  return undefined;
}

/** Event without the fields the runner stamps on it. */
export type RunEventInit = RunEvent extends infer E ? (E extends RunEvent ? Omit<E, "runId" | "at"> : never) : never;

type LoopIteration = Extract<RunEvent, { type: "loop_iteration" }>;

/** A loop pass's metrics; runs stored before metrics existed carried a top-level `score`. */
export function loopMetrics(e: LoopIteration): Record<string, number> {
  if (e.metrics) return e.metrics;
  const legacy = (e as { score?: unknown }).score;
  return typeof legacy === "number" ? { score: legacy } : {};
}

/** "attempt 2/3 · score 0.72 < 0.8 → fail": one line for timelines and the CLI. */
export function describeLoopIteration(e: LoopIteration): string {
  const metrics = Object.entries(loopMetrics(e)).map(([k, v]) => `${k} ${v}`);
  const detail = e.summary ?? metrics.join(" · ");
  return `attempt ${e.attempt}${e.maxAttempts !== undefined ? `/${e.maxAttempts}` : ""}${detail ? ` · ${detail}` : ""} → ${e.branch}`;
}
