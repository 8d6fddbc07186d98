/**
 * A suggestion with its evidence: the cheaper-backend change saved as a new version of the
 * pipeline, and two experiments over the policy's dataset (live and the new version, same seeds,
 * so the paired comparison holds). It waits as a pending action; approving it tags the version
 * `candidate`, from where the canary and the gates decide as for any candidate.
 */
import type { Pipeline } from "@braid/engine";
import { isPlainObject } from "@braid/engine";
import { resolveEvaluators } from "../eval/experiment-checks.js";
import type { CreateExperiment } from "../eval/experiments.js";
import type { OptimizerStore } from "../store/optimizer.js";
import type { PipelineStore } from "../store/pipelines.js";
import type { CheaperBackend } from "./cheaper.js";
import type { Actor, Deployments } from "./deployments.js";

export interface SuggestDeps {
  /** The store without the audit decorator: the optimizer records its own saves, as itself. */
  pipelines: PipelineStore;
  experiments: { create(req: CreateExperiment): { id: string } };
  store: OptimizerStore;
  deployments: Deployments;
}

export interface SuggestionOutcome {
  /** The pending action, the version it would tag candidate, and the experiments comparing it with live. */
  actionId?: string;
  version?: number;
  experiments?: { baseline: string; candidate: string };
  /** Why no candidate was made. */
  skipped?: string;
}

const OPTIMIZER: Actor = { actor: "optimizer" };

const withBackend = (p: Pipeline, node: string, backend: string): Pipeline => ({
  ...p,
  nodes: p.nodes.map((n) => (n.id === node ? { ...n, config: { ...(isPlainObject(n.config) ? n.config : {}), backend } } : n)),
});

const sameChange = (evidence: Record<string, unknown>, liveVersion: number, c: CheaperBackend): boolean => {
  const s = evidence.suggestion as Partial<CheaperBackend> | undefined;
  return evidence.liveVersion === liveVersion && s?.node === c.node && s.to === c.to;
};

export function proposeCheaper(
  deps: SuggestDeps,
  input: { pipelineId: string; liveVersion: number; live: Pipeline; cheaper: CheaperBackend; datasetId: string; reason: string; applyAtOnce: boolean },
): SuggestionOutcome {
  const { pipelineId, liveVersion, cheaper } = input;
  const earlier = deps.store.pending({ pipelineId, limit: 1000 }).find((a) => a.kind === "suggestion" && sameChange(a.evidence, liveVersion, cheaper));
  if (earlier) return { skipped: `already suggested (action ${earlier.id}, ${earlier.status})` };
  const candidate = deps.deployments.tags(pipelineId).candidate;
  if (candidate !== undefined) return { skipped: `candidate v${candidate} is being tried; one change at a time` };
  try {
    resolveEvaluators(input.live, undefined, true);
  } catch (err) {
    return { skipped: `no experiment can judge it: ${(err as Error).message}` };
  }
  let baseline: string;
  try {
    // Live's experiment first: a missing dataset stops here, before a version is saved.
    baseline = deps.experiments.create({
      pipelineId,
      pipelineVersion: liveVersion,
      datasetId: input.datasetId,
      name: `${pipelineId} v${liveVersion} (live)`,
    }).id;
  } catch (err) {
    return { skipped: `the experiment could not start: ${(err as Error).message}` };
  }
  // Untagged, REST traffic runs the latest version, which the save below would change: pin live first.
  if (deps.deployments.tags(pipelineId).live === undefined)
    deps.deployments.tag(pipelineId, "live", liveVersion, { ...OPTIMIZER, reason: `kept version ${liveVersion} live before saving a suggested version` });
  const message = `suggestion: node "${cheaper.node}" on "${cheaper.to}" instead of "${cheaper.from}"`;
  const saved = deps.pipelines.save(withBackend(input.live, cheaper.node, cheaper.to), { id: pipelineId, message });
  deps.deployments.record("save", pipelineId, OPTIMIZER, message, { version: saved.version, name: saved.name });
  const exp = deps.experiments.create({
    pipelineId,
    pipelineVersion: saved.version,
    datasetId: input.datasetId,
    name: `${pipelineId} v${saved.version} (suggested)`,
  });
  const experiments = { baseline, candidate: exp.id };
  const evidence = { liveVersion, suggestion: { type: "cheaper-backend", ...cheaper }, experiments, datasetId: input.datasetId };
  const action = deps.store.addPending({ pipelineId, kind: "suggestion", version: saved.version, reason: input.reason, evidence });
  deps.deployments.record("suggest", pipelineId, OPTIMIZER, `${input.reason}; saved as version ${saved.version}`, {
    actionId: action.id,
    version: saved.version,
    ...evidence,
  });
  if (input.applyAtOnce) applySuggestion(deps, action.id, OPTIMIZER);
  return { actionId: action.id, version: saved.version, experiments };
}

/** Tags the suggested version candidate (approval, or the policy applying it at once). */
export function applySuggestion(deps: Pick<SuggestDeps, "store" | "deployments">, actionId: string, who: Actor): void {
  const a = deps.store.getPending(actionId);
  if (!a) return;
  deps.store.decide(actionId, "approved", who.actor);
  deps.deployments.tag(a.pipelineId, "candidate", a.version, { ...who, reason: who.reason ?? `trying suggestion ${actionId}`, evidence: { actionId } });
}
