import { type Pipeline, type RunEvent, isTerminal, stableStringify, statusOf, takenEdges } from "@braid/core";
import { create } from "zustand";
import { api } from "../api/client.js";
import { noteOnline, noteProblem } from "../state/server.js";
import { type RunBrief, idleRun, isBusy, summarize } from "../run/brief.js";
import { notify, useEditor } from "../state/store.js";
import { pendingReview } from "./review.js";
import { type SessionData, type StoredItem, emptySession, nextMeaningful, receive, seek } from "./session.js";

export type RunInfo = Awaited<ReturnType<typeof api.runs.get.query>>;
export type RunSummary = Awaited<ReturnType<typeof api.runs.list.query>>[number];
export type TraceTab = "timeline" | "state" | "input" | "history" | "reviews";

/** How the shown run was made from another: re-run from a node or fork at a step, with what it saved. */
export interface Origin {
  kind: "rerun" | "fork";
  parentRunId: string;
  fromNode?: string;
  atSeq?: number;
  reused: string[];
  rerun: string[];
  savedUsd: number;
  savedTokens: number;
}

export type TraceDialog = { type: "fork" } | { type: "compare"; a: string; b: string };

/**
 * The run store: the one owner of the run on screen, live or replayed. The editor store knows
 * nothing of runs; its components read the run through `useRunBrief` and the selectors here.
 */
export interface TraceState extends SessionData {
  runId?: string;
  /** The run's brief (status and per-node summary), for the toolbar, run panel and exporters. */
  brief: RunBrief;
  info?: RunInfo;
  /** The document the run executed (replay renders this graph, not the current document). */
  pipeline?: Pipeline;
  /** What the canvas shows: the working document with the run laid over it, or the run's own graph (read-only). */
  graph: "doc" | "run";
  /** The view follows new events as they arrive; false while the user scrubs. */
  follow: boolean;
  playing: boolean;
  connection: "idle" | "connecting" | "open" | "reconnecting" | "done" | "error";
  /** Bumped on every change of the (mutable) view, for components that read it whole. */
  rev: number;
  hover: string | null;
  details: { nodeId: string; span?: string } | null;
  origin?: Origin;
  tab: TraceTab;
  dialog: TraceDialog | null;
  /** Runs ticked in the history for comparison. */
  compareSel: string[];
  /** Bumped when runs were started, so the history reloads. */
  historyRev: number;
}

// Every optional field is listed: zustand merges, so a reset must overwrite them explicitly.
const initial = (): TraceState => ({
  ...emptySession(),
  runId: undefined,
  brief: idleRun(),
  info: undefined,
  pipeline: undefined,
  origin: undefined,
  graph: "doc",
  follow: true,
  playing: false,
  connection: "idle",
  rev: 0,
  hover: null,
  details: null,
  tab: "timeline",
  dialog: null,
  compareSel: [],
  historyRev: 0,
});

export const useTrace = create<TraceState>()(() => initial());
const get = useTrace.getState;
const set = useTrace.setState;

/** The brief of the run on screen; changes on status and node transitions, never per token. */
export const useRunBrief = (): RunBrief => useTrace((s) => s.brief);
/** Whether a run was asked for or has not ended (Run disabled, Cancel offered). */
export const useRunBusy = (): boolean => useTrace((s) => isBusy(s.brief.status));

// ---------------------------------------------------------------------------------------------
// The active run survives a reload: its id is kept until its terminal event arrives.

const ACTIVE_KEY = "braid.activeRun.v1";

function storage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}

function rememberActive(runId: string | undefined) {
  const s = storage();
  if (!s) return;
  if (runId) s.setItem(ACTIVE_KEY, runId);
  else s.removeItem(ACTIVE_KEY);
}

/** The run to reopen on start: `?run=<id>` in the address, else a run that was live when the tab closed. */
export function runToResume(): string | undefined {
  const fromUrl = new URLSearchParams(globalThis.location?.search ?? "").get("run");
  return fromUrl || storage()?.getItem(ACTIVE_KEY) || undefined;
}

// ---------------------------------------------------------------------------------------------
// Bench probe: `?bench=1` records event creation → rendered latency in window.__braidEventLatency.

export const benchEnabled = typeof location !== "undefined" && new URLSearchParams(location.search).has("bench");
/** Creation times of events applied but not yet measured as rendered. */
export const benchQueue: number[] = [];

// ---------------------------------------------------------------------------------------------
// The brief is recomputed on status and node transitions only, so that the toolbar and tabs
// update then and never per token.

