import { type LangGraphRunnableConfig, isGraphBubbleUp } from "@langchain/langgraph";
import { createRng } from "../backends/rng.js";
import {
  type LlmRequest,
  BraidError,
  toErrorInfo,
  type Usage,
  addUsage,
  emptyUsage,
  type LlmCallResult,
  type NodeContext,
  type NodeMeta,
  type NodeResult,
  type Prepared,
  evaluateExpression,
  renderTemplate,
  resolveTemplateValue,
} from "@braid/core";
import type { CompiledNode, RunState } from "../compile/compile.js";
import { reviewWaiter } from "./approval.js";
import { RUN_CONTEXT_KEY, type RunContext } from "./context.js";
import { assertSize, yieldToEventLoop } from "./limits.js";
import { parseModelOutput } from "./llm-json.js";

type StateUpdate = { outputs: Record<string, unknown>; meta: Record<string, NodeMeta> };

/** Runs one pipeline node inside LangGraph: events, usage, reuse of recorded outputs, errors with codes. */
export async function executeNode(cn: CompiledNode, state: RunState, config: LangGraphRunnableConfig): Promise<StateUpdate> {
  const rc = config.configurable?.[RUN_CONTEXT_KEY] as RunContext | undefined;
  if (!rc) throw new BraidError("E_INTERNAL", "run context missing");
  const id = cn.node.id;
  const prevMeta: NodeMeta = state.meta[id] ?? { visits: 0 };
  const visit = prevMeta.visits;
  const span = `${id}#${visit + 1}`;
  // A loop of cheap nodes (routes) never waits on I/O; without a turn here it would hold the
  // event loop, and every other request, until the run ends.
  await yieldToEventLoop();
  if (++rc.steps.count > rc.limits.maxSteps) throw stepLimit(rc, id, state.meta);
  const started = rc.now();

  const logged = rc.resumeLog?.finished.get(span);
  if (logged)
    return toUpdate(id, prevMeta, visit, {
      output: logged.output,
      ...(logged.branch !== undefined ? { branch: logged.branch } : {}),
      meta: (logged.meta ?? {}) as Partial<NodeMeta>,
      ...(logged.replaces ? { replaces: logged.replaces } : {}),
    });
  const logEvent = rc.resumeLog ? dedupe(rc, rc.resumeLog.seen) : rc.emit;
  // Checked before the event leaves, so an oversized one is never stored or streamed.
  const emit: RunContext["emit"] = (e) => {
    assertSize(`its ${e.type} event`, e, rc.limits.maxEventBytes, id);
    logEvent(e);
  };

  const recorded = rc.reuse?.get(id)?.[visit];
  if (recorded) {
    emit({ type: "node_started", nodeId: id, span, kind: cn.node.kind, attempt: visit + 1 });
    emit({
      type: "node_finished",
      nodeId: id,
      span,
      output: recorded.output,
      durationMs: 0,
      usage: emptyUsage(),
      reused: true,
      ...(recorded.branch !== undefined ? { branch: recorded.branch } : {}),
      ...(recorded.meta ? { meta: recorded.meta } : {}),
      ...(recorded.replaces ? { replaces: recorded.replaces } : {}),
    });
    return toUpdate(id, prevMeta, visit, {
      output: recorded.output,
      ...(recorded.branch ? { branch: recorded.branch } : {}),
      meta: (recorded.meta ?? {}) as Partial<NodeMeta>,
      ...(recorded.replaces ? { replaces: recorded.replaces } : {}),
    });
  }

  const nodeUsage: Usage = emptyUsage();
  let lastCall: { backend: string; model: string; raw: string } | undefined;
  let callIndex = 0;
  const view: Record<string, unknown> = { ...state.outputs, input: state.input };
  const random = createRng(`${rc.seed}|${id}|${visit}|random`);

  // Without a token listener, backends answer in one piece (batch runs keep no token events).
  const onToken = rc.tokens === false ? undefined : (text: string) => emit({ type: "token", nodeId: id, span, text });
  const llm = async (backendName: string, request: LlmRequest): Promise<LlmCallResult> => {
    const callOnce = async (req: LlmRequest) => {
      const res = await rc.pool.call(
        rc.backendOverride ?? backendName,
        req,
        { signal: rc.signal, seedKey: `${rc.seed}|${id}|${visit}|${callIndex++}`, random, onToken },
        {
          onRetry: (r) => emit({ type: "retry", nodeId: id, span, backend: r.backend, attempt: r.attempt, delayMs: r.delayMs, error: r.error }),
          onFallback: (f) => emit({ type: "fallback", nodeId: id, span, from: f.from, to: f.to, reason: f.reason }),
          onCacheHit: (c) => emit({ type: "cache_hit", nodeId: id, span, backend: c.backend }),
          onBreaker: (b) => emit({ type: "breaker", nodeId: id, span, backend: b.backend, from: b.from, to: b.to }),
        },
      );
      addUsage(nodeUsage, res.usage);
      addUsage(rc.usage, res.usage);
      lastCall = { backend: res.backend, model: res.model, raw: res.text };
      rc.checkBudget();
      return res;
    };
    // The simulated backend answers as the kind says (in-process only: never hashed or logged).
    const simulate = cn.kind.simulate;
    const res = await callOnce(simulate ? { ...request, simulate: (sim) => simulate.call(cn.kind, request, sim) } : request);
    if (!request.json) return { text: res.text, backend: res.backend, model: res.model };
    // Defects jsonrepair can mend (truncation, trailing commas, single quotes) are mended locally, for free.
    let parsed = parseModelOutput(res.text, request.json);
    if (!parsed.ok) {
      // One paid repair attempt: the model sees its own output and what was wrong with it.
      // The repair is the runtime's own call, not the kind's: no kind simulation.
      const { simulate: _kindSimulation, ...plain } = request;
      const repair = await callOnce({
        ...plain,
        system: "You repair JSON. Reply with valid JSON only, no prose.",
        prompt: `This output was rejected (${parsed.error}). Return it corrected as JSON only:\n${res.text}`,
        task: { type: "repair", broken: res.text },
      });
      parsed = parseModelOutput(repair.text, request.json);
      if (!parsed.ok) throw new BraidError(parsed.code, `${parsed.error} (after one repair attempt)`, { nodeId: id });
    }
    return { text: res.text, json: parsed.value, backend: res.backend, model: res.model };
  };

  const ctx: NodeContext<unknown> = {
    node: cn.node,
    config: cn.config,
    pipeline: cn.pipeline,
    incoming: cn.incoming,
    state: view,
    meta: state.meta,
    visit,
    signal: rc.signal,
    random,
    render: (t) => renderTemplate(t, view, id),
    value: (t) => resolveTemplateValue(t, view, id),
    evaluate: (x) => evaluateExpression(x, view),
    llm,
    emit: (e) => emit({ ...e, nodeId: id, span } as Parameters<RunContext["emit"]>[0]),
  };
  // Pausing needs a checkpointer to hold the pause (LangGraph's interrupt()).
  // On resume the paused node executes again from its start; the resume log drops its repeated events.
  if (rc.canPause) ctx.waitForReview = reviewWaiter(rc, id, span, emit);

  let startedEmitted = false;
  try {
    const prepared: Prepared = cn.kind.prepare ? await cn.kind.prepare(ctx) : {};
    emit({ type: "node_started", nodeId: id, span, kind: cn.node.kind, attempt: visit + 1, ...prepared });
    startedEmitted = true;
    const result = await cn.kind.execute(ctx, prepared);
    assertSize("its output", result.output, rc.limits.maxOutputBytes, id);
    emit({
      type: "node_finished",
      nodeId: id,
      span,
      output: result.output,
      durationMs: rc.now() - started,
      usage: nodeUsage,
      ...(lastCall ? { backend: lastCall.backend, model: lastCall.model, raw: lastCall.raw } : {}),
      ...(result.branch !== undefined ? { branch: result.branch } : {}),
      ...(result.meta ? { meta: result.meta as Record<string, unknown> } : {}),
      ...(result.replaces ? { replaces: result.replaces } : {}),
    });
    return toUpdate(id, prevMeta, visit, result);
  } catch (err) {
    // interrupt() pauses by throwing: LangGraph checkpoints the pause, it is not a failure.
    if (rc.signal.aborted || isGraphBubbleUp(err)) throw err;
    if (!startedEmitted) emit({ type: "node_started", nodeId: id, span, kind: cn.node.kind, attempt: visit + 1 });
    const info = toErrorInfo(err, id);
    emit({ type: "node_failed", nodeId: id, span, error: info, durationMs: rc.now() - started });
    throw new BraidError(info.code, info.message, { nodeId: id, cause: err });
  }
}

