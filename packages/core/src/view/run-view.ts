import type { ErrorInfo } from "../errors.js";
import { type RunEvent, type RunStatus, type Usage, addUsage, emptyUsage, loopMetrics } from "../events.js";
import type { Pipeline } from "../format/schema.js";

/** One execution of one node, as the timeline and node details show it. */
export interface SpanView {
  span: string;
  nodeId: string;
  kind?: string;
  attempt: number;
  status: "running" | "ok" | "failed";
  /** Position in the run's event order, so views never depend on clock skew. */
  startSeq: number;
  finishSeq?: number;
  startedAt: number;
  finishedAt?: number;
  durationMs?: number;
  prompt?: string;
  system?: string;
  backend?: string;
  model?: string;
  /** Streamed text so far. */
  tokens: string;
  raw?: string;
  output?: unknown;
  usage: Usage;
  error?: ErrorInfo;
  retries: Array<{ attempt: number; delayMs: number; error: string; backend: string }>;
  fallbacks: Array<{ from: string; to: string; reason: string }>;
  cached: boolean;
  reused: boolean;
  branch?: string;
  reason?: string;
  /** Bounded loops: what the kind measured on this pass, and its one-line summary. */
  metrics?: Record<string, number>;
  summary?: string;
  passed?: boolean;
  maxAttempts?: number;
  /** A node that paused for a person: what it showed, and once resumed, who decided what. */
  review?: ReviewView;
  /** Timeline lane: spans that overlap in time get different lanes. */
  lane: number;
}

export interface ReviewView {
  message: string;
  reviews?: string;
  value: unknown;
  allowEdit: boolean;
  decisions: string[];
  timeoutAt?: number;
  decision?: string;
  reviewer?: string;
  comment?: string;
}

export interface NodeView {
  nodeId: string;
  status: "idle" | "running" | "ok" | "failed";
  spans: string[];
  retried: boolean;
  usage: Usage;
  durationMs: number;
  lastOutput?: unknown;
  branch?: string;
  reason?: string;
  attempts?: number;
  maxAttempts?: number;
  /** The latest loop pass's metrics. */
  metrics?: Record<string, number>;
}

export interface RunView {
  runId?: string;
  status: RunStatus;
  pipeline?: string;
  input?: unknown;
  seed?: number;
  parentRunId?: string;
  fromNode?: string;
  /** A single-node run: the one node that executed. */
  only?: string;
  startedAt?: number;
  finishedAt?: number;
  durationMs?: number;
  output?: unknown;
  error?: ErrorInfo;
  cancelReason?: string;
  /** Set while the run is `waiting`: the span that waits for a decision. */
  waiting?: { nodeId: string; span: string };
  usage: Usage;
  nodes: Record<string, NodeView>;
  spans: Record<string, SpanView>;
  /** Span ids in start order. */
  order: string[];
  /** `input` plus each node's latest output: the run state at this step. */
  state: Record<string, unknown>;
  /** Events applied so far. */
  steps: number;
  lanes: number;
}

export const emptyRunView = (): RunView => ({ status: "queued", usage: emptyUsage(), nodes: {}, spans: {}, order: [], state: {}, steps: 0, lanes: 0 });

const nodeOf = (v: RunView, nodeId: string): NodeView =>
  (v.nodes[nodeId] ??= { nodeId, status: "idle", spans: [], retried: false, usage: emptyUsage(), durationMs: 0 });

/** A span first seen through any event (parallel events may arrive out of order). */
function spanOf(v: RunView, nodeId: string, span: string, seq: number, at: number): SpanView {
  let s = v.spans[span];
  if (!s) {
    s = {
      span,
      nodeId,
      attempt: Number(span.split("#").pop()) || 1,
      status: "running",
      startSeq: seq,
      startedAt: at,
      tokens: "",
      usage: emptyUsage(),
      retries: [],
      fallbacks: [],
      cached: false,
      reused: false,
      lane: 0,
    };
    v.spans[span] = s;
    const node = nodeOf(v, nodeId);
    if (!node.spans.includes(span)) node.spans.push(span);
  }
  return s;
}

/**
 * Applies one event. The view is mutated in place for speed (a long run has thousands of token
 * events); callers that need snapshots use `runViewAt`. `seq` defaults to the step number.
 */