function updateBrief(force = false) {
  const { runId, view, items, step, connection, brief: cur } = get();
  if (!runId) {
    if (cur.status !== "idle") set({ brief: idleRun() });
    return;
  }
  // The run's own status, not the status at the step shown: a replayed run that ended is not busy.
  const last = items[items.length - 1]?.event;
  // A run paused for a review ends its stretch of events with run_waiting; its resume follows on the same stream.
  const status =
    last && (isTerminal(last) || last.type === "run_waiting")
      ? (statusOf(last) ?? view.status)
      : items.length === 0
        ? connection === "done"
          ? view.status
          : "queued"
        : "running";
  if (!force && cur.runId === runId && cur.status === status) return;
  const shown = items.slice(0, step);
  const review = status === "waiting" ? pendingReview(items.map((i) => i.event)) : undefined;
  set({
    brief: {
      ...summarize(
        view,
        runId,
        shown.map((i) => i.event),
        shown[shown.length - 1]?.seq ?? 0,
      ),
      status,
      ...(review ? { review } : {}),
    },
  });
}

/** A start was requested and the server has not answered yet; or it refused (`failed` with the reason). */
export function showStarting(failure?: string): void {
  if (failure === undefined) {
    closeRun();
    set({ brief: { ...idleRun(), status: "starting" } });
  } else set({ brief: { ...idleRun(), status: "failed", error: { code: "E_INTERNAL", message: failure } } });
}

// ---------------------------------------------------------------------------------------------
// Receiving events: queued, then applied once per animation frame (a burst of tokens is one render).

let generation = 0;
let subscription: { unsubscribe(): void } | undefined;
let pending: StoredItem[] = [];
let scheduled = false;

function schedule(gen: number) {
  if (scheduled) return;
  scheduled = true;
  const run = () => {
    if (!scheduled) return;
    scheduled = false;
    if (gen === generation) flush();
  };
  if (typeof requestAnimationFrame === "function" && globalThis.document?.visibilityState === "visible") requestAnimationFrame(run);
  // A hidden tab gets no frames: the timer makes sure the events are applied anyway.
  setTimeout(run, 100);
}

function flush() {
  const batch = pending;
  pending = [];
  if (!batch.length) return;
  const s = get();
  const { session, added } = receive(s, batch, s.pipeline, s.follow);
  if (!added.length) return;
  set({ ...session, rev: s.rev + 1 });
  if (benchEnabled && s.follow) for (const it of added) benchQueue.push(it.event.at);
  updateBrief(added.some((it) => it.event.type !== "token"));
  const end = added.find((it) => isTerminal(it.event));
  if (end) finished(end.event);
  // The run just paused for a person: its review form opens beside the canvas (node details of the waiting node).
  const review = get().brief.review;
  if (review && added.some((it) => it.event.type === "run_waiting")) {
    set((t) => ({ historyRev: t.historyRev + 1 }));
    if (s.follow) openDetails(review.nodeId, review.span);
  }
}

function finished(e: RunEvent) {
  rememberActive(undefined);
  const v = get().view;
  set((s) => ({ historyRev: s.historyRev + 1 }));
  if (e.type === "run_finished") notify(`Run finished in ${v.durationMs ?? 0} ms.`, "success");
  else if (e.type === "run_cancelled") notify(`Run cancelled: ${e.reason}`, "error");
  else if (e.type === "run_failed") notify(`Run failed: ${e.error.message}`, "error");
}

export interface WatchOptions {
  graph?: "doc" | "run";
  /** The document the run executes, when the caller knows it (a run just started from the editor). */
  pipeline?: Pipeline;
  origin?: Origin;
  /** A run opened from the history: it is not made the active run to resume. */
  quiet?: boolean;
}

/**
 * Shows a run: its stored events, then live ones until its end. The subscription resumes after the
 * last event id by itself when the connection drops; a duplicate sequence number is never applied.
 */
export function watchRun(runId: string, opts: WatchOptions = {}): void {
  subscription?.unsubscribe();
  subscription = undefined;
  pending = [];
  const gen = ++generation;
  const prev = get();
  set({
    ...emptySession(),
    runId,
    info: undefined,
    pipeline: opts.pipeline,
    graph: opts.graph ?? "run",
    follow: true,
    playing: false,
    connection: "connecting",
    rev: prev.rev + 1,
    hover: null,
    details: null,
    origin: opts.origin,
    dialog: null,
    historyRev: prev.historyRev + 1,
    tab: prev.tab === "history" || prev.tab === "reviews" ? "timeline" : prev.tab,
  });
  stopPlaying();
  useEditor.setState({ panel: "run" });
  updateBrief();
  if (!opts.quiet) rememberActive(runId);
  void api.runs.get
    .query({ runId })
    .then((info) => {
      if (gen !== generation) return;
      noteOnline();
      const pipeline = info.pipeline as Pipeline;
      const patch: Partial<TraceState> = { info, pipeline };
      // Decided once the run's document is known: its own graph unless it is the working document.
      if (opts.graph === undefined) patch.graph = sameGraph(pipeline, useEditor.getState().doc) ? "doc" : "run";
      if (info.status !== "queued" && info.status !== "running") rememberActive(undefined);
      const s = get();
      set({ ...patch, taken: takenEdges(pipeline, s.view), rev: s.rev + 1 });
    })
    .catch((err) => {
      if (gen !== generation) return;
      const p = noteProblem(err);
      notify(`Could not open run ${runId}: ${p.message}`, "error");
      if (!p.offline) {
        rememberActive(undefined);
        set({ connection: "error" });
      }
    });
  subscription = api.runs.events.subscribe(
    { runId },
    {
      onStarted: () => {
        if (gen === generation) set({ connection: "open" });
      },
      onData: ({ data }) => {
        if (gen !== generation) return;
        pending.push({ seq: data.seq, event: data.event as RunEvent });
        schedule(gen);
      },
      onConnectionStateChange: (state) => {
        if (gen !== generation) return;
        if (state.state === "connecting" && get().connection === "open") set({ connection: "reconnecting" });
        else if (state.state === "pending" && get().connection === "reconnecting") set({ connection: "open" });
      },
      onComplete: () => {
        if (gen !== generation) return;
        if (pending.length) flush();
        set({ connection: "done" });
        updateBrief();
      },
      onError: (err) => {
        if (gen !== generation) return;
        const p = noteProblem(err);
        set({ connection: "error" });
        notify(`Lost the run's event stream: ${p.message}`, "error");
      },
    },
  );
}

