/**
 * A suggestion with its evidence: a change saved as a new version of the pipeline, and
 * experiments over the policy's dataset comparing it with live (same seeds, so the paired
 * comparison holds). It waits as a pending action; approving it tags the version `candidate`, from
 * where the canary and the gates decide as for any candidate. The cheaper backend is proposed here
 * at once; pruning and learned routing need experiments first (trials.ts) and share the steps.
 */
import type { Pipeline } from "@braid/engine";
import { isPlainObject } from "@braid/engine";
import { resolveEvaluators } from "../eval/experiment-checks.js";
import type { CreateExperiment } from "../eval/experiments.js";
import type { ExperimentRecord, ExperimentRecordRow } from "../store/experiments.js";
import type { TrialStore } from "../store/trials.js";
import type { OptimizerStore } from "../store/optimizer.js";
import type { PipelineStore } from "../store/pipelines.js";
import type { CheaperBackend } from "./cheaper.js";
import type { Actor, Deployments } from "./deployments.js";

export interface SuggestDeps {
  /** The store without the audit decorator: the optimizer records its own saves, as itself. */
  pipelines: PipelineStore;
  experiments: {
    create(req: CreateExperiment): Promise<{ id: string }>;
    get(id: string): Promise<ExperimentRecord | undefined>;
    rows(id: string): Promise<ExperimentRecordRow[]>;
  };
  store: OptimizerStore;
  deployments: Deployments;
  trials: TrialStore;
}

export interface SuggestionOutcome {
  /** The pending action, the version it would tag candidate, and the experiments comparing it with live. */
  actionId?: string;
  version?: number;
  experiments?: { baseline: string; candidate: string };
  /** Why no candidate was made. */
  skipped?: string;
}

export const OPTIMIZER: Actor = { actor: "optimizer" };

const withBackend = (p: Pipeline, node: string, backend: string): Pipeline => ({
  ...p,
  nodes: p.nodes.map((n) => (n.id === node ? { ...n, config: { ...(isPlainObject(n.config) ? n.config : {}), backend } } : n)),
});

const sameChange = (evidence: Record<string, unknown>, liveVersion: number, c: CheaperBackend): boolean => {
  const s = evidence.suggestion as Partial<CheaperBackend> | undefined;
  return evidence.liveVersion === liveVersion && s?.node === c.node && s.to === c.to;
};

/** Why nothing new may be tried on this pipeline now, if so: one change at a time. */
export async function busyWith(deps: Pick<SuggestDeps, "deployments" | "trials">, pipelineId: string): Promise<string | undefined> {
  const candidate = (await deps.deployments.tags(pipelineId)).candidate;
  if (candidate !== undefined) return `candidate v${candidate} is being tried; one change at a time`;
  const trial = (await deps.trials.list({ pipelineId, status: "measuring", limit: 1 }))[0];
  if (trial) return `trial ${trial.id} (${trial.type}) is still measuring; one change at a time`;
  return undefined;
}

/** Saves a version the optimizer made, live pinned first (untagged, REST traffic runs the latest, which the save would change). */
export async function saveVersion(deps: SuggestDeps, pipelineId: string, liveVersion: number, pipeline: Pipeline, message: string): Promise<number> {
  if ((await deps.deployments.tags(pipelineId)).live === undefined)
    await deps.deployments.tag(pipelineId, "live", liveVersion, { ...OPTIMIZER, reason: `kept version ${liveVersion} live before saving a suggested version` });
  const saved = await deps.pipelines.save(pipeline, { id: pipelineId, message });
  await deps.deployments.record("save", pipelineId, OPTIMIZER, message, { version: saved.version, name: saved.name });
  return saved.version;
}

export const startExperiment = async (
  deps: SuggestDeps,
  pipelineId: string,
  version: number,
  datasetId: string,
  name: string,
  evaluators?: unknown[],
): Promise<string> =>
  (
    await deps.experiments.create({
      pipelineId,
      pipelineVersion: version,
      datasetId,
      name,
      ...(evaluators ? { evaluators, useEvaluationSection: false } : {}),
    })
  ).id;

/** A suggested version waits as a pending action (audited with its evidence), or is tried at once when the policy says so. */
export async function offer(
  deps: SuggestDeps,
  s: { pipelineId: string; version: number; reason: string; evidence: Record<string, unknown>; applyAtOnce: boolean },
): Promise<string> {
  const action = await deps.store.addPending({ pipelineId: s.pipelineId, kind: "suggestion", version: s.version, reason: s.reason, evidence: s.evidence });
  await deps.deployments.record("suggest", s.pipelineId, OPTIMIZER, `${s.reason}; saved as version ${s.version}`, {
    actionId: action.id,
    version: s.version,
    ...s.evidence,
  });
  if (s.applyAtOnce) await applySuggestion(deps, action.id, OPTIMIZER);
  return action.id;
}

export async function proposeCheaper(
  deps: SuggestDeps,
  input: { pipelineId: string; liveVersion: number; live: Pipeline; cheaper: CheaperBackend; datasetId: string; reason: string; applyAtOnce: boolean },
): Promise<SuggestionOutcome> {
  const { pipelineId, liveVersion, cheaper } = input;
  const earlier = (await deps.store.pending({ pipelineId, limit: 1000 })).find((a) => a.kind === "suggestion" && sameChange(a.evidence, liveVersion, cheaper));
  if (earlier) return { skipped: `already suggested (action ${earlier.id}, ${earlier.status})` };
  const busy = await busyWith(deps, pipelineId);
  if (busy) return { skipped: busy };
  try {
    resolveEvaluators(input.live, undefined, true);
  } catch (err) {
    return { skipped: `no experiment can judge it: ${(err as Error).message}` };
  }
  let baseline: string;
  try {
    // Live's experiment first: a missing dataset stops here, before a version is saved.
    baseline = await startExperiment(deps, pipelineId, liveVersion, input.datasetId, `${pipelineId} v${liveVersion} (live)`);
  } catch (err) {
    return { skipped: `the experiment could not start: ${(err as Error).message}` };
  }
  const message = `suggestion: node "${cheaper.node}" on "${cheaper.to}" instead of "${cheaper.from}"`;
  const version = await saveVersion(deps, pipelineId, liveVersion, withBackend(input.live, cheaper.node, cheaper.to), message);
  const experiments = { baseline, candidate: await startExperiment(deps, pipelineId, version, input.datasetId, `${pipelineId} v${version} (suggested)`) };
  const evidence = { liveVersion, suggestion: { type: "cheaper-backend", ...cheaper }, experiments, datasetId: input.datasetId };
  const actionId = await offer(deps, { pipelineId, version, reason: input.reason, evidence, applyAtOnce: input.applyAtOnce });
  return { actionId, version, experiments };
}

/** Tags the suggested version candidate (approval, or the policy applying it at once). */
export async function applySuggestion(deps: Pick<SuggestDeps, "store" | "deployments">, actionId: string, who: Actor): Promise<void> {
  const a = await deps.store.getPending(actionId);
  if (!a) return;
  await deps.store.decide(actionId, "approved", who.actor);
  await deps.deployments.tag(a.pipelineId, "candidate", a.version, { ...who, reason: who.reason ?? `trying suggestion ${actionId}`, evidence: { actionId } });
}
