import { interrupt } from "@langchain/langgraph";
import { BraidError, type Pipeline, type Registry, type ReviewAnswer, type ReviewRequest, type RunEvent, type RunEventInit, isPlainObject } from "@braid/core";
import type { RunContext } from "./context.js";
import { outputProblems } from "./llm-json.js";

/** A decision for the node a run waits at: what `POST /api/runs/:id/resume` sends. */
export interface ResumeDecision extends ReviewAnswer {
  node: string;
}

/** The node a run is waiting at, read from its event log (the last node_waiting not yet resumed). */
export type WaitingAt = Extract<RunEvent, { type: "node_waiting" }>;

/**
 * The run context's `waitForReview` for one node execution: logs node_waiting and hands over to
 * LangGraph's interrupt(), which throws the first time and returns the resume value when the run
 * continues. The resumed execution logs node_waiting again, which the resume log drops.
 */
export function reviewWaiter(rc: RunContext, nodeId: string, span: string, emit: (e: RunEventInit) => void) {
  return (req: ReviewRequest): ReviewAnswer => {
    emit({
      type: "node_waiting",
      nodeId,
      span,
      message: req.message,
      value: req.value,
      allowEdit: req.allowEdit,
      decisions: req.decisions,
      ...(req.reviews !== undefined ? { reviews: req.reviews } : {}),
      ...(req.timeoutMs !== undefined ? { timeoutAt: rc.now() + req.timeoutMs } : {}),
    });
    const { node: _node, ...answer } = interrupt({ nodeId, span }) as ResumeDecision;
    return answer;
  };
}

/**
 * The node a run is waiting at, from its events, or undefined when it is not waiting. Two
 * approvals paused side by side both log node_waiting; run_waiting names the one to answer next.
 */
export function waitingAt(events: Iterable<RunEvent>): WaitingAt | undefined {
  const open = new Map<string, WaitingAt>();
  let at: string | undefined;
  for (const e of events) {
    if (e.type === "node_waiting") open.set(e.nodeId, e);
    else if ((e.type === "node_finished" || e.type === "node_failed") && open.get(e.nodeId)?.span === e.span) open.delete(e.nodeId);
    else if (e.type === "run_waiting") at = e.nodeId;
    else if (e.type === "run_resumed") at = undefined;
    else if (e.type === "run_finished" || e.type === "run_failed" || e.type === "run_cancelled") {
      open.clear();
      at = undefined;
    }
  }
  return at === undefined ? undefined : open.get(at);
}

const fail = (message: string, nodeId: string) => new BraidError("E_REVIEW_INVALID", message, { nodeId });

/**
 * Checks a person's decision against the node the run waits at before anything resumes: the
 * node, a decision it offers, and an edited value only when editing is allowed and, when the
 * reviewed node declares a JSON shape or schema, one that satisfies it. Throws E_REVIEW_INVALID
 * naming the field. `timeout` is accepted only with `allowTimeout` (the server's own timer).
 */
export function checkResume(
  pipeline: Pipeline,
  registry: Registry,
  waiting: WaitingAt,
  d: { node?: unknown; decision?: unknown; value?: unknown },
  opts: { allowTimeout?: boolean } = {},
): void {
  const id = waiting.nodeId;
  if (d.node !== id) throw fail(`node: the run is waiting at "${id}", not ${JSON.stringify(d.node ?? null)}`, id);
  const decisions = opts.allowTimeout && waiting.timeoutAt !== undefined ? [...waiting.decisions, "timeout"] : waiting.decisions;
  if (typeof d.decision !== "string" || !decisions.includes(d.decision))
    throw fail(`decision: must be one of ${decisions.map((x) => `"${x}"`).join(", ")}, got ${JSON.stringify(d.decision ?? null)}`, id);
  if (d.value === undefined) return;
  if (!waiting.allowEdit) throw fail(`value: node "${id}" does not allow editing the reviewed output`, id);
  const reviewed = waiting.reviews ? pipeline.nodes.find((n) => n.id === waiting.reviews) : undefined;
  if (!reviewed) return;
  // The reviewed node's declared output form (a generate's shape/schema/count), when its kind has one.
  const parsed = registry.parseConfig(reviewed);
  const config = parsed?.ok && isPlainObject(parsed.config) ? parsed.config : {};
  const spec = {
    ...(config.shape !== undefined ? { shape: config.shape } : {}),
    ...(isPlainObject(config.schema) ? { schema: config.schema } : {}),
    ...(typeof config.count === "number" ? { count: config.count } : {}),
  };
  const problems = Object.keys(spec).length ? outputProblems(d.value, spec) : [];
  if (problems.length) throw fail(`value: does not match the output form of "${reviewed.id}": ${problems.slice(0, 5).join("; ")}`, id);
}

/**
 * Runs that nobody can resume (batches, experiments) refuse a pipeline with a node that pauses for
 * a person, naming the node, instead of leaving every record waiting.
 */
export function refusePausingNodes(pipeline: Pipeline, registry: Registry, what = "a batch run"): void {
  const node = pipeline.nodes.find((n) => registry.get(n.kind)?.pauses === true);
  if (node)
    throw new BraidError(
      "E_APPROVAL_UNSUPPORTED",
      `node "${node.id}" (${node.kind}) pauses the run for a person, which ${what} cannot do; remove it or run the pipeline on its own`,
      { nodeId: node.id },
    );
}
