import {
  type BackendPool,
  BraidError,
  type CompiledPipeline,
  type Pipeline,
  type Registry,
  type ResumeDecision,
  type ReuseMap,
  checkResume,
  newRunId,
  planReuse,
  planSingleNode,
  resolveInput,
  resumeLogFrom,
  compile,
  startRun,
} from "@braid/engine";
import type { BaseCheckpointSaver } from "@langchain/langgraph-checkpoint";
import { type PipelineLimits, limitOf } from "../queue/limits.js";
import { type JournalingSaver, pruneCheckpoints } from "../store/checkpoints.js";
import type { RunOptionsRecord, RunRecord, RunStore } from "../store/runs.js";
import { ApprovalTimers, waitingNode } from "./approvals.js";
import { EventWriter } from "./event-writer.js";
import type { EventHub } from "./hub.js";

export class QueueFullError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super("the run queue is full; retry later");
  }
}

export class ShuttingDownError extends Error {
  constructor() {
    super("the server is shutting down and accepts no new runs");
  }
}

/** A resume of a run that is not waiting for a review (HTTP 409). */
export class NotWaitingError extends BraidError {
  constructor(runId: string, status: string) {
    super("E_NOT_WAITING", `run "${runId}" is ${status}, not waiting for a review`);
  }
}

/** A reviewer's decision, as the REST and tRPC resume routes take it. */
export interface ResumeRequest {
  node: string;
  decision: string;
  value?: unknown;
  reviewer?: string;
  comment?: string;
}

export interface StartRequest {
  pipeline: Pipeline;
  pipelineId?: string;
  pipelineVersion?: number;
  input?: unknown;
  seed?: number;
  options?: RunOptionsRecord;
  parentRunId?: string;
  fromNode?: string;
  reuse?: ReuseMap;
}

interface Active {
  cancel(reason?: string): void;
  suspended: boolean;
  done: Promise<void>;
}

/** How a scheduled run starts: afresh, continuing from its log and checkpoint, or with a reviewer's decision. */
export interface RunHow {
  recovering?: boolean;
  answer?: ResumeDecision;
}

/** What became of one execution of a run. `suspended`: shutdown stopped it mid-run, its checkpoint holds its place. */
export type ExecutionEnd = "ended" | "paused" | "suspended";

/**
 * Queue mode: scheduled runs wait on a shared queue and any worker process executes them (see
 * queue/run-queue.ts). Without one, they wait in this process's memory.
 */
export interface SharedRunQueue {
  /** Throws (QueueUnavailableError, QueueFullError) when a run cannot be accepted now; nothing is stored then. */
  checkAccepting(): void;
  /** Schedules an execution; `attempt` tells apart the executions of one run (each resume is one). */
  schedule(runId: string, how: RunHow, attempt: number): void;
  /** Asks whichever process holds the run to cancel it; a run still queued (execution `attempt`) is taken off the queue and ended here. */
  cancel(runId: string, reason: string, attempt: number): void;
  /** Milliseconds one execution may take (the queue's run timeout). */
  readonly runTimeoutMs: number;
}

/**
 * Owns run execution: a bounded queue, a concurrency limit, persistence of every event before it
 * is published, checkpoints for crash recovery, and resumption of unfinished runs on start.
 */
export class RunManager {
  private readonly queue: Array<{ id: string; pipelineId: string | undefined; start: () => void }> = [];
  /** Submissions between their queue-limit check and their place in the queue (the store write between them is asynchronous). */
  private submitting = 0;
  private readonly active = new Map<string, Active>();
  /** Runs executing now per saved pipeline, for BRAID_PIPELINE_CONCURRENCY. */
  private readonly activeByPipeline = new Map<string, number>();
  private readonly reuseByRun = new Map<string, ReuseMap>();
  private readonly writer: EventWriter;
  /** LangGraph's checkpointer for this manager's runs, its writes journaled with the events. */
  private readonly checkpointer: BaseCheckpointSaver;
  private readonly compileCache = new Map<string, CompiledPipeline>();
  private draining = false;
  /** Waiting runs whose resume is queued or starting: a second decision for them is refused. */
  private readonly resuming = new Set<string>();
  /** Runs a resume call is deciding now, in either mode: a second call for one of them waits for nothing and is refused. */
  private readonly deciding = new Set<string>();
  private readonly timers: ApprovalTimers;

