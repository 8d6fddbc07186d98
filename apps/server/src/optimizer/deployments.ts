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

  private async latest(pipelineId: string): Promise<number> {
    const p = await this.deps.pipelines.get(pipelineId);
    if (!p) throw new NotFoundError(`pipeline "${pipelineId}" not found`);
    return p.version;
  }

  private async checkVersion(pipelineId: string, version: number): Promise<void> {
    await this.latest(pipelineId);
    if (!(await this.deps.pipelines.get(pipelineId, version)))
      throw new BraidError("E_VERSION_NOT_FOUND", `pipeline "${pipelineId}" has no version ${version}`, { details: { pipelineId, version } });
  }

  async record(action: AuditAction, pipelineId: string | undefined, who: Actor, reason: string, evidence: Record<string, unknown> = {}): Promise<void> {
    await this.deps.audit.append({
      actor: who.actor,
      action,
      ...(pipelineId !== undefined ? { pipelineId } : {}),
      reason: who.reason ?? reason,
      evidence: { ...evidence, ...who.evidence },
    });
  }

  tags(pipelineId: string): Promise<Partial<Record<Tag, number>>> {
    return this.deps.store.tags(pipelineId);
  }

  /** The version REST traffic runs when no canary applies: `live`, else the latest. */
  async liveVersion(pipelineId: string): Promise<number> {
    return (await this.deps.store.tags(pipelineId)).live ?? (await this.latest(pipelineId));
  }

  /** The pipeline's tags, policy and versions (each with its tags), for the Deployments view. */
  async view(pipelineId: string) {
    const latest = await this.latest(pipelineId);
    const tags = await this.deps.store.tags(pipelineId);
    const versions = (await this.deps.pipelines.versions(pipelineId)).map((v) => ({
      ...v,
      tags: (Object.entries(tags) as Array<[Tag, number]>).filter(([, n]) => n === v.version).map(([t]) => t),
    }));
    return { pipelineId, latest, ...tags, liveVersion: tags.live ?? latest, policy: await this.policy(pipelineId), versions };
  }

  async tag(pipelineId: string, tag: Tag, version: number, who: Actor): Promise<Partial<Record<Tag, number>>> {
    await this.checkVersion(pipelineId, version);
    const before = (await this.deps.store.tags(pipelineId))[tag];
    await this.deps.store.setTag(pipelineId, tag, version);
    await this.record("tag", pipelineId, who, `tagged version ${version} ${tag}`, { tag, version, ...(before !== undefined ? { previous: before } : {}) });
    return this.deps.store.tags(pipelineId);
  }

  async untag(pipelineId: string, tag: Tag, who: Actor & { action?: "untag" | "rollback" }): Promise<Partial<Record<Tag, number>>> {
    await this.latest(pipelineId);
    const before = (await this.deps.store.tags(pipelineId))[tag];
    if (before === undefined) return this.deps.store.tags(pipelineId);
    await this.deps.store.clearTag(pipelineId, tag);
    await this.record(who.action ?? "untag", pipelineId, who, `removed tag ${tag} from version ${before}`, { tag, version: before });
    return this.deps.store.tags(pipelineId);
  }

  /** The candidate becomes live; the candidate tag is cleared (traffic all goes to the new live). */
  async promote(pipelineId: string, who: Actor & { expectVersion?: number }): Promise<Partial<Record<Tag, number>>> {
    await this.latest(pipelineId);
    const tags = await this.deps.store.tags(pipelineId);
    if (tags.candidate === undefined) throw new BraidError("E_NO_CANDIDATE", `pipeline "${pipelineId}" has no candidate version to promote`);
    if (who.expectVersion !== undefined && tags.candidate !== who.expectVersion)
      throw new BraidError("E_ACTION_STATE", `the candidate of "${pipelineId}" is now version ${tags.candidate}, not ${who.expectVersion}`);
    const previous = tags.live ?? (await this.latest(pipelineId));
    await this.deps.store.setTag(pipelineId, "live", tags.candidate);
    await this.deps.store.clearTag(pipelineId, "candidate");
    await this.record("promote", pipelineId, who, `promoted version ${tags.candidate} to live (was ${previous})`, { version: tags.candidate, previous });
    return this.deps.store.tags(pipelineId);
  }

  /** An earlier version becomes live again (a manual rollback of live). */
  async restore(pipelineId: string, version: number, who: Actor): Promise<Partial<Record<Tag, number>>> {
    await this.checkVersion(pipelineId, version);
    const previous = await this.liveVersion(pipelineId);
    await this.deps.store.setTag(pipelineId, "live", version);
    await this.record("restore", pipelineId, who, `restored version ${version} as live (was ${previous})`, { version, previous });
    return this.deps.store.tags(pipelineId);
  }

  /**
   * The version live before the current one, from the audit entry that made the current one live
   * (promote, restore, tag, rollback); undefined when live is untagged or nothing came before.
   */
  async previousLive(pipelineId: string): Promise<{ version: number; cameByRollback: boolean } | undefined> {
    const current = (await this.deps.store.tags(pipelineId)).live;
    if (current === undefined) return undefined;
    for (const e of await this.deps.audit.list({ pipelineId, limit: 1000 })) {
      const ev = e.evidence as { tag?: unknown; version?: unknown; previous?: unknown };
      const setsLive = e.action === "promote" || e.action === "restore" || ((e.action === "tag" || e.action === "rollback") && ev.tag === "live");
      if (!setsLive) continue;
      if (ev.version !== current || typeof ev.previous !== "number" || ev.previous === current) return undefined;
      return { version: ev.previous, cameByRollback: e.action === "rollback" };
    }
    return undefined;
  }

  /** The optimizer's rollback of live: the earlier version becomes live again, recorded as a rollback. */
  async rollbackLive(pipelineId: string, version: number, who: Actor): Promise<Partial<Record<Tag, number>>> {
    await this.checkVersion(pipelineId, version);
    const previous = await this.liveVersion(pipelineId);
    await this.deps.store.setTag(pipelineId, "live", version);
    await this.record("rollback", pipelineId, who, `rolled live back from version ${previous} to ${version}`, { tag: "live", version, previous });
    return this.deps.store.tags(pipelineId);
  }

  async policy(pipelineId: string): Promise<Policy> {
    const stored = await this.deps.store.policy(pipelineId);
    return stored === undefined ? DEFAULT_POLICY : parsePolicy(stored);
  }

  async hasPolicy(pipelineId: string): Promise<boolean> {
    return (await this.deps.store.policy(pipelineId)) !== undefined;
  }

  async policyPipelines(): Promise<string[]> {
    const ids = await this.deps.store.policyPipelines();
    const exists = await Promise.all(ids.map(async (id) => (await this.deps.pipelines.get(id)) !== undefined));
    return ids.filter((_, i) => exists[i]);
  }

  async setPolicy(pipelineId: string, input: unknown, who: Actor, action: "policy-change" | "gate-change" = "policy-change"): Promise<Policy> {
    await this.latest(pipelineId);
    const policy = parsePolicy(input);
    const before = await this.deps.store.policy(pipelineId);
    await this.deps.store.setPolicy(pipelineId, policy);
    await this.record(action, pipelineId, who, "changed the deployment policy", { before: before ?? null, after: policy });
    return policy;
  }

  /**
   * The version a REST run gets: `pinned` to `?version=`, else the canary split between
   * `candidate` and `live` (the latest version when nothing is tagged).
   */
  async pick(pipelineId: string, opts: { version?: number; splitKey?: string }): Promise<{ pipeline: Pipeline; version: number; traffic: Traffic }> {
    if (opts.version !== undefined) {
      await this.checkVersion(pipelineId, opts.version);
      const p = await this.deps.pipelines.get(pipelineId, opts.version);
      return { pipeline: (p as NonNullable<typeof p>).pipeline, version: opts.version, traffic: "pinned" };
    }
    const tags = await this.deps.store.tags(pipelineId);
    const policy = tags.candidate !== undefined ? await this.policy(pipelineId) : DEFAULT_POLICY;
    const tag = chooseTag({
      enabled: policy.enabled,
      canaryPercent: policy.canaryPercent,
      hasCandidate: tags.candidate !== undefined,
      ...(opts.splitKey !== undefined ? { splitKey: opts.splitKey } : {}),
      ...(this.deps.random ? { random: this.deps.random } : {}),
    });
    // One document read per run on this hot path: the tagged version, or the latest when the tag is unset (or its version is gone).
    const version = tags[tag];
    const chosen = version === undefined ? undefined : await this.deps.pipelines.get(pipelineId, version);
    if (chosen) return { pipeline: chosen.pipeline, version: chosen.version, traffic: tag };
    const latest = await this.deps.pipelines.get(pipelineId);
    if (!latest) throw new NotFoundError(`pipeline "${pipelineId}" not found`);
    return { pipeline: latest.pipeline, version: latest.version, traffic: "latest" };
  }

  /** Live metrics of the live version and, when tagged, the candidate. */
  async metrics(pipelineId: string, window: MetricsWindow = this.deps.window): Promise<{ pipelineId: string; live: LiveMetrics; candidate?: LiveMetrics }> {
    const live = await measure(this.deps.store, pipelineId, await this.liveVersion(pipelineId), window, this.now);
    const c = (await this.deps.store.tags(pipelineId)).candidate;
    return { pipelineId, live, ...(c !== undefined ? { candidate: await measure(this.deps.store, pipelineId, c, window, this.now) } : {}) };
  }

  spendSince(pipelineId: string, since: number): Promise<number> {
    return this.deps.store.spendSince(pipelineId, since);
  }
}
