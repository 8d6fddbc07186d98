/**
 * Versions you deploy: the `live` and `candidate` tags per pipeline, the policy, and which version
 * a REST run gets. Every change is written to the audit trail here, so REST, tRPC, the CLI and the
 * optimizer cannot change a tag without a record.
 */
import { BraidError, type Pipeline } from "@braid/engine";
import type { AuditAction, AuditStore } from "../store/audit.js";
import type { DeploymentStore, Tag } from "../store/deployments.js";
import type { PipelineStore } from "../store/pipelines.js";
import { type LiveMetrics, type MetricsWindow, measure } from "./metrics.js";
import { DEFAULT_POLICY, type Policy, parsePolicy } from "./policy.js";
import { chooseTag } from "./split.js";

/** A pipeline or pending action that does not exist (HTTP 404, E_NOT_FOUND). */
export class NotFoundError extends Error {}

/** How a REST run chose its version; kept in the run's options so live metrics count only REST traffic. */
export type Traffic = "live" | "candidate" | "latest" | "pinned";

export interface Actor {
  /** `local` for people (the token has no name), `optimizer` for automatic actions. */
  actor: string;
  reason?: string;
  evidence?: Record<string, unknown>;
}

export class Deployments {
  constructor(
    private readonly deps: {
      store: DeploymentStore;
      pipelines: PipelineStore;
      audit: AuditStore;
      window: MetricsWindow;
      now?: () => number;
      random?: () => number;
    },
  ) {}

  private get now(): number {
    return (this.deps.now ?? Date.now)();
  }

  private latest(pipelineId: string): number {
    const p = this.deps.pipelines.get(pipelineId);
    if (!p) throw new NotFoundError(`pipeline "${pipelineId}" not found`);
    return p.version;
  }

  private checkVersion(pipelineId: string, version: number): void {
    this.latest(pipelineId);
    if (!this.deps.pipelines.get(pipelineId, version))
      throw new BraidError("E_VERSION_NOT_FOUND", `pipeline "${pipelineId}" has no version ${version}`, { details: { pipelineId, version } });
  }

  record(action: AuditAction, pipelineId: string | undefined, who: Actor, reason: string, evidence: Record<string, unknown> = {}): void {
    this.deps.audit.append({
      actor: who.actor,
      action,
      ...(pipelineId !== undefined ? { pipelineId } : {}),
      reason: who.reason ?? reason,
      evidence: { ...evidence, ...who.evidence },
    });
  }

  tags(pipelineId: string): Partial<Record<Tag, number>> {
    return this.deps.store.tags(pipelineId);
  }

  /** The version REST traffic runs when no canary applies: `live`, else the latest. */
  liveVersion(pipelineId: string): number {
    return this.deps.store.tags(pipelineId).live ?? this.latest(pipelineId);
  }

  /** The pipeline's tags, policy and versions (each with its tags), for the Deployments view. */
  view(pipelineId: string) {
    const latest = this.latest(pipelineId);
    const tags = this.deps.store.tags(pipelineId);
    const versions = this.deps.pipelines.versions(pipelineId).map((v) => ({
      ...v,
      tags: (Object.entries(tags) as Array<[Tag, number]>).filter(([, n]) => n === v.version).map(([t]) => t),
    }));
    return { pipelineId, latest, ...tags, liveVersion: tags.live ?? latest, policy: this.policy(pipelineId), versions };
  }

  tag(pipelineId: string, tag: Tag, version: number, who: Actor): Partial<Record<Tag, number>> {
    this.checkVersion(pipelineId, version);
    const before = this.deps.store.tags(pipelineId)[tag];
    this.deps.store.setTag(pipelineId, tag, version);
    this.record("tag", pipelineId, who, `tagged version ${version} ${tag}`, { tag, version, ...(before !== undefined ? { previous: before } : {}) });
    return this.deps.store.tags(pipelineId);
  }

  untag(pipelineId: string, tag: Tag, who: Actor & { action?: "untag" | "rollback" }): Partial<Record<Tag, number>> {
    this.latest(pipelineId);
    const before = this.deps.store.tags(pipelineId)[tag];
    if (before === undefined) return this.deps.store.tags(pipelineId);
    this.deps.store.clearTag(pipelineId, tag);
    this.record(who.action ?? "untag", pipelineId, who, `removed tag ${tag} from version ${before}`, { tag, version: before });
    return this.deps.store.tags(pipelineId);
  }

  /** The candidate becomes live; the candidate tag is cleared (traffic all goes to the new live). */
  promote(pipelineId: string, who: Actor & { expectVersion?: number }): Partial<Record<Tag, number>> {
    this.latest(pipelineId);
    const tags = this.deps.store.tags(pipelineId);
    if (tags.candidate === undefined) throw new BraidError("E_NO_CANDIDATE", `pipeline "${pipelineId}" has no candidate version to promote`);
    if (who.expectVersion !== undefined && tags.candidate !== who.expectVersion)
      throw new BraidError("E_ACTION_STATE", `the candidate of "${pipelineId}" is now version ${tags.candidate}, not ${who.expectVersion}`);
    const previous = tags.live ?? this.latest(pipelineId);
    this.deps.store.setTag(pipelineId, "live", tags.candidate);
    this.deps.store.clearTag(pipelineId, "candidate");
    this.record("promote", pipelineId, who, `promoted version ${tags.candidate} to live (was ${previous})`, { version: tags.candidate, previous });
    return this.deps.store.tags(pipelineId);
  }