/** Same nodes (ids, kinds, config) and edges; positions and names do not matter. */
export function sameGraph(a: Pipeline, b: Pipeline): boolean {
  const shape = (p: Pipeline) => stableStringify({ nodes: p.nodes.map((n) => ({ id: n.id, kind: n.kind, config: n.config ?? {} })), edges: p.edges });
  return shape(a) === shape(b);
}

/** Closes the run: the canvas goes back to the working document without overlays. */
export function closeRun(): void {
  subscription?.unsubscribe();
  subscription = undefined;
  generation++;
  pending = [];
  stopPlaying();
  rememberActive(undefined);
  const { tab, historyRev, compareSel } = get();
  set({ ...initial(), tab, historyRev, compareSel });
  updateBrief();
}

export async function cancelActiveRun(): Promise<void> {
  const { runId } = get();
  if (!runId) return;
  try {
    await api.runs.cancel.mutate({ runId });
    notify("Cancelling the run…");
  } catch (err) {
    notify(`Could not cancel: ${noteProblem(err).message}`, "error");
  }
}

// ---------------------------------------------------------------------------------------------
// Replay: the same view at any step.

export function setStep(step: number): void {
  const s = get();
  const next = seek(s, step, s.pipeline);
  const follow = next.step === s.items.length;
  if (next === s && follow === s.follow) return;
  set({ ...next, follow, rev: s.rev + 1 });
  updateBrief(true);
}

let timer: ReturnType<typeof setInterval> | undefined;

function stopPlaying() {
  if (timer) clearInterval(timer);
  timer = undefined;
  if (get().playing) set({ playing: false });
}

export function play(intervalMs = 220): void {
  stopPlaying();
  const s = get();
  if (s.step >= s.items.length) setStep(0);
  set({ playing: true });
  timer = setInterval(() => {
    const cur = get();
    if (cur.step >= cur.items.length) {
      stopPlaying();
      return;
    }
    setStep(nextMeaningful(cur.items, cur.step));
  }, intervalMs);
}

export const pause = stopPlaying;

/** The run has ended (its terminal event is among those received), whatever step is shown. */
export const runEnded = (s: Pick<TraceState, "items">): boolean => {
  const last = s.items[s.items.length - 1];
  return !!last && isTerminal(last.event);
};

// ---------------------------------------------------------------------------------------------
// Small UI state.

export const setHover = (nodeId: string | null) => {
  if (get().hover !== nodeId) set({ hover: nodeId });
};
export const openDetails = (nodeId: string, span?: string) => set({ details: span ? { nodeId, span } : { nodeId } });
export const closeDetails = () => set({ details: null });
export const setTraceTab = (tab: TraceTab) => set({ tab });
export const openTraceDialog = (dialog: TraceDialog) => set({ dialog });
export const closeTraceDialog = () => set({ dialog: null });
export const toggleCompare = (runId: string) =>
  set((s) => ({ compareSel: s.compareSel.includes(runId) ? s.compareSel.filter((x) => x !== runId) : [...s.compareSel, runId].slice(-2) }));

/** For tests and the store's own reset. */
export function resetTrace(): void {
  closeRun();
  set(initial());
}

// A different document loaded into the editor ends the overlay of a run that has ended on it;
// a run still going keeps its overlay until it ends.
useEditor.subscribe((s, prev) => {
  if (s.loads === prev.loads) return;
  const t = get();
  if (isBusy(t.brief.status)) return;
  if (t.runId && t.graph === "doc") closeRun();
  else if (!t.runId && t.brief.status !== "idle") set({ brief: idleRun() });
});