export function applyEvent(v: RunView, e: RunEvent, seq = v.steps + 1): RunView {
  v.steps++;
  v.runId ??= e.runId;
  switch (e.type) {
    case "run_started":
      Object.assign(v, { status: "running", pipeline: e.pipeline, input: e.input, seed: e.seed, startedAt: e.at });
      v.state.input = e.input;
      if (e.parentRunId) v.parentRunId = e.parentRunId;
      if (e.fromNode) v.fromNode = e.fromNode;
      if (e.only) v.only = e.only;
      break;
    case "node_started": {
      const s = spanOf(v, e.nodeId, e.span, seq, e.at);
      Object.assign(s, { kind: e.kind, attempt: e.attempt, startSeq: Math.min(s.startSeq, seq), startedAt: Math.min(s.startedAt, e.at) });
      if (e.prompt !== undefined) s.prompt = e.prompt;
      if (e.system !== undefined) s.system = e.system;
      if (e.backend !== undefined) s.backend = e.backend;
      if (s.status === "running") nodeOf(v, e.nodeId).status = "running";
      if (v.status === "queued") v.status = "running";
      break;
    }
    case "token":
      spanOf(v, e.nodeId, e.span, seq, e.at).tokens += e.text;
      break;
    case "retry":
      spanOf(v, e.nodeId, e.span, seq, e.at).retries.push({ attempt: e.attempt, delayMs: e.delayMs, error: e.error, backend: e.backend });
      nodeOf(v, e.nodeId).retried = true;
      break;
    case "fallback":
      spanOf(v, e.nodeId, e.span, seq, e.at).fallbacks.push({ from: e.from, to: e.to, reason: e.reason });
      nodeOf(v, e.nodeId).retried = true;
      break;
    case "cache_hit":
      spanOf(v, e.nodeId, e.span, seq, e.at).cached = true;
      break;
    case "route_decided": {
      const s = spanOf(v, e.nodeId, e.span, seq, e.at);
      Object.assign(s, { branch: e.branch, reason: e.reason });
      Object.assign(nodeOf(v, e.nodeId), { branch: e.branch, reason: e.reason });
      break;
    }
    case "loop_iteration": {
      const s = spanOf(v, e.nodeId, e.span, seq, e.at);
      const metrics = loopMetrics(e);
      Object.assign(s, { branch: e.branch, metrics, summary: e.summary, passed: e.passed, attempt: e.attempt, maxAttempts: e.maxAttempts });
      Object.assign(nodeOf(v, e.nodeId), { branch: e.branch, attempts: e.attempt, maxAttempts: e.maxAttempts, metrics });
      break;
    }
    case "node_finished": {
      const s = spanOf(v, e.nodeId, e.span, seq, e.at);
      Object.assign(s, { status: "ok", finishSeq: seq, finishedAt: e.at, durationMs: e.durationMs, output: e.output, usage: e.usage, reused: !!e.reused });
      if (s.startedAt > e.at - e.durationMs) s.startedAt = e.at - e.durationMs;
      if (e.backend !== undefined) s.backend = e.backend;
      if (e.model !== undefined) s.model = e.model;
      if (e.raw !== undefined) s.raw = e.raw;
      if (e.branch !== undefined) s.branch = e.branch;
      const node = nodeOf(v, e.nodeId);
      node.status = node.spans.some((id) => v.spans[id]?.status === "running") ? "running" : "ok";
      node.lastOutput = e.output;
      node.durationMs += e.durationMs;
      addUsage(node.usage, e.usage);
      v.state[e.nodeId] = e.output;
      for (const other of e.replaces ?? []) v.state[other] = e.output;
      break;
    }
    case "node_failed": {
      const s = spanOf(v, e.nodeId, e.span, seq, e.at);
      Object.assign(s, { status: "failed", finishSeq: seq, finishedAt: e.at, durationMs: e.durationMs, error: e.error });
      const node = nodeOf(v, e.nodeId);
      node.status = "failed";
      node.durationMs += e.durationMs;
      break;
    }
    case "node_waiting": {
      const s = spanOf(v, e.nodeId, e.span, seq, e.at);
      s.review = {
        message: e.message,
        value: e.value,
        allowEdit: e.allowEdit,
        decisions: e.decisions,
        ...(e.reviews !== undefined ? { reviews: e.reviews } : {}),
        ...(e.timeoutAt !== undefined ? { timeoutAt: e.timeoutAt } : {}),
      };
      v.waiting = { nodeId: e.nodeId, span: e.span };
      break;
    }
    case "run_waiting":
      Object.assign(v, { status: "waiting", durationMs: e.durationMs, usage: e.usage });
      break;
    case "run_resumed": {
      const span = v.waiting?.nodeId === e.nodeId ? v.spans[v.waiting.span] : undefined;
      if (span?.review) {
        span.review.decision = e.decision;
        if (e.reviewer !== undefined) span.review.reviewer = e.reviewer;
        if (e.comment !== undefined) span.review.comment = e.comment;
      }
      delete v.waiting;
      v.status = "running";
      break;
    }
    case "run_finished":
      Object.assign(v, { status: "completed", output: e.output, finishedAt: e.at, durationMs: e.durationMs, usage: e.usage });
      break;
    case "run_failed":
      Object.assign(v, { status: "failed", error: e.error, finishedAt: e.at, durationMs: e.durationMs, usage: e.usage });
      break;
    case "run_cancelled":
      Object.assign(v, { status: "cancelled", cancelReason: e.reason, finishedAt: e.at, durationMs: e.durationMs, usage: e.usage });
      delete v.waiting;
      break;
  }
  if (e.type === "node_started" || e.type === "node_finished" || e.type === "node_failed") layout(v);
  if (v.status !== "running" && v.status !== "queued" && v.status !== "waiting") {
    // The run ended with these still open (cancelled or failed elsewhere): they will never finish.
    for (const s of Object.values(v.spans)) {
      if (s.status !== "running") continue;
      s.status = "failed";
      const node = v.nodes[s.nodeId];
      if (node?.status === "running") node.status = "failed";
    }
  }
  return v;
}

