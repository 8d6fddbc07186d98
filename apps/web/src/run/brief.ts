import { type ErrorInfo, type RunEvent, type RunStatus, type RunView, type SpanView, type Usage, isActiveStatus } from "@braid/core";
import type { PendingReview } from "../trace/review.js";

/**
 * The brief of the run on screen (`useTrace().brief`, read through `useRunBrief`). The one view
 * model is core's RunView (applyEvent / runViewAt), kept by the run store (trace/store.ts) for
 * live runs and replays alike; `summarize` derives this brief from it. The brief changes on
 * status and node transitions only, never per streamed token, so the toolbar, the tabs and the
 * exporters that read it do not re-render while tokens stream.
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
  /** Summed over every execution (visit), as the canvas shows it (`nodeTotals`). */
  durationMs?: number;
  /** Summed over every finished execution. */
  usage?: Usage;
  branch?: string;
  reason?: string;
  error?: ErrorInfo;
  /** Characters streamed by the latest execution. */
  tokens: number;
  retries: number;
}

/** A run's status, plus the two states before the server has one: nothing shown, and a start requested. */
export type BriefStatus = RunStatus | "idle" | "starting";

export interface RunBrief {
  runId?: string;
  status: BriefStatus;
  /** Node ids in the order they first started. */
  order: string[];
  nodes: Record<string, NodeRun>;
  /** Spans running now. */
  active: string[];
  decisions: Array<{ nodeId: string; branch: string; reason: string }>;
  iterations: Array<{ nodeId: string; attempt: number; maxAttempts?: number; metrics: Record<string, number>; passed?: boolean; branch: string }>;
  output?: unknown;
  error?: ErrorInfo;
  usage?: Usage;
  durationMs?: number;
  startedAt?: number;
  lastSeq: number;
  eventCount: number;
  /** The events shown (up to the replay step), for exporters that draw the run. */
  events?: RunEvent[];
  /** While the run is `waiting`: the review it waits for (the run's own state, whatever step is shown). */
  review?: PendingReview;
}

export const idleRun = (): RunBrief => ({ status: "idle", order: [], nodes: {}, active: [], decisions: [], iterations: [], lastSeq: 0, eventCount: 0 });

/** A run was asked for or has not ended: Run is disabled and Cancel offered. The one definition in the web. */
export const isBusy = (status: BriefStatus): boolean => status === "starting" || isActiveStatus(status);

/**
 * A node's time and usage over all its executions: a critique loop's node runs several times and
 * every pass costs. The canvas strip and the run panel's table both read this, so they agree.
 */
export function nodeTotals(view: RunView, nodeId: string): { visits: number; durationMs: number; usage: Usage } | undefined {
  const n = view.nodes[nodeId];
  if (!n) return undefined;
  return { visits: n.spans.length, durationMs: n.durationMs, usage: n.usage };
}

/** The brief of a core RunView (and the events it was built from). */
export function summarize(view: RunView, runId: string | undefined, events: RunEvent[], lastSeq: number): RunBrief {
  const spans = view.order.map((id) => view.spans[id]).filter((s): s is SpanView => !!s);
  const out: RunBrief = {
    status: view.status,
    order: [],
    nodes: {},
    active: spans.filter((s) => s.status === "running").map((s) => s.span),
    decisions: [],
    iterations: [],
    lastSeq,
    eventCount: view.steps,
    events,
  };
  if (runId) out.runId = runId;
  for (const s of spans) {
    let n = out.nodes[s.nodeId];
    if (!n) {
      n = { nodeId: s.nodeId, status: "running", visits: 0, tokens: 0, retries: 0 };
      out.nodes[s.nodeId] = n;
      out.order.push(s.nodeId);
    }
    n.visits++;
    n.status = s.status === "ok" ? "done" : s.status;
    n.tokens = s.tokens.length;
    n.retries += s.retries.length;
    if (s.kind !== undefined) n.kind = s.kind;
    if (s.backend !== undefined) n.backend = s.backend;
    if (s.model !== undefined) n.model = s.model;
    if (s.prompt !== undefined) n.prompt = s.prompt;
    if (s.status === "ok") n.output = s.output;
    if (s.branch !== undefined) n.branch = s.branch;
    if (s.reason !== undefined) {
      n.reason = s.reason;
      if (s.branch !== undefined) out.decisions.push({ nodeId: s.nodeId, branch: s.branch, reason: s.reason });
    }
    if (s.metrics !== undefined && s.branch !== undefined)
      out.iterations.push({ nodeId: s.nodeId, attempt: s.attempt, maxAttempts: s.maxAttempts, metrics: s.metrics, passed: s.passed, branch: s.branch });
    if (s.error) n.error = s.error;
    else if (s.status === "failed")
      n.error = {
        code: view.status === "cancelled" ? "E_CANCELLED" : "E_INTERNAL",
        message: view.status === "cancelled" ? "cancelled" : "stopped when the run ended",
      };
    else delete n.error;
  }
  for (const n of Object.values(out.nodes)) {
    const t = nodeTotals(view, n.nodeId);
    // A node on its first execution has no time or usage yet; a loop's earlier passes do.
    if (!t || (n.status === "running" && n.visits < 2)) continue;
    n.durationMs = t.durationMs;
    n.usage = { ...t.usage };
  }
  if (view.output !== undefined) out.output = view.output;
  if (view.error) out.error = view.error;
  else if (view.status === "cancelled") out.error = { code: "E_CANCELLED", message: view.cancelReason ?? "cancelled" };
  if (!isActiveStatus(view.status)) out.usage = view.usage;
  if (view.durationMs !== undefined) out.durationMs = view.durationMs;
  if (view.startedAt !== undefined) out.startedAt = view.startedAt;
  return out;
}
