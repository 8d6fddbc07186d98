/**
 * The optimizer: every `intervalMs` (and on trigger) it measures each pipeline whose policy is
 * enabled, checks live and the candidate against the gates, and rolls back, promotes or asks for
 * approval; past 80 % of a budget it suggests a cheaper backend (suggest.ts). cycle.ts decides;
 * this file carries it out and records it. The kill switch (`stop`) holds back every automatic
 * action while cycles keep measuring; REST traffic is untouched by it.
 */
import { BraidError, type BackendPool, type Registry } from "@braid/engine";
import type { OptimizerStore, PendingAction, PendingStatus } from "../store/optimizer.js";
import type { PipelineStore } from "../store/pipelines.js";
import type { RunStore } from "../store/runs.js";
import type { Trial, TrialStatus, TrialStore, TrialType } from "../store/trials.js";
import { type CheaperBackend, cheaperBackend } from "./cheaper.js";
import { type BudgetCheck, type Decision, checkBudget, decide, decideLive } from "./cycle.js";
import { type Actor, type Deployments, NotFoundError } from "./deployments.js";
import type { LiveMetrics } from "./metrics.js";
import { type SuggestDeps, type SuggestionOutcome, applySuggestion, proposeCheaper } from "./suggest.js";
import { type TrialDeps, type TrialProgress, type TrialStart, advanceTrial, startPruneTrial, startRoutingTrial } from "./trials.js";
import { type Policy, changeGate, namedGates } from "./policy.js";
import { complexityRoutes } from "./routing.js";

const DAY_MS = 86_400_000;
const AUTO: Actor = { actor: "optimizer" };

export interface PipelineCycle {
  pipelineId: string;
  liveVersion: number;
  candidateVersion?: number;
  metrics: { live: LiveMetrics; candidate?: LiveMetrics };
  /** The policy's absolute gates (no `live.`) over the live version itself. */
  liveGates: Array<{ expr: string; passed: boolean; actual?: number; threshold?: number; by?: number; error?: string }>;
  /** The candidate's gates. */
  gates: Array<{ expr: string; passed: boolean; actual?: number; threshold?: number; by?: number; error?: string }>;
  decision: Decision;
  budget?: BudgetCheck;
  /** Set when spending passed 80 % of the budget and the pool has a cheaper backend. */
  suggestion?: { type: "cheaper-backend"; reason: string } & CheaperBackend & SuggestionOutcome;
  /** An approval this cycle asked for. */
  pendingActionId?: string;
  /** Trials this cycle read back, and one it started. */
  trials?: TrialProgress[];
  trialStarted?: { type: TrialType; reason: string } & TrialStart;
}

export type SuggestionType = "cheaper-backend" | TrialType;

export interface SuggestRequest {
  pipelineId: string;
  type: SuggestionType;
  /** Default: the policy's. */
  datasetId?: string;
  route?: string;
  maxScoreDrop?: number;
}

export interface CycleSummary {
  id: number;
  at: number;
  trigger: "interval" | "manual";
  stopped: boolean;
  pipelines: PipelineCycle[];
}

export class Optimizer {
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastAt: number | undefined;
  /** The cycle under way: cycles never overlap (a second waits for the first), so their reads and writes do not interleave. */
  private current: Promise<CycleSummary> | undefined;

  constructor(
    private readonly deps: {
      deployments: Deployments;
      store: OptimizerStore;
      /** The store without the audit decorator (the optimizer records its saves as itself). */
      pipelines: PipelineStore;
      experiments: SuggestDeps["experiments"];
      trials: TrialStore;
      pool: BackendPool;
      registry: Registry;
      runs: Pick<RunStore, "events">;
      /** 0: only on trigger. */
      intervalMs: number;
      now?: () => number;
    },
  ) {}

