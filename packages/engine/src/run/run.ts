import type { Scheduling } from "../compile/regions.js";
import { type BaseCheckpointSaver, Command, isInterrupted } from "@langchain/langgraph";
import type { BackendPool } from "../backends/pool.js";
import { type CompiledPipeline, type RunState, compile } from "../compile/compile.js";
import {
  BraidError,
  toErrorInfo,
  type RunEvent,
  type RunEventInit,
  type Usage,
  emptyUsage,
  validateAgainstSchema,
  type Pipeline,
  type Registry,
} from "@braid/core";
import type { ResumeDecision } from "./approval.js";
import { RUN_CONTEXT_KEY, type ResumeLog, type ReuseMap, type RunContext } from "./context.js";
import { type RunLimits, resolveLimits } from "./limits.js";
import { AsyncQueue } from "./queue.js";
import { type SingleNodeState, executeOnly } from "./single.js";

export { DEFAULT_RUN_LIMITS, type RunLimits } from "./limits.js";

export interface Budget {
  maxTokens?: number;
  maxCostUsd?: number;
  maxDurationMs?: number;
}

export interface RunOptions {
  registry: Registry;
  pool: BackendPool;
  input?: unknown;
  seed?: number;
  runId?: string;
  signal?: AbortSignal;
  budget?: Budget;
  /** Persist LangGraph checkpoints here (thread id = run id), so a run can resume after a crash. */
  checkpointer?: BaseCheckpointSaver;
  /** Continue from the last checkpoint instead of starting; no run_started is emitted. */
  resume?: boolean;
  /**
   * With `resume`: the decision for the node the run is waiting at (see `waitingAt`, `checkResume`).
   * Pass the run's logged events as `resumeLog` too, so the paused node's earlier events are not logged again.
   */
  answer?: ResumeDecision;
  /** When resuming: the original start time and usage so far, so totals stay whole. */
  startedAt?: number;
  usageSoFar?: Usage;
  backendOverride?: string;
  /**
   * Emit `token` events while backends stream (default true). Batch runs, which discard them, turn
   * this off: backends then answer in one piece, which saves a timer and an event per chunk.
   */
  tokens?: boolean;
  reuse?: ReuseMap;
  /** The interrupted run's logged events, when resuming after a crash. */
  resumeLog?: ResumeLog;
  parentRunId?: string;
  fromNode?: string;
  /**
   * A single-node run: only this node executes, against this state (see planSingleNode); the run's
   * output is the node's output. Nothing upstream or downstream runs; no checkpoints are used.
   */
  only?: SingleNodeState;
  /** A compiled pipeline to reuse (batch runs compile once). */
  compiled?: CompiledPipeline;
  /** How fan-out branches are scheduled when this run compiles the pipeline (see compile/regions.ts); default "critical-path". */
  scheduling?: Scheduling;
  now?: () => number;
  /** Steps per run and size limits; unset fields keep DEFAULT_RUN_LIMITS. */
  limits?: Partial<RunLimits>;
}

export interface Run {
  runId: string;
  events: AsyncIterable<RunEvent>;
  cancel(reason?: string): void;
}

let counter = 0;
export const newRunId = (): string => `run_${Date.now().toString(36)}_${(counter++).toString(36)}${Math.random().toString(36).slice(2, 8)}`;

/** The input a run uses: the given one, or the pipeline's example. Checked against the input schema. */
export function resolveInput(pipeline: Pipeline, input: unknown): unknown {
  const value = input === undefined ? (pipeline.input?.example ?? {}) : input;
  if (pipeline.input?.schema) {
    const problems = validateAgainstSchema(pipeline.input.schema, value);
    if (problems.length) throw new BraidError("E_INPUT_SCHEMA", `input does not match the input schema: ${problems.join("; ")}`);
  }
  return value;
}

class BudgetExceeded extends Error {}

/**
 * Starts a run and returns its events. Invalid pipelines and inputs throw (PipelineInvalidError,
 * BraidError E_INPUT_SCHEMA) before anything executes; everything after that is reported as events,
 * ending with exactly one of run_finished, run_failed or run_cancelled.
 */