  constructor(
    private readonly deps: {
      store: RunStore;
      hub: EventHub;
      registry: Registry;
      pool: BackendPool;
      checkpointer: JournalingSaver;
      maxConcurrent: number;
      queueLimit: number;
      /** Per-pipeline limits on this process's queue; in queue mode the shared queue applies them across workers. */
      pipelineLimits?: PipelineLimits;
      /** Queue mode; absent, runs execute in this process. */
      shared?: SharedRunQueue;
      now?: () => number;
    },
  ) {
    this.writer = new EventWriter(deps.store, deps.hub);
    this.checkpointer = deps.checkpointer.journaled((statements) => this.writer.journal(statements));
    this.timers = new ApprovalTimers(
      (runId, node) => this.timeout(runId, node),
      () => this.now(),
    );
  }

  private get now() {
    return this.deps.now ?? Date.now;
  }

  get stats() {
    return { active: this.active.size, queued: this.queue.length, draining: this.draining };
  }

  /** Validates (lint, input schema), records the run as queued, and schedules it. Throws before recording anything invalid. */
  async submit(req: StartRequest): Promise<RunRecord> {
    if (this.draining) throw new ShuttingDownError();
    if (this.deps.shared) this.deps.shared.checkAccepting();
    else {
      // Runs held back by their pipeline's limit stay queued with slots free, so a free slot alone does not mean room.
      const waiting = this.queue.length + this.submitting;
      if (waiting >= this.deps.queueLimit && (this.active.size >= this.deps.maxConcurrent || waiting > 0)) throw new QueueFullError(1);
    }
    // compile() inside startRun lints again, but failing here keeps invalid runs out of the store.
    const input = resolveInput(req.pipeline, req.input);
    const id = newRunId();
    const record: Omit<RunRecord, "usage" | "status"> = {
      id,
      pipeline: req.pipeline,
      input,
      seed: req.seed ?? 1,
      options: req.options ?? {},
      createdAt: this.now(),
    };
    if (req.pipelineId) record.pipelineId = req.pipelineId;
    if (req.pipelineVersion !== undefined) record.pipelineVersion = req.pipelineVersion;
    if (req.parentRunId) record.parentRunId = req.parentRunId;
    if (req.fromNode) record.fromNode = req.fromNode;
    // Compiling lints first: an invalid pipeline is refused with its diagnostics and never stored.
    this.compiled(record.pipeline);
    this.submitting++;
    try {
      await this.deps.store.create(record);
      // In queue mode another process may execute the run: it rebuilds the reuse plan from the stored options.
      if (req.reuse && !this.deps.shared) this.reuseByRun.set(id, req.reuse);
      await this.enqueue(id, {}, 0, record.pipelineId);
    } finally {
      this.submitting--;
    }
    return (await this.deps.store.get(id)) as RunRecord;
  }

  /**
   * Compiling (which lints) depends only on the document and on which backends are available, so
   * runs of the same document share one compiled graph until a backend is enabled or disabled.
   */
  private compiled(pipeline: Pipeline): CompiledPipeline {
    const backends = this.deps.pool.availability();
    const key = JSON.stringify([pipeline, backends]);
    let c = this.compileCache.get(key);
    if (!c) {
      c = compile(pipeline, this.deps.registry, { checkpointer: this.checkpointer, backends });
      if (this.compileCache.size >= 64) this.compileCache.delete(this.compileCache.keys().next().value as string);
      this.compileCache.set(key, c);
    }
    return c;
  }

  /** Cancels the run if this process executes it now; false otherwise. */
  cancelActive(id: string, reason: string): boolean {
    const a = this.active.get(id);
    if (!a) return false;
    a.cancel(reason);
    return true;
  }

