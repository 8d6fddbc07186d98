import {
  type Pipeline,
  type RunEvent,
  type RunView,
  type SpanView,
  type TakenEdge,
  applyEvent,
  describeLoopIteration,
  emptyRunView,
  runViewAt,
  takenEdges,
} from "@braid/core";
import { nodeTotals } from "../run/brief.js";

/**
 * The browser side of a run: its events as received, the step shown, and the engine's RunView at
 * that step. Live and replay are one code path: live appends events and applies them at the end,
 * replay moves the step and rebuilds the same view from the same events.
 *
 * Everything here is plain data and functions, so it is tested without React. The store
 * (trace/store.ts) wraps it; node components read only their own `overlays[id]`.
 */
export interface StoredItem {
  seq: number;
  event: RunEvent;
}

/** What one canvas node shows about the run: small and compared field by field, so unchanged nodes keep the same object. */
export interface NodeOverlay {
  status: "idle" | "running" | "ok" | "failed";
  executions: number;
  retried: boolean;
  reused: boolean;
  cached: boolean;
  durationMs: number;
  tokens: number;
  costUsd: number;
  estimated: boolean;
  /** Characters streamed so far by the running execution. */
  streamed: number;
  branch?: string;
  reason?: string;
  attempts?: number;
  maxAttempts?: number;
  metrics?: Record<string, number>;
  passed?: boolean;
  error?: string;
  /** The run is paused at this node for a person's decision (approval). */
  waiting?: true;
}

export interface SessionData {
  items: StoredItem[];
  /** Events applied to `view` (0..items.length). */
  step: number;
  view: RunView;
  overlays: Record<string, NodeOverlay>;
  taken: TakenEdge[];
  /** Nodes with an execution running at this step. */
  running: string[];
}

export const emptySession = (): SessionData => ({ items: [], step: 0, view: emptyRunView(), overlays: {}, taken: [], running: [] });

const STRUCTURAL = new Set<RunEvent["type"]>([
  "node_started",
  "node_finished",
  "node_failed",
  "route_decided",
  "loop_iteration",
  "run_finished",
  "run_failed",
  "run_cancelled",
]);

export function overlayOf(view: RunView, nodeId: string): NodeOverlay {
  const n = view.nodes[nodeId];
  if (!n)
    return { status: "idle", executions: 0, retried: false, reused: false, cached: false, durationMs: 0, tokens: 0, costUsd: 0, estimated: false, streamed: 0 };
  const spans = n.spans.map((id) => view.spans[id]).filter((s): s is SpanView => !!s);
  const last = spans[spans.length - 1];
  // The engine closes a run's open spans at its end (cancel, failure) but leaves the node "running".
  const open = spans.some((s) => s.status === "running");
  const status = n.status === "running" && !open ? (last?.status === "failed" ? "failed" : "ok") : n.status;
  const totals = nodeTotals(view, nodeId) as NonNullable<ReturnType<typeof nodeTotals>>;
  const o: NodeOverlay = {
    status,
    executions: totals.visits,
    retried: n.retried,
    reused: spans.length > 0 && spans.every((s) => s.reused),
    cached: spans.some((s) => s.cached),
    durationMs: totals.durationMs,
    tokens: totals.usage.inputTokens + totals.usage.outputTokens,
    costUsd: totals.usage.costUsd,
    estimated: !!totals.usage.estimated,
    streamed: last && last.status === "running" ? last.tokens.length : 0,
  };
  // A kind that picks its branch without a route_decided event (approval) names it on its span.
  const branch = n.branch ?? last?.branch;
  if (branch !== undefined) o.branch = branch;
  if (n.reason !== undefined) o.reason = n.reason;
  if (n.attempts !== undefined) o.attempts = n.attempts;
  if (n.maxAttempts !== undefined) o.maxAttempts = n.maxAttempts;
  if (n.metrics !== undefined) o.metrics = n.metrics;
  if (last?.passed !== undefined) o.passed = last.passed;
  if (view.waiting?.nodeId === nodeId) o.waiting = true;
  const failed = [...spans].reverse().find((s) => s.status === "failed" && s.error);
  if (status === "failed") o.error = failed?.error?.message ?? (view.status === "cancelled" ? "cancelled" : "stopped when the run ended");
  return o;
}

export function sameOverlay(a: NodeOverlay | undefined, b: NodeOverlay): boolean {
  if (!a) return false;
  const ka = Object.keys(a) as (keyof NodeOverlay)[];
  const kb = Object.keys(b) as (keyof NodeOverlay)[];
  return ka.length === kb.length && kb.every((k) => a[k] === b[k]);
}

/** Overlays for `ids` (all nodes of the view when omitted), keeping the previous object of every node that did not change. */
export function refreshOverlays(view: RunView, prev: Record<string, NodeOverlay>, ids?: Iterable<string>): Record<string, NodeOverlay> {
  const next: Record<string, NodeOverlay> = ids ? { ...prev } : {};
  let changed = !ids && Object.keys(prev).length !== Object.keys(view.nodes).length;
  for (const id of ids ?? Object.keys(view.nodes)) {
    const o = overlayOf(view, id);
    const old = prev[id];
    if (sameOverlay(old, o)) {
      next[id] = old as NodeOverlay;
    } else {
      next[id] = o;
      changed = true;
    }
  }
  return changed ? next : prev;
}

const runningOf = (view: RunView) =>
  [
    ...new Set(
      Object.values(view.spans)
        .filter((s) => s.status === "running")
        .map((s) => s.nodeId),
    ),
  ].sort();

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