/** Orders spans by start and packs them into lanes: overlapping spans (parallel branches) get separate lanes. */
function layout(v: RunView): void {
  const spans = Object.values(v.spans).sort((a, b) => a.startSeq - b.startSeq || (a.span < b.span ? -1 : 1));
  v.order = spans.map((s) => s.span);
  const laneEnds: number[] = [];
  for (const s of spans) {
    let lane = laneEnds.findIndex((end) => end < s.startSeq);
    if (lane < 0) lane = laneEnds.length;
    laneEnds[lane] = s.finishSeq ?? Number.POSITIVE_INFINITY;
    s.lane = lane;
  }
  v.lanes = laneEnds.length;
}

/** The view after the first `step` events (all of them when omitted). Deterministic for a given list. */
export function runViewAt(events: readonly RunEvent[], step = events.length): RunView {
  const v = emptyRunView();
  for (let i = 0; i < Math.min(step, events.length); i++) applyEvent(v, events[i] as RunEvent, i + 1);
  return v;
}

export interface TakenEdge {
  index: number;
  from: string;
  to: string;
  branch?: string;
  /** The route's reason, shown on the chosen edge. */
  reason?: string;
}

/**
 * Edges the run actually took: `to` started after a `from` execution finished, and for a branching
 * `from` the branch that execution chose is the edge's branch.
 */
export function takenEdges(pipeline: Pipeline, v: RunView): TakenEdge[] {
  const out: TakenEdge[] = [];
  pipeline.edges.forEach((edge, index) => {
    const fromSpans = (v.nodes[edge.from]?.spans ?? []).map((id) => v.spans[id]).filter((s): s is SpanView => !!s && s.status === "ok");
    const toSpans = (v.nodes[edge.to]?.spans ?? []).map((id) => v.spans[id]).filter((s): s is SpanView => !!s);
    for (const f of fromSpans) {
      if (edge.branch !== undefined && f.branch !== edge.branch) continue;
      if (!toSpans.some((t) => t.startSeq > (f.finishSeq ?? Number.POSITIVE_INFINITY))) continue;
      out.push({
        index,
        from: edge.from,
        to: edge.to,
        ...(edge.branch !== undefined ? { branch: edge.branch } : {}),
        ...(f.reason ? { reason: f.reason } : {}),
      });
      return;
    }
  });
  return out;
}
