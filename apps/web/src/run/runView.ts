import type { ErrorInfo, RunEvent, RunStatus, Usage } from "@braid/engine";

/**
 * What the web app knows about one run, folded from its RunEvents. Live runs and (later) replay
 * feed the same reducer; canvas tracing will read `nodes` and `active`.
 */
export type NodeRunStatus = "running" | "done" | "failed";

export interface NodeRun {
  nodeId: string;
  kind?: string;
  status: NodeRunStatus;
  /** Executions started so far (loops give more than one). */
  visits: number;
  backend?: string;
  model?: string;
  prompt?: string;
  output?: unknown;
  durationMs?: number;
  usage?: Usage;
  branch?: string;
  reason?: string;
  error?: ErrorInfo;
  tokens: number;
  retries: number;
}

export interface RunView {
  runId?: string;
  status: RunStatus | "idle" | "starting";
  /** Node ids in the order they first started. */
  order: string[];
  nodes: Record<string, NodeRun>;
  /** Spans running now. */
  active: string[];
  decisions: Array<{ nodeId: string; branch: string; reason: string }>;
  iterations: Array<{ nodeId: string; attempt: number; maxAttempts: number; score: number; passed: boolean; branch: string }>;
  output?: unknown;
  error?: ErrorInfo;
  usage?: Usage;
  durationMs?: number;
  startedAt?: number;
  lastSeq: number;
  eventCount: number;
}

export const idleRun = (): RunView => ({ status: "idle", order: [], nodes: {}, active: [], decisions: [], iterations: [], lastSeq: 0, eventCount: 0 });

export const startingRun = (): RunView => ({ ...idleRun(), status: "starting" });

function touch(view: RunView, nodeId: string, f: (n: NodeRun) => NodeRun): RunView {
  const cur = view.nodes[nodeId] ?? { nodeId, status: "running", visits: 0, tokens: 0, retries: 0 };
  const order = view.nodes[nodeId] ? view.order : [...view.order, nodeId];
  return { ...view, order, nodes: { ...view.nodes, [nodeId]: f(cur) } };
}

/** Folds one event into the view. With a sequence number, duplicates and replays of old events are ignored. */
export function reduceRun(view: RunView, event: RunEvent, seq?: number): RunView {
  if (seq !== undefined) {
    if (seq <= view.lastSeq) return view;
    view = { ...view, lastSeq: seq };
  }
  view = { ...view, eventCount: view.eventCount + 1, runId: view.runId ?? event.runId };
  switch (event.type) {
    case "run_started":
      return { ...view, status: "running", startedAt: event.at };
    case "node_started": {
      const next = touch(view, event.nodeId, (n) => {
        const r: NodeRun = { ...n, kind: event.kind, status: "running", visits: n.visits + 1 };
        if (event.backend !== undefined) r.backend = event.backend;
        if (event.prompt !== undefined) r.prompt = event.prompt;
        delete r.error;
        return r;
      });
      return { ...next, status: "running", active: [...next.active.filter((s) => s !== event.span), event.span] };
    }
    case "token":
      return touch(view, event.nodeId, (n) => ({ ...n, tokens: n.tokens + 1 }));
    case "retry":
      return touch(view, event.nodeId, (n) => ({ ...n, retries: n.retries + 1 }));
    case "fallback":
      return touch(view, event.nodeId, (n) => ({ ...n, backend: event.to }));
    case "node_finished": {
      const next = touch(view, event.nodeId, (n) => {
        const r: NodeRun = { ...n, status: "done", output: event.output, durationMs: event.durationMs, usage: event.usage };
        if (event.backend !== undefined) r.backend = event.backend;
        if (event.model !== undefined) r.model = event.model;
        if (event.branch !== undefined) r.branch = event.branch;
        return r;
      });
      return { ...next, active: next.active.filter((s) => s !== event.span) };
    }
    case "route_decided":
      return {
        ...touch(view, event.nodeId, (n) => ({ ...n, branch: event.branch, reason: event.reason })),
        decisions: [...view.decisions, { nodeId: event.nodeId, branch: event.branch, reason: event.reason }],
      };
    case "loop_iteration":
      return {
        ...touch(view, event.nodeId, (n) => ({ ...n, branch: event.branch })),
        iterations: [
          ...view.iterations,
          { nodeId: event.nodeId, attempt: event.attempt, maxAttempts: event.maxAttempts, score: event.score, passed: event.passed, branch: event.branch },
        ],
      };
    case "node_failed": {
      const next = touch(view, event.nodeId, (n) => ({ ...n, status: "failed", error: event.error, durationMs: event.durationMs }));
      return { ...next, active: next.active.filter((s) => s !== event.span) };
    }
    case "run_finished":
      return { ...view, status: "completed", output: event.output, durationMs: event.durationMs, usage: event.usage, active: [] };
    case "run_failed":
      return { ...view, status: "failed", error: event.error, durationMs: event.durationMs, usage: event.usage, active: [] };
    case "run_cancelled":
      return {
        ...view,
        status: "cancelled",
        error: { code: "E_CANCELLED", message: event.reason },
        durationMs: event.durationMs,
        usage: event.usage,
        active: [],
      };
    default:
      // cache hits, breaker changes and kinds of events added later change nothing shown here yet.
      return view;
  }
}

export const isFinished = (v: RunView) => v.status === "completed" || v.status === "failed" || v.status === "cancelled";