function sameTaken(a: readonly TakenEdge[], b: readonly TakenEdge[]) {
  return a.length === b.length && a.every((x, i) => x.index === b[i]?.index && x.reason === b[i]?.reason);
}

function derived(s: SessionData, pipeline: Pipeline | undefined, touched: Iterable<string> | undefined, structural: boolean): SessionData {
  const overlays = refreshOverlays(s.view, s.overlays, touched);
  let { taken, running } = s;
  if (structural) {
    const t = pipeline ? takenEdges(pipeline, s.view) : [];
    if (!sameTaken(t, taken)) taken = t;
    const r = runningOf(s.view);
    if (!sameList(r, running)) running = r;
  }
  return { ...s, overlays, taken, running };
}

/**
 * Appends newly received events. Duplicates (a sequence number already held) are dropped, so a
 * resumed subscription can never count an event twice. With `follow`, the view moves to the end.
 */
export function receive(
  s: SessionData,
  incoming: readonly StoredItem[],
  pipeline: Pipeline | undefined,
  follow: boolean,
): { session: SessionData; added: StoredItem[] } {
  const last = s.items[s.items.length - 1]?.seq ?? 0;
  let max = last;
  const added: StoredItem[] = [];
  for (const it of incoming) {
    if (it.seq <= max) continue;
    max = it.seq;
    added.push(it);
  }
  if (!added.length) return { session: s, added };
  const items = s.items.concat(added);
  if (!follow || s.step !== s.items.length) return { session: { ...s, items }, added };
  const touched = new Set<string>();
  let structural = false;
  let ended = false;
  for (const it of added) {
    applyEvent(s.view, it.event, it.seq);
    if ("nodeId" in it.event) touched.add(it.event.nodeId);
    if (STRUCTURAL.has(it.event.type)) structural = true;
    if (it.event.type.startsWith("run_") && it.event.type !== "run_started") ended = true;
  }
  // The end of a run closes every open span, so every node is refreshed then.
  return { session: derived({ ...s, items, step: items.length }, pipeline, ended ? undefined : touched, structural), added };
}

/** Moves the view to `step` (events applied): forward applies the next events, backward rebuilds from the start. */
export function seek(s: SessionData, step: number, pipeline: Pipeline | undefined): SessionData {
  step = Math.max(0, Math.min(s.items.length, Math.round(step)));
  if (step === s.step) return s;
  if (step > s.step) {
    const touched = new Set<string>();
    for (let i = s.step; i < step; i++) {
      const it = s.items[i] as StoredItem;
      applyEvent(s.view, it.event, it.seq);
      if ("nodeId" in it.event) touched.add(it.event.nodeId);
    }
    return derived({ ...s, step }, pipeline, touched, true);
  }
  const view = runViewAt(
    s.items.map((i) => i.event),
    step,
  );
  // runViewAt numbers events by position; sequence numbers start at 1 without gaps, so they agree.
  return derived({ ...s, step, view }, pipeline, undefined, true);
}

/** The next step after `step` that is not a token event (play and "next event" skip streaming chunks). */
export function nextMeaningful(items: readonly StoredItem[], step: number): number {
  for (let i = step; i < items.length; i++) if (items[i]?.event.type !== "token") return i + 1;
  return items.length;
}

export function prevMeaningful(items: readonly StoredItem[], step: number): number {
  for (let i = step - 2; i >= 0; i--) if (items[i]?.event.type !== "token") return i + 1;
  return 0;
}

/** One line describing the event at a step (1-based), for the scrubber. */
export function describeStep(items: readonly StoredItem[], step: number): string {
  if (step === 0) return "Before the first event";
  const it = items[step - 1];
  if (!it) return "";
  const e = it.event;
  switch (e.type) {
    case "run_started":
      return "run started";
    case "node_started":
      return `${e.nodeId} started`;
    case "token":
      return `${e.nodeId} streamed “${e.text.length > 24 ? `${e.text.slice(0, 24)}…` : e.text}”`;
    case "node_finished":
      return `${e.nodeId} finished${e.reused ? " (reused)" : ""}`;
    case "node_failed":
      return `${e.nodeId} failed: ${e.error.message}`;
    case "route_decided":
      return `${e.nodeId} chose ${e.branch}`;
    case "loop_iteration":
      return `${e.nodeId} ${describeLoopIteration(e)}`;
    case "retry":
      return `${e.nodeId} retry ${e.attempt} (${e.error})`;
    case "fallback":
      return `${e.nodeId} fell back from ${e.from} to ${e.to}`;
    case "cache_hit":
      return `${e.nodeId} cache hit on ${e.backend}`;
    case "breaker":
      return `${e.backend} breaker ${e.from} → ${e.to}`;
    case "run_finished":
      return "run finished";
    case "run_failed":
      return `run failed: ${e.error.message}`;
    case "run_cancelled":
      return `run cancelled: ${e.reason}`;
    case "node_waiting":
      return `${e.nodeId} waits for a person`;
    case "run_waiting":
      return `run waiting at ${e.nodeId}`;
    case "run_resumed":
      return `run resumed at ${e.nodeId}: ${e.decision}${e.reviewer ? ` by ${e.reviewer}` : ""}${e.comment ? ` (“${e.comment.length > 40 ? `${e.comment.slice(0, 40)}…` : e.comment}”)` : ""}`;
  }
}
