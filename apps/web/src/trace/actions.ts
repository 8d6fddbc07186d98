import { type Pipeline, type RunEvent, isTerminal } from "@braid/core";
import { api } from "../api/client.js";
import { noteOnline, noteProblem } from "../state/server.js";
import { lintNow } from "../state/lint.js";
import { edit, isDirty, notify, useEditor } from "../state/store.js";
import type { ResumeRequest } from "./review.js";
import type { StoredItem } from "./session.js";
import { type RunInfo, cancelActiveRun, sameGraph, showStarting, useTrace, watchRun } from "./store.js";

const get = useTrace.getState;

/**
 * Runs the working document on its example input. An invalid document is refused with the
 * diagnostics list. The run is then shown live by the run store: its events feed core's run
 * view, which the canvas, the timeline and the run panel render.
 */
export async function startRun(): Promise<void> {
  const errors = lintNow().filter((d) => d.severity === "error");
  if (errors.length) {
    useEditor.setState({ panel: "problems" });
    notify(`Not run: the pipeline has ${errors.length} error${errors.length === 1 ? "" : "s"}. Fix the problems listed below first.`, "error");
    return;
  }
  const state = useEditor.getState();
  const { doc, saved } = state;
  showStarting();
  useEditor.setState({ panel: "run" });
  // A saved pipeline's runs are listed in its history: its id goes with the document.
  const clean = saved.id !== undefined && !isDirty(state) && saved.version !== undefined;
  const input = doc.input?.example ?? {};
  let runId: string;
  try {
    const r = await api.runs.start.mutate(
      clean ? { pipelineId: saved.id, version: saved.version, input } : saved.id ? { pipelineId: saved.id, pipeline: doc, input } : { pipeline: doc, input },
    );
    noteOnline();
    runId = r.runId;
  } catch (err) {
    const p = noteProblem(err);
    showStarting(p.offline ? "The server cannot be reached, so the run did not start." : p.message);
    if (p.diagnostics?.length) useEditor.setState({ diagnostics: p.diagnostics, lintedDoc: doc, panel: "problems" });
    notify(p.offline ? "Not run: the server cannot be reached." : `Not run: ${p.message}`, "error");
    return;
  }
  watchRun(runId, { graph: "doc", pipeline: doc });
}

export const cancelRun = cancelActiveRun;

const replaceConfig = (p: Pipeline, nodeId: string, config: Record<string, unknown>): Pipeline => ({
  ...p,
  nodes: p.nodes.map((n) => (n.id === nodeId ? { ...n, config } : n)),
});

/** The node's config as the canvas shows it: the working document's, or the run's own graph's. */
export function shownConfig(nodeId: string): Record<string, unknown> | undefined {
  const t = get();
  const doc = t.graph === "doc" ? useEditor.getState().doc : t.pipeline;
  return doc?.nodes.find((n) => n.id === nodeId)?.config;
}

/**
 * Re-runs the shown run from a node: that node and everything downstream execute, upstream nodes
 * reuse their recorded outputs. With `config`, the node's config is replaced first; on the working
 * document that is an edit (undoable) of the document too.
 */
export async function rerunFromNode(nodeId: string, config?: Record<string, unknown>): Promise<boolean> {
  const t = get();
  if (!t.runId || !t.pipeline) return false;
  let base = t.graph === "doc" ? useEditor.getState().doc : t.pipeline;
  if (config) {
    base = replaceConfig(base, nodeId, config);
    if (t.graph === "doc") edit((d) => replaceConfig(d, nodeId, config), { key: `rerun-${nodeId}` });
  }
  const changed = !sameGraph(base, t.pipeline);
  try {
    const r = await api.runs.rerun.mutate({ runId: t.runId, fromNode: nodeId, ...(changed ? { pipeline: base } : {}) });
    noteOnline();
    watchRun(r.runId, {
      graph: t.graph,
      pipeline: base,
      origin: { kind: "rerun", parentRunId: t.runId, fromNode: nodeId, reused: r.reused, rerun: r.rerun, savedUsd: r.savedUsd, savedTokens: r.savedTokens },
    });
    notify(`Re-running from "${nodeId}": ${r.reused.length} node${r.reused.length === 1 ? "" : "s"} reused, ${r.rerun.length} run again.`, "success");
    return true;
  } catch (err) {
    notify(`Could not re-run: ${noteProblem(err).message}`, "error");
    return false;
  }
}

/** Forks the shown run at the step shown, with the state as edited: a new run linked to its parent. */
export async function forkAtStep(state: Record<string, unknown>): Promise<boolean> {
  const t = get();
  if (!t.runId) return false;
  const atSeq = t.items[t.step - 1]?.seq ?? 0;
  try {
    const r = await api.runs.fork.mutate({ runId: t.runId, atSeq, state });
    noteOnline();
    const opts = {
      graph: t.graph,
      origin: { kind: "fork" as const, parentRunId: t.runId, atSeq, reused: r.reused, rerun: r.rerun, savedUsd: r.savedUsd, savedTokens: r.savedTokens },
    };
    watchRun(r.runId, t.pipeline ? { ...opts, pipeline: t.pipeline } : opts);
    notify(`Forked at step ${t.step}: ${r.reused.length} node${r.reused.length === 1 ? "" : "s"} reused.`, "success");
    return true;
  } catch (err) {
    notify(`Could not fork: ${noteProblem(err).message}`, "error");
    return false;
  }
}

export interface LoadedRun {
  info: RunInfo;
  items: StoredItem[];
}

/** A run and all its events (for comparing): the stored events, and live ones until it ends. */
export async function loadRun(runId: string, maxMs = 30_000): Promise<LoadedRun> {
  const info = await api.runs.get.query({ runId });
  const items = await new Promise<StoredItem[]>((resolve, reject) => {
    const out: StoredItem[] = [];
    let done = false;
    let sub: { unsubscribe(): void } | undefined;
    const finish = (err?: unknown) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      queueMicrotask(() => sub?.unsubscribe());
      if (err && out.length === 0) reject(err);
      else resolve(out);
    };
    const timer = setTimeout(() => finish(new Error("the run's events did not arrive in time")), maxMs);
    sub = api.runs.events.subscribe(
      { runId },
      {
        onData: ({ data }) => {
          const last = out[out.length - 1]?.seq ?? 0;
          if (data.seq <= last) return;
          out.push({ seq: data.seq, event: data.event as RunEvent });
          if (isTerminal(data.event as RunEvent)) finish();
        },
        onError: (err) => finish(err),
        onComplete: () => finish(),
      },
    );
    if (done) sub.unsubscribe();
  });
  return { info, items };
}

/** Opens a past (or running) run from the history: its own graph, with its events. */
export function openRun(runId: string): void {
  watchRun(runId);
  useTrace.setState({ tab: "timeline" });
}

/**
 * Sends a reviewer's decision (runs.resume). The run on screen needs nothing more: its event
 * stream stays open through run_waiting and carries the resumed events. On failure (409 not
 * waiting, 400 with the field first) the message comes back for the form to show; what was typed stays.
 */
export async function resumeReview(request: ResumeRequest): Promise<{ ok: true } | { ok: false; message: string }> {
  try {
    await api.runs.resume.mutate(request);
    noteOnline();
    useTrace.setState((s) => ({ historyRev: s.historyRev + 1 }));
    notify(`Sent: ${request.decision} at "${request.node}".`, "success");
    return { ok: true };
  } catch (err) {
    const p = noteProblem(err);
    return { ok: false, message: p.offline ? "The server cannot be reached; nothing was sent." : p.message };
  }
}