  private get now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** Starts the interval timer (not the kill switch: see start/stop). */
  open(): void {
    if (this.timer || this.deps.intervalMs <= 0) return;
    this.timer = setInterval(() => {
      // A cycle still under way (slow storage) is not queued behind: this tick is skipped.
      if (this.current) return;
      // Fire-and-forget from the timer: a failed cycle is logged, never thrown into the event loop.
      void this.cycle("interval").catch((err: unknown) => console.error(`braid: optimizer cycle failed: ${(err as Error).message}`));
    }, this.deps.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for the cycle under way, so nothing is written after the caller closes the database. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.current?.catch(() => undefined);
  }

  async isRunning(): Promise<boolean> {
    return !(await this.deps.store.stopped());
  }

  async start(who: Actor): Promise<{ running: boolean }> {
    if (await this.deps.store.stopped()) {
      await this.deps.store.setStopped(false);
      await this.deps.deployments.record("start", undefined, who, "started the optimizer: automatic actions resume");
    }
    return { running: true };
  }

  async stop(who: Actor): Promise<{ running: boolean }> {
    if (!(await this.deps.store.stopped())) {
      await this.deps.store.setStopped(true);
      await this.deps.deployments.record("stop", undefined, who, "stopped the optimizer: no automatic action runs until start");
    }
    return { running: false };
  }

  async status() {
    const d = this.deps.deployments;
    const last = (await this.deps.store.cycles(1))[0];
    const running = await this.isRunning();
    const pendingActions = (await this.deps.store.pending({ status: "pending" })).length;
    const pipelines = await Promise.all(
      (await d.policyPipelines()).map(async (id) => ({
        pipelineId: id,
        enabled: (await d.policy(id)).enabled,
        ...(await d.tags(id)),
        liveVersion: await d.liveVersion(id),
      })),
    );
    return {
      running,
      intervalMs: this.deps.intervalMs,
      ...(last ? { lastCycle: { id: last.id, at: last.at } } : {}),
      ...(this.timer && this.lastAt !== undefined ? { nextCycleAt: this.lastAt + this.deps.intervalMs } : {}),
      pendingActions,
      pipelines,
    };
  }

  /** One cycle over every pipeline with an enabled policy; the record is stored and returned. Runs after the cycle under way, if any. */
  async cycle(trigger: CycleSummary["trigger"] = "manual"): Promise<CycleSummary> {
    const before = this.current;
    const run = (async () => {
      await before?.catch(() => undefined);
      return this.runCycle(trigger);
    })();
    this.current = run;
    try {
      return await run;
    } finally {
      if (this.current === run) this.current = undefined;
    }
  }

  private async runCycle(trigger: CycleSummary["trigger"]): Promise<CycleSummary> {
    const at = this.now;
    this.lastAt = at;
    const stopped = await this.deps.store.stopped();
    const d = this.deps.deployments;
    const pipelines: PipelineCycle[] = [];
    for (const id of await d.policyPipelines()) {
      const policy = await d.policy(id);
      if (!policy.enabled) continue;
      pipelines.push(await this.cyclePipeline(id, stopped, at));
    }
    const record = { trigger, stopped, pipelines };
    const stored = await this.deps.store.addCycle(at, record);
    return { id: stored.id, at, ...record };
  }

  private async cyclePipeline(pipelineId: string, stopped: boolean, at: number): Promise<PipelineCycle> {
    const d = this.deps.deployments;
    const policy = await d.policy(pipelineId);
    const metrics = await d.metrics(pipelineId);
    const candidate = metrics.candidate;
    // Bookkeeping, not an automatic action (so also while stopped): an approval for a version that is no longer the candidate cannot be given.
    for (const a of await this.deps.store.pending({ pipelineId, status: "pending" }))
      if (a.kind === "promote" && a.version !== candidate?.version) await this.deps.store.decide(a.id, "stale", "optimizer");
    const alreadyAsked = candidate !== undefined && (await this.deps.store.hasAction(pipelineId, candidate.version));
    // Reading a trial back may save a version and offer it: an automatic action, so not while stopped.
    const trials: TrialProgress[] = [];
    if (!stopped) for (const t of await this.deps.trials.list({ pipelineId, status: "measuring" })) trials.push(await this.advance(t, policy));
    const previous = await d.previousLive(pipelineId);
    const liveCheck = decideLive({ policy, stopped, live: metrics.live, ...(previous ? { previous } : {}) });
    // A degraded live version comes first: with live rolled back, the candidate's comparison with it means nothing this cycle.
    const { gates, decision } =
      liveCheck.decision.action === "none"
        ? decide({ policy, stopped, live: metrics.live, ...(candidate ? { candidate } : {}), alreadyAsked })
        : { gates: [], decision: liveCheck.decision };
    const out: PipelineCycle = {
      pipelineId,
      liveVersion: metrics.live.version,
      ...(candidate ? { candidateVersion: candidate.version } : {}),
      metrics: { live: metrics.live, ...(candidate ? { candidate } : {}) },
      liveGates: liveCheck.gates,
      gates,
      decision,
      ...(trials.length > 0 ? { trials } : {}),
    };
    const evidence = { metrics: out.metrics, gates, liveGates: liveCheck.gates, policy };
    if (decision.action === "rollback-live" && previous) await d.rollbackLive(pipelineId, previous.version, { ...AUTO, reason: decision.reason, evidence });
    else if (decision.action === "rollback") await d.untag(pipelineId, "candidate", { ...AUTO, action: "rollback", reason: decision.reason, evidence });
    else if (decision.action === "promote") await d.promote(pipelineId, { ...AUTO, reason: decision.reason, evidence });
    else if (decision.action === "queue-approval" && candidate) {
      const a = await this.deps.store.addPending({ pipelineId, kind: "promote", version: candidate.version, reason: decision.reason, evidence });
      await d.record("approval-requested", pipelineId, AUTO, decision.reason, { actionId: a.id, version: candidate.version, ...evidence });
      out.pendingActionId = a.id;
    }
    const budget = checkBudget(policy, metrics.live, await d.spendSince(pipelineId, at - DAY_MS));
    if (budget) {
      out.budget = budget;
      const live = await this.deps.pipelines.get(pipelineId, metrics.live.version);
      const cheaper = live ? cheaperBackend(live.pipeline, this.deps.pool.list()) : undefined;
      if (live && cheaper) {
        const reason = `${budget.kind} at ${Math.round(budget.share * 100)} % of the budget; node "${cheaper.node}" could use "${cheaper.to}" instead of "${cheaper.from}"`;
        out.suggestion = { type: "cheaper-backend", ...cheaper, reason };
        if (policy.datasetId && stopped) out.suggestion.skipped = "stopped: no action";
        else if (policy.datasetId)
          Object.assign(
            out.suggestion,
            await proposeCheaper(this.suggestDeps, {
              pipelineId,
              liveVersion: metrics.live.version,
              live: live.pipeline,
              cheaper,
              datasetId: policy.datasetId,
              reason,
              applyAtOnce: policy.autoPromote && !policy.manualApprovalRequired,
            }),
          );
      }
    }
    const trial = await this.trialToStart(pipelineId, policy, metrics.live, out);
    if (trial && policy.datasetId) {
      out.trialStarted = {
        ...trial,
        ...(stopped ? { skipped: "stopped: no action" } : await this.startTrial(trial.type, pipelineId, policy.datasetId, trial.reason)),
      };
    }
    return out;
  }

  /**
   * Which trial this cycle should start, if any: past 80 % of the budget with no cheaper backend
   * to offer, learned routing (a complexity route) or else pruning; past the latency target,
   * pruning. Each at most once per live version: a person can ask again (suggest()).
   */
  private async trialToStart(
    pipelineId: string,
    policy: Policy,
    live: LiveMetrics,
    out: PipelineCycle,
  ): Promise<{ type: TrialType; reason: string } | undefined> {
    const tried = async (type: TrialType) =>
      (await this.deps.trials.list({ pipelineId, limit: 1000 })).some((t) => t.type === type && t.liveVersion === live.version);
    const version = await this.deps.pipelines.get(pipelineId, live.version);
    if (!version || out.candidateVersion !== undefined) return undefined;
    // A suggestion waiting for a person is the change in hand; another would only pile up versions.
    if ((await this.deps.store.pending({ pipelineId, status: "pending" })).some((a) => a.kind === "suggestion")) return undefined;
    if (out.budget && (!out.suggestion || out.suggestion.skipped?.startsWith("already suggested"))) {
      const why = `${out.budget.kind} at ${Math.round(out.budget.share * 100)} % of the budget`;
      if (complexityRoutes(version.pipeline).length > 0 && !(await tried("routing")))
        return { type: "routing", reason: `${why}; fitting the route thresholds` };
      if (!(await tried("prune"))) return { type: "prune", reason: `${why}; trying to remove stages` };
    }
    if (policy.latencyTargetMs !== undefined && live.runs >= policy.minSamples && live.p95LatencyMs > policy.latencyTargetMs && !(await tried("prune")))
      return { type: "prune", reason: `live p95 latency ${Math.round(live.p95LatencyMs)} ms is above the target ${policy.latencyTargetMs} ms` };
    return undefined;
  }

  private get trialDeps(): TrialDeps {
    return { ...this.suggestDeps, registry: this.deps.registry, backends: () => this.deps.pool.list(), runs: this.deps.runs };
  }

  private async advance(t: Trial, policy: Policy): Promise<TrialProgress> {
    try {
      return await advanceTrial(this.trialDeps, t, policy.autoPromote && !policy.manualApprovalRequired);
    } catch (err) {
      const reason = `reading the trial back failed: ${(err as Error).message}`;
      await this.deps.trials.finish(t.id, "failed", { reason });
      return { trialId: t.id, type: t.type, status: "failed", reason };
    }
  }

  private async startTrial(
    type: TrialType,
    pipelineId: string,
    datasetId: string,
    reason: string,
    extra: Pick<SuggestRequest, "route" | "maxScoreDrop"> = {},
  ): Promise<TrialStart> {
    const liveVersion = await this.deps.deployments.liveVersion(pipelineId);
    const live = await this.deps.pipelines.get(pipelineId, liveVersion);
    if (!live) throw new NotFoundError(`pipeline "${pipelineId}" version ${liveVersion} not found`);
    const req = { pipelineId, liveVersion, live: live.pipeline, datasetId, reason, ...extra };
    return type === "prune" ? startPruneTrial(this.trialDeps, req) : startRoutingTrial(this.trialDeps, req);
  }

  /**
   * A person asks for a suggestion now: the cheaper backend is proposed at once; pruning and
   * learned routing start a trial that later cycles read back (not while stopped).
   */
  async suggest(req: SuggestRequest, who: Actor): Promise<(SuggestionOutcome | TrialStart) & { type: SuggestionType }> {
    const d = this.deps.deployments;
    const liveVersion = await d.liveVersion(req.pipelineId);
    const policy = await d.policy(req.pipelineId);
    const datasetId = req.datasetId ?? policy.datasetId;
    if (!datasetId) throw new BraidError("E_POLICY", `datasetId: "${req.pipelineId}" has no dataset in its policy; give one to try the suggestion on`);
    const reason = `asked by ${who.actor}`;
    if (req.type !== "cheaper-backend") {
      const extra = { ...(req.route !== undefined ? { route: req.route } : {}), ...(req.maxScoreDrop !== undefined ? { maxScoreDrop: req.maxScoreDrop } : {}) };
      return { type: req.type, ...(await this.startTrial(req.type, req.pipelineId, datasetId, reason, extra)) };
    }
    const live = await this.deps.pipelines.get(req.pipelineId, liveVersion);
    const cheaper = live ? cheaperBackend(live.pipeline, this.deps.pool.list()) : undefined;
    if (!live || !cheaper) return { type: req.type, skipped: "no enabled backend in the pool is cheaper than the ones this pipeline uses" };
    return {
      type: req.type,
      ...(await proposeCheaper(this.suggestDeps, {
        pipelineId: req.pipelineId,
        liveVersion,
        live: live.pipeline,
        cheaper,
        datasetId,
        reason: `${reason}: node "${cheaper.node}" could use "${cheaper.to}" instead of "${cheaper.from}"`,
        applyAtOnce: false,
      })),
    };
  }

  trials(filter: { pipelineId?: string; status?: TrialStatus; limit?: number } = {}): Promise<Trial[]> {
    return this.deps.trials.list(filter);
  }

  private get suggestDeps(): SuggestDeps {
    return {
      pipelines: this.deps.pipelines,
      experiments: this.deps.experiments,
      store: this.deps.store,
      deployments: this.deps.deployments,
      trials: this.deps.trials,
    };
  }

  async history(limit = 50): Promise<CycleSummary[]> {
    return (await this.deps.store.cycles(limit)).map((c) => ({ id: c.id, at: c.at, ...(c.record as Omit<CycleSummary, "id" | "at">) }));
  }

  pending(filter: { pipelineId?: string; status?: PendingStatus; limit?: number } = {}): Promise<PendingAction[]> {
    return this.deps.store.pending(filter);
  }

  private async pendingOrThrow(id: string): Promise<PendingAction> {
    const a = await this.deps.store.getPending(id);
    if (!a) throw new NotFoundError(`pending action "${id}" not found`);
    if (a.status !== "pending") throw new BraidError("E_ACTION_STATE", `action "${id}" is already ${a.status}`);
    return a;
  }

  /**
   * A person approves: a promotion moves live to its version (if that is still the candidate); a
   * suggestion tags its version candidate (if none is). Allowed while stopped: it is not automatic.
   */
  async approve(id: string, who: Actor): Promise<PendingAction> {
    const a = await this.pendingOrThrow(id);
    const d = this.deps.deployments;
    if (a.kind === "suggestion") {
      const busy = (await d.tags(a.pipelineId)).candidate;
      if (busy !== undefined)
        throw new BraidError("E_ACTION_STATE", `"${a.pipelineId}" already has candidate version ${busy}; untag it before trying suggestion "${id}"`);
      await d.record("approve", a.pipelineId, who, `approved trying suggested version ${a.version} as the candidate`, { actionId: id, version: a.version });
      await applySuggestion(this.suggestDeps, id, who);
      return (await this.deps.store.getPending(id)) as PendingAction;
    }
    if ((await d.tags(a.pipelineId)).candidate !== a.version) {
      await this.deps.store.decide(id, "stale", who.actor);
      throw new BraidError("E_ACTION_STATE", `action "${id}" promotes version ${a.version}, which is no longer the candidate of "${a.pipelineId}"`);
    }
    await this.deps.store.decide(id, "approved", who.actor);
    await d.record("approve", a.pipelineId, who, `approved promoting version ${a.version}`, { actionId: id, version: a.version });
    await d.promote(a.pipelineId, { ...who, expectVersion: a.version, evidence: { actionId: id, ...a.evidence } });
    return (await this.deps.store.getPending(id)) as PendingAction;
  }

  async reject(id: string, who: Actor): Promise<PendingAction> {
    const a = await this.pendingOrThrow(id);
    await this.deps.store.decide(id, "rejected", who.actor);
    const what = a.kind === "suggestion" ? `the suggested version ${a.version}` : `promoting version ${a.version}`;
    await this.deps.deployments.record("reject", a.pipelineId, who, `rejected ${what}`, { actionId: id, version: a.version });
    return (await this.deps.store.getPending(id)) as PendingAction;
  }

  /** Every stored policy's gates (or one pipeline's), named. */
  async gates(pipelineId?: string) {
    const d = this.deps.deployments;
    const ids = pipelineId ? [pipelineId] : await d.policyPipelines();
    const perPipeline = await Promise.all(ids.map(async (id) => namedGates((await d.policy(id)).gates).map((g) => ({ pipelineId: id, ...g }))));
    return perPipeline.flat();
  }

  /** Changes one gate's threshold (or expression) in a pipeline's policy; audited as a gate change. */
  async setGate(pipelineId: string, name: string, change: { threshold?: number; expr?: string }, who: Actor) {
    const d = this.deps.deployments;
    await d.liveVersion(pipelineId); // a missing pipeline is a 404, not "no such gate"
    const policy = await d.policy(pipelineId);
    const next = changeGate(policy.gates, name, change);
    await d.setPolicy(
      pipelineId,
      { ...policy, gates: next.gates },
      { ...who, reason: who.reason ?? `gate ${name}: ${next.before} → ${next.after}` },
      "gate-change",
    );
    return { pipelineId, name, before: next.before, after: next.after, gates: namedGates(next.gates) };
  }
}