/** Names the node that hit the limit and the most-visited node, which is where the loop is. */
function stepLimit(rc: RunContext, id: string, meta: Record<string, NodeMeta>): BraidError {
  let loop = id;
  let visits = meta[id]?.visits ?? 0;
  for (const [nodeId, m] of Object.entries(meta)) {
    if (m.visits > visits) {
      loop = nodeId;
      visits = m.visits;
    }
  }
  return new BraidError(
    "E_STEP_LIMIT",
    `node "${id}": the run reached its limit of ${rc.limits.maxSteps} node steps; the loop through "${loop}" had run ${visits} times`,
    { nodeId: id, details: { maxSteps: rc.limits.maxSteps, loopNode: loop, visits } },
  );
}

/** On resume, drops events of a span that the log already has, so nothing is logged twice. */
function dedupe(rc: RunContext, seen: Set<string>): RunContext["emit"] {
  return (e) => {
    if ("span" in e && seen.has(`${e.span}|${e.type}`)) return;
    rc.emit(e);
  };
}

function toUpdate(id: string, prev: NodeMeta, visit: number, result: NodeResult): StateUpdate {
  const outputs: Record<string, unknown> = { [id]: result.output };
  for (const other of result.replaces ?? []) outputs[other] = result.output;
  const meta: NodeMeta = { ...prev, ...result.meta, visits: visit + 1 };
  if (result.branch !== undefined) meta.branch = result.branch;
  if (result.reason !== undefined) meta.reason = result.reason;
  return { outputs, meta: { [id]: meta } };
}