  /** An earlier version becomes live again (a manual rollback of live). */
  restore(pipelineId: string, version: number, who: Actor): Partial<Record<Tag, number>> {
    this.checkVersion(pipelineId, version);
    const previous = this.liveVersion(pipelineId);
    this.deps.store.setTag(pipelineId, "live", version);
    this.record("restore", pipelineId, who, `restored version ${version} as live (was ${previous})`, { version, previous });
    return this.deps.store.tags(pipelineId);
  }

  /**
   * The version live before the current one, from the audit entry that made the current one live
   * (promote, restore, tag, rollback); undefined when live is untagged or nothing came before.
   */
  previousLive(pipelineId: string): { version: number; cameByRollback: boolean } | undefined {
    const current = this.deps.store.tags(pipelineId).live;
    if (current === undefined) return undefined;
    for (const e of this.deps.audit.list({ pipelineId, limit: 1000 })) {
      const ev = e.evidence as { tag?: unknown; version?: unknown; previous?: unknown };
      const setsLive = e.action === "promote" || e.action === "restore" || ((e.action === "tag" || e.action === "rollback") && ev.tag === "live");
      if (!setsLive) continue;
      if (ev.version !== current || typeof ev.previous !== "number" || ev.previous === current) return undefined;
      return { version: ev.previous, cameByRollback: e.action === "rollback" };
    }
    return undefined;
  }

  /** The optimizer's rollback of live: the earlier version becomes live again, recorded as a rollback. */
  rollbackLive(pipelineId: string, version: number, who: Actor): Partial<Record<Tag, number>> {
    this.checkVersion(pipelineId, version);
    const previous = this.liveVersion(pipelineId);
    this.deps.store.setTag(pipelineId, "live", version);
    this.record("rollback", pipelineId, who, `rolled live back from version ${previous} to ${version}`, { tag: "live", version, previous });
    return this.deps.store.tags(pipelineId);
  }

  policy(pipelineId: string): Policy {
    const stored = this.deps.store.policy(pipelineId);
    return stored === undefined ? DEFAULT_POLICY : parsePolicy(stored);
  }

  hasPolicy(pipelineId: string): boolean {
    return this.deps.store.policy(pipelineId) !== undefined;
  }

  policyPipelines(): string[] {
    return this.deps.store.policyPipelines().filter((id) => this.deps.pipelines.get(id) !== undefined);
  }

  setPolicy(pipelineId: string, input: unknown, who: Actor, action: "policy-change" | "gate-change" = "policy-change"): Policy {
    this.latest(pipelineId);
    const policy = parsePolicy(input);
    const before = this.deps.store.policy(pipelineId);
    this.deps.store.setPolicy(pipelineId, policy);
    this.record(action, pipelineId, who, "changed the deployment policy", { before: before ?? null, after: policy });
    return policy;
  }

  /**
   * The version a REST run gets: `pinned` to `?version=`, else the canary split between
   * `candidate` and `live` (the latest version when nothing is tagged).
   */
  pick(pipelineId: string, opts: { version?: number; splitKey?: string }): { pipeline: Pipeline; version: number; traffic: Traffic } {
    if (opts.version !== undefined) {
      this.checkVersion(pipelineId, opts.version);
      const p = this.deps.pipelines.get(pipelineId, opts.version);
      return { pipeline: (p as NonNullable<typeof p>).pipeline, version: opts.version, traffic: "pinned" };
    }
    const tags = this.deps.store.tags(pipelineId);
    const policy = tags.candidate !== undefined ? this.policy(pipelineId) : DEFAULT_POLICY;
    const tag = chooseTag({
      enabled: policy.enabled,
      canaryPercent: policy.canaryPercent,
      hasCandidate: tags.candidate !== undefined,
      ...(opts.splitKey !== undefined ? { splitKey: opts.splitKey } : {}),
      ...(this.deps.random ? { random: this.deps.random } : {}),
    });
    // One document read per run on this hot path: the tagged version, or the latest when the tag is unset (or its version is gone).
    const version = tags[tag];
    const chosen = version === undefined ? undefined : this.deps.pipelines.get(pipelineId, version);
    if (chosen) return { pipeline: chosen.pipeline, version: chosen.version, traffic: tag };
    const latest = this.deps.pipelines.get(pipelineId);
    if (!latest) throw new NotFoundError(`pipeline "${pipelineId}" not found`);
    return { pipeline: latest.pipeline, version: latest.version, traffic: "latest" };
  }

  /** Live metrics of the live version and, when tagged, the candidate. */
  metrics(pipelineId: string, window: MetricsWindow = this.deps.window): { pipelineId: string; live: LiveMetrics; candidate?: LiveMetrics } {
    const live = measure(this.deps.store, pipelineId, this.liveVersion(pipelineId), window, this.now);
    const c = this.deps.store.tags(pipelineId).candidate;
    return { pipelineId, live, ...(c !== undefined ? { candidate: measure(this.deps.store, pipelineId, c, window, this.now) } : {}) };
  }

  spendSince(pipelineId: string, since: number): number {
    return this.deps.store.spendSince(pipelineId, since);
  }
}