export function startRun(pipeline: Pipeline, opts: RunOptions): Run {
  const compiled =
    opts.compiled ??
    compile(pipeline, opts.registry, {
      backends: opts.pool.availability(),
      ...(opts.checkpointer ? { checkpointer: opts.checkpointer } : {}),
      ...(opts.scheduling ? { scheduling: opts.scheduling } : {}),
    });
  const input = opts.resume ? undefined : opts.resumeLog ? opts.input : resolveInput(pipeline, opts.input);
  const limits = resolveLimits(opts.limits);
  const runId = opts.runId ?? newRunId();
  const seed = opts.seed ?? 0;
  const now = opts.now ?? Date.now;
  const startedAt = opts.startedAt ?? now();
  const queue = new AsyncQueue<RunEvent>();
  const controller = new AbortController();
  const usage: Usage = opts.usageSoFar ? { ...opts.usageSoFar } : emptyUsage();
  let finished = false;

  const emit = (e: RunEventInit) => {
    if (!finished) queue.push({ ...e, runId, at: now() } as RunEvent);
  };
  const finish = (e: RunEventInit) => {
    emit(e);
    finished = true;
    queue.close();
    cleanup();
  };

  const budget = opts.budget ?? {};
  const checkBudget = () => {
    if (budget.maxTokens !== undefined && usage.inputTokens + usage.outputTokens > budget.maxTokens) {
      controller.abort(new BudgetExceeded(`token budget exceeded: ${usage.inputTokens + usage.outputTokens} used, limit ${budget.maxTokens}`));
    } else if (budget.maxCostUsd !== undefined && usage.costUsd > budget.maxCostUsd) {
      controller.abort(new BudgetExceeded(`cost budget exceeded: $${usage.costUsd.toFixed(6)} spent, limit $${budget.maxCostUsd}`));
    }
  };
  const timer =
    budget.maxDurationMs !== undefined
      ? setTimeout(
          () => controller.abort(new BudgetExceeded(`wall-time budget exceeded: limit ${budget.maxDurationMs} ms`)),
          Math.max(0, budget.maxDurationMs - (now() - startedAt)),
        )
      : undefined;
  const onOuterAbort = () => controller.abort(opts.signal?.reason ?? "cancelled");
  opts.signal?.addEventListener("abort", onOuterAbort, { once: true });
  const cleanup = () => {
    if (timer) clearTimeout(timer);
    opts.signal?.removeEventListener("abort", onOuterAbort);
  };

  const rc: RunContext = { runId, seed, pool: opts.pool, signal: controller.signal, usage, emit, checkBudget, now, limits, steps: { count: 0 } };
  if (opts.backendOverride) rc.backendOverride = opts.backendOverride;
  if (opts.tokens === false) rc.tokens = false;
  if (opts.reuse) rc.reuse = opts.reuse;
  if (opts.resumeLog) rc.resumeLog = opts.resumeLog;
  // A single node runs outside the graph, where a pause (LangGraph's interrupt) has nowhere to go.
  if (opts.checkpointer && !opts.only) rc.canPause = true;
  if (opts.resume && opts.answer && !opts.resumeLog?.resumedSincePause) {
    const { node, decision, reviewer, comment } = opts.answer;
    emit({ type: "run_resumed", nodeId: node, decision, ...(reviewer !== undefined ? { reviewer } : {}), ...(comment !== undefined ? { comment } : {}) });
  }

  if (!opts.resume && !opts.resumeLog?.runStarted) {
    emit({
      type: "run_started",
      pipeline: pipeline.name,
      input,
      seed,
      ...(opts.parentRunId ? { parentRunId: opts.parentRunId } : {}),
      ...(opts.fromNode ? { fromNode: opts.fromNode } : {}),
      ...(opts.only ? { only: opts.only.nodeId } : {}),
    });
  }
  const outputId = opts.only?.nodeId ?? compiled.outputId;

  const execute = async () => {
    if (opts.signal?.aborted) onOuterAbort();
    const config = {
      configurable: { thread_id: runId, [RUN_CONTEXT_KEY]: rc },
      recursionLimit: compiled.recursionLimit,
      signal: controller.signal,
    };
    try {
      if (opts.resume && opts.resumeLog) await logCheckpointedFinishes(compiled, config, opts.resumeLog, emit);
      const start = opts.resume
        ? opts.answer
          ? await resumeCommand(compiled, config, opts.answer, opts.resumeLog?.resumedSincePause === true)
          : null
        : ({ input } as Partial<RunState>);
      const final = opts.only ? await executeOnly(compiled, opts.only, input, config) : ((await compiled.graph.invoke(start, config)) as RunState);
      if (controller.signal.aborted) throw controller.signal.reason;
      const durationMs = now() - startedAt;
      if (isInterrupted(final)) {
        // Paused for a person: the checkpoint holds the pause; the run holds nothing until resumed.
        const paused = final.__interrupt__[0]?.value as { nodeId?: string } | undefined;
        finish({ type: "run_waiting", nodeId: paused?.nodeId ?? "", durationMs, usage: { ...usage } });
        return;
      }
      if (!final?.outputs || !Object.hasOwn(final.outputs, outputId)) {
        finish({
          type: "run_failed",
          error: { code: "E_NO_OUTPUT_PRODUCED", message: `the run ended without reaching the output node "${outputId}"` },
          durationMs,
          usage: { ...usage },
        });
        return;
      }
      finish({ type: "run_finished", output: final.outputs[outputId], durationMs, usage: { ...usage } });
    } catch (err) {
      const durationMs = now() - startedAt;
      const reason = controller.signal.aborted ? controller.signal.reason : undefined;
      if (reason instanceof BudgetExceeded) {
        finish({ type: "run_failed", error: { code: "E_BUDGET_EXCEEDED", message: reason.message }, durationMs, usage: { ...usage } });
      } else if (controller.signal.aborted) {
        finish({
          type: "run_cancelled",
          reason: typeof reason === "string" ? reason : reason instanceof Error ? reason.message : "cancelled",
          durationMs,
          usage: { ...usage },
        });
      } else {
        finish({ type: "run_failed", error: toErrorInfo(unwrap(err)), durationMs, usage: { ...usage } });
      }
    }
  };
  // Start on the next microtask so the caller can attach to `events` first.
  queueMicrotask(() => void execute());

  return {
    runId,
    events: queue,
    cancel: (reason = "cancelled by user") => controller.abort(reason),
  };
}