  async cancel(id: string, reason = "cancelled by user"): Promise<boolean> {
    if (this.cancelActive(id, reason)) return true;
    const shared = this.deps.shared;
    if (shared) {
      const status = (await this.deps.store.get(id))?.status;
      if (status === "queued" || status === "running") {
        shared.cancel(id, reason, await this.attemptOf(id));
        return true;
      }
    }
    const queued = this.queue.findIndex((q) => q.id === id);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      // A queued resume of a waiting run leaves a checkpoint behind.
      if (this.resuming.delete(id)) void pruneCheckpoints(this.checkpointer, id).catch(() => {});
      const at = this.now();
      // A resumed run already spent something before it paused; the end keeps that total.
      const usage = (await this.deps.store.get(id))?.usage ?? { inputTokens: 0, outputTokens: 0, costUsd: 0 };
      this.writer.append(id, { type: "run_cancelled", runId: id, at, reason, durationMs: 0, usage });
      return true;
    }
    // A waiting run executes nothing: cancelling it is logging the end and dropping its checkpoint.
    const run = await this.deps.store.get(id);
    if (run?.status !== "waiting" || this.deciding.has(id)) return false;
    this.timers.clear(id);
    const at = this.now();
    this.writer.append(id, { type: "run_cancelled", runId: id, at, reason, durationMs: at - (run.startedAt ?? run.createdAt), usage: run.usage });
    await this.writer.flush();
    void pruneCheckpoints(this.checkpointer, id).catch(() => {});
    return true;
  }

  /**
   * Continues a waiting run at the node it waits at with a reviewer's decision: nothing upstream
   * runs again and only the decided branch is taken. Throws NotWaitingError (409) or
   * BraidError E_REVIEW_INVALID (400, naming the field) before anything changes.
   */
  async resume(id: string, req: ResumeRequest, opts: { allowTimeout?: boolean } = {}): Promise<RunRecord> {
    if (this.resuming.has(id) || this.deciding.has(id)) throw new NotWaitingError(id, "already resuming");
    this.deciding.add(id);
    try {
      const run = await this.deps.store.get(id);
      if (!run) throw new NotWaitingError(id, "unknown");
      if (run.status !== "waiting") throw new NotWaitingError(id, run.status);
      if (this.draining) throw new ShuttingDownError();
      const waiting = await waitingNode(this.deps.store, id);
      if (!waiting) throw new NotWaitingError(id, "not at a review");
      checkResume(run.pipeline, this.deps.registry, waiting, req, opts);
      const answer: ResumeDecision = { node: req.node, decision: req.decision, decidedAt: this.now() };
      if (req.value !== undefined) answer.value = req.value;
      if (req.reviewer !== undefined) answer.reviewer = req.reviewer;
      if (req.comment !== undefined) answer.comment = req.comment;
      this.timers.clear(id);
      // In queue mode the store's `queued` status is the guard: the execution may happen in another process.
      if (!this.deps.shared) this.resuming.add(id);
      // Queued until a slot is free; a restart before then finds it queued and pauses it again.
      await this.deps.store.setStatus(id, "queued");
      await this.enqueue(id, { answer }, await this.attemptOf(id), run.pipelineId);
    } finally {
      this.deciding.delete(id);
    }
    return (await this.deps.store.get(id)) as RunRecord;
  }

  /** A review's time ran out: the node takes its `timeout` branch (a decision already sent wins). */
  private timeout(id: string, node: string): void {
    // Resumed, cancelled or shut down in the meantime: nothing to time out.
    this.resume(id, { node, decision: "timeout" }, { allowTimeout: true }).catch(() => {});
  }

  /** Arms the timeout of a run that has just started waiting, or was waiting when the server stopped. */
  private async armTimeout(id: string): Promise<void> {
    const w = await waitingNode(this.deps.store, id);
    if (w?.timeoutAt !== undefined) this.timers.schedule(id, w.nodeId, w.timeoutAt);
  }

  /**
   * Resumes runs a previous process left unfinished (crash or shutdown). Runs waiting for a review
   * stay waiting (their checkpoint holds the pause); only their timeouts are armed again.
   */
  async recover(): Promise<string[]> {
    const runs = await this.deps.store.unfinished();
    // In queue mode a run another worker holds keeps its job: scheduling the same attempt again is a no-op.
    for (const run of runs) await this.enqueue(run.id, { recovering: true }, await this.attemptOf(run.id), run.pipelineId);
    for (const run of await this.deps.store.list({ status: "waiting", limit: 1000 })) await this.armTimeout(run.id);
    return runs.map((r) => r.id);
  }

  /** The execution a queued or running run is on: one more per pause it was resumed from (resume schedules the same number). */
  private async attemptOf(id: string): Promise<number> {
    return (await this.deps.store.events(id)).filter((e) => e.event.type === "run_waiting").length;
  }

  private async enqueue(id: string, how: RunHow, attempt: number, pipelineId: string | undefined): Promise<void> {
    if (this.deps.shared) {
      await this.deps.shared.schedule(id, how, attempt);
      return;
    }
    this.queue.push({ id, pipelineId, start: () => this.execute(id, pipelineId, how) });
    this.pump();
  }

  /**
   * Executes a run a queue worker took: from its log and checkpoint when it had started before (a
   * worker that died, or one that handed it back). Resolves when this execution ends.
   */
  async executeScheduled(runId: string, how: RunHow): Promise<ExecutionEnd> {
    const record = await this.deps.store.get(runId);
    if (!record || FINAL.has(record.status) || record.status === "waiting") return "ended";
    const started = (await this.deps.store.lastSeq(runId)) > 0;
    const entry = this.execute(runId, record.pipelineId, started && !how.answer ? { ...how, recovering: true } : how);
    await entry.done;
    return entry.suspended ? "suspended" : (await this.deps.store.get(runId))?.status === "waiting" ? "paused" : "ended";
  }

  /** Ends a run that was still queued (queue mode: its job was taken off the queue before a worker had it). */
  async endQueued(id: string, reason: string): Promise<void> {
    const run = await this.deps.store.get(id);
    if (!run || FINAL.has(run.status)) return;
    this.writer.append(id, { type: "run_cancelled", runId: id, at: this.now(), reason, durationMs: 0, usage: run.usage });
    await this.writer.flush();
    void pruneCheckpoints(this.checkpointer, id).catch(() => {});
  }

  /** The saved pipeline a run belongs to, whose limit it counts against (queue workers claim a lease for it). */
  async pipelineOf(runId: string): Promise<string | undefined> {
    return (await this.deps.store.get(runId))?.pipelineId;
  }

  /** Starts queued runs in order, passing over those whose pipeline is at its limit: they must not hold back other pipelines' runs. */
  private pump(): void {
    for (let i = 0; i < this.queue.length && this.active.size < this.deps.maxConcurrent; ) {
      const next = this.queue[i] as (typeof this.queue)[number];
      const limit = limitOf(this.deps.pipelineLimits, next.pipelineId);
      if (limit !== undefined && (this.activeByPipeline.get(next.pipelineId as string) ?? 0) >= limit) {
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      next.start();
    }
  }

  private execute(id: string, pipelineId: string | undefined, how: RunHow): Active {
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => {
      resolveDone = r;
    });
    const entry: Active = { cancel: () => {}, suspended: false, done };
    this.active.set(id, entry);
    if (pipelineId !== undefined) this.activeByPipeline.set(pipelineId, (this.activeByPipeline.get(pipelineId) ?? 0) + 1);
    void this.drive(id, how, entry).finally(() => {
      this.active.delete(id);
      if (pipelineId !== undefined) {
        const left = (this.activeByPipeline.get(pipelineId) ?? 1) - 1;
        if (left > 0) this.activeByPipeline.set(pipelineId, left);
        else this.activeByPipeline.delete(pipelineId);
      }
      this.resuming.delete(id);
      this.reuseByRun.delete(id);
      resolveDone();
      this.pump();
    });
    return entry;
  }

  private async drive(id: string, how: RunHow, entry: Active): Promise<void> {
    // Another process may have appended to this run since this one last did (queue mode).
    await this.deps.store.forgetSeq(id);
    // Read when it starts, not when it was queued: a run resumed from a pause has spent more since.
    const record = await this.deps.store.get(id);
    if (!record) return;
    // Continuing a waiting run reads its log like a recovery, and hands the paused node its decision.
    const recovering = how.recovering === true || how.answer !== undefined;
    const startedAt = record.startedAt ?? this.now();
    await this.deps.store.markStarted(id, startedAt);
    const logged = recovering ? (await this.deps.store.events(id)).map((e) => e.event) : [];
    const hasCheckpoint = recovering ? (await this.checkpointer.getTuple({ configurable: { thread_id: id } })) !== undefined : false;
    const only = record.options.onlyNode;
    const reuse = only ? undefined : (this.reuseByRun.get(id) ?? (await this.reuseFor(record)));
    let run: ReturnType<typeof startRun>;
    try {
      const single = only ? await this.singleNodeState(record, only) : undefined;
      run = startRun(record.pipeline, {
        ...(single ? { only: single } : {}),
        compiled: this.compiled(record.pipeline),
        registry: this.deps.registry,
        pool: this.deps.pool,
        input: record.input,
        seed: record.seed,
        runId: id,
        // A single node runs outside the graph: nothing to checkpoint, and a restart simply runs it again.
        ...(only ? {} : { checkpointer: this.checkpointer }),
        startedAt,
        ...(recovering ? { resumeLog: resumeLogFrom(logged), resume: hasCheckpoint, usageSoFar: record.usage } : {}),
        ...(how.answer && hasCheckpoint ? { answer: how.answer } : {}),
        ...(record.options.backendOverride ? { backendOverride: record.options.backendOverride } : {}),
        ...(this.budgetOf(record, startedAt) ?? {}),
        ...(reuse ? { reuse } : {}),
        ...(record.parentRunId ? { parentRunId: record.parentRunId } : {}),
        ...(record.fromNode ? { fromNode: record.fromNode } : {}),
      });
    } catch (err) {
      const error =
        err instanceof BraidError
          ? { code: err.code, message: err.message, ...(err.nodeId ? { nodeId: err.nodeId } : {}) }
          : { code: "E_INTERNAL" as const, message: String(err) };
      this.writer.append(id, { type: "run_failed", runId: id, at: this.now(), error, durationMs: 0, usage: record.usage });
      await this.writer.flush();
      return;
    }
    entry.cancel = (reason) => run.cancel(reason);
    let paused = false;
    for await (const e of run.events) {
      // A run suspended by shutdown stays "running" in the store, so the next start resumes it.
      if (entry.suspended && e.type === "run_cancelled") break;
      paused = e.type === "run_waiting";
      this.writer.append(id, e);
    }
    await this.writer.flush();
    // A paused run's checkpoint holds the pause: it is what a resume continues from.
    if (paused) await this.armTimeout(id);
    else if (!entry.suspended) await pruneCheckpoints(this.checkpointer, id).catch(() => {});
  }

  /** The run's budget; in queue mode each execution also ends by the queue's run timeout. */
  private budgetOf(record: RunRecord, startedAt: number): { budget: NonNullable<RunOptionsRecord["budget"]> } | undefined {
    const given = record.options.budget;
    const timeout = this.deps.shared?.runTimeoutMs;
    if (timeout === undefined) return given ? { budget: given } : undefined;
    const limit = this.now() - startedAt + timeout;
    return { budget: { ...given, maxDurationMs: Math.min(given?.maxDurationMs ?? limit, limit) } };
  }

  /** The state a single-node run executes against, rebuilt from the source run's log (so a restart can run it too). */
  private async singleNodeState(record: RunRecord, nodeId: string) {
    const from = record.options.reuseFromRun;
    return planSingleNode(record.pipeline, this.deps.registry, nodeId, {
      input: record.input,
      ...(from ? { events: await this.deps.store.events(from) } : {}),
    });
  }

  /** Rebuilds what a child run reuses from its parent's log (after a restart the in-memory plan is gone). */
  private async reuseFor(record: RunRecord): Promise<ReuseMap | undefined> {
    const o = record.options;
    if (!o.reuseFromRun) return undefined;
    return planReuse(record.pipeline, await this.deps.store.events(o.reuseFromRun), {
      ...(record.fromNode ? { fromNode: record.fromNode } : {}),
      ...(o.forkAtSeq !== undefined ? { uptoSeq: o.forkAtSeq } : {}),
      ...(o.forkState ? { state: o.forkState } : {}),
    }).reuse;
  }

  /** Stops taking runs; waits up to graceMs for running ones, then suspends the rest for the next start. */
  async shutdown(graceMs: number): Promise<void> {
    this.draining = true;
    this.timers.clearAll();
    this.queue.length = 0; // queued runs stay "queued" in the store and start on the next boot
    const all = Promise.all([...this.active.values()].map((a) => a.done));
    const timedOut = await Promise.race([all.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref())]);
    if (timedOut) {
      for (const a of this.active.values()) {
        a.suspended = true;
        a.cancel("server shutting down");
      }
      await all;
    }
    await this.writer.flush();
  }
}

const FINAL = new Set(["completed", "failed", "cancelled"]);