/**
 * Where the checkpoint and the event log are written separately (the server commits them together,
 * but the engine also runs on any LangGraph saver), a crash can land between a node's checkpointed
 * result and its node_finished event. LangGraph will not run that node again, so its finish is
 * logged here from the checkpoint: every completed node finishes exactly once in the log.
 */
async function logCheckpointedFinishes(
  compiled: CompiledPipeline,
  config: { configurable: Record<string, unknown> },
  log: ResumeLog,
  emit: (e: RunEventInit) => void,
): Promise<void> {
  const snapshot = await compiled.graph.getState({ configurable: { thread_id: config.configurable.thread_id } });
  const values = snapshot.values as Partial<RunState> | undefined;
  for (const [nodeId, meta] of Object.entries(values?.meta ?? {})) {
    const span = `${nodeId}#${meta.visits}`;
    if (meta.visits < 1 || log.finished.has(span)) continue;
    const cn = compiled.nodes.get(nodeId);
    const output = values?.outputs?.[nodeId];
    if (!log.seen.has(`${span}|node_started`)) emit({ type: "node_started", nodeId, span, kind: cn?.node.kind ?? "unknown", attempt: meta.visits });
    emit({ type: "node_finished", nodeId, span, output, durationMs: 0, usage: emptyUsage(), ...(meta.branch !== undefined ? { branch: meta.branch } : {}) });
    log.finished.set(span, { output });
  }
}

/**
 * The resume value goes to the paused node's interrupt by id, so with two approvals paused side
 * by side the other one stays paused (and the run waits at it next). A decision comes again with
 * a run handed back after it was taken up (queue mode keeps it in the job): when the checkpoint
 * is past the pause it is not applied again; when it is not (the worker died in between), it is.
 */
async function resumeCommand(
  compiled: CompiledPipeline,
  config: { configurable: Record<string, unknown> },
  answer: ResumeDecision,
  alreadyResumed: boolean,
): Promise<Command | null> {
  const snapshot = await compiled.graph.getState({ configurable: { thread_id: config.configurable.thread_id } });
  const pending = snapshot.tasks.flatMap((t) => t.interrupts ?? []);
  const target = pending.find((i) => (i.value as { nodeId?: string } | undefined)?.nodeId === answer.node);
  // Taken up before the run was handed back and checkpointed past the pause: continue from there.
  if (!target && alreadyResumed) return null;
  if (!target) throw new BraidError("E_NOT_WAITING", `the run is not waiting at node "${answer.node}"`, { nodeId: answer.node });
  return new Command({ resume: target.id ? { [target.id]: answer } : answer });
}

/**
 * LangGraph may wrap a node's error in `cause`, or aggregate parallel failures in `errors`
 * ("Multiple errors occurred during superstep"); surface the first of ours.
 */
function unwrap(err: unknown, depth = 0): unknown {
  if (err instanceof BraidError || depth > 5 || !err || typeof err !== "object") return err;
  const nested = [(err as { cause?: unknown }).cause, ...((err as { errors?: unknown[] }).errors ?? [])];
  for (const n of nested) {
    const found = unwrap(n, depth + 1);
    if (found instanceof BraidError) return found;
  }
  return err;
}

/** Runs to completion and collects the events (CLI, tests, `?wait=true`). */
export async function runToEnd(pipeline: Pipeline, opts: RunOptions): Promise<{ runId: string; events: RunEvent[]; last: RunEvent }> {
  const run = startRun(pipeline, opts);
  const events: RunEvent[] = [];
  for await (const e of run.events) events.push(e);
  return { runId: run.runId, events, last: events[events.length - 1] as RunEvent };
}
