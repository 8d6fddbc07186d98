import { api } from "../api/client.js";
import { startingRun } from "../run/runView.js";
import { cancelActiveRun, watchRun } from "../trace/store.js";
import { lintNow } from "./lint.js";
import { noteOnline, noteProblem } from "./server.js";
import { isDirty, notify, useEditor } from "./store.js";

const set = useEditor.setState;
const get = useEditor.getState;

/**
 * Runs the working document on its example input. An invalid document is refused with the
 * diagnostics list. The run is then shown live by trace/store.ts: its events feed the engine's
 * run view, which the canvas, the timeline and the run panel render.
 */
export async function startRun(): Promise<void> {
  const errors = lintNow().filter((d) => d.severity === "error");
  if (errors.length) {
    set({ panel: "problems" });
    notify(`Not run: the pipeline has ${errors.length} error${errors.length === 1 ? "" : "s"}. Fix the problems listed below first.`, "error");
    return;
  }
  const state = get();
  const { doc, saved } = state;
  set({ run: startingRun(), panel: "run" });
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
    set({
      run: {
        ...startingRun(),
        status: "failed",
        error: { code: "E_INTERNAL", message: p.offline ? "The server cannot be reached, so the run did not start." : p.message },
      },
    });
    if (p.diagnostics?.length) set({ diagnostics: p.diagnostics, lintedDoc: doc, panel: "problems" });
    notify(p.offline ? "Not run: the server cannot be reached." : `Not run: ${p.message}`, "error");
    return;
  }
  watchRun(runId, { graph: "doc", pipeline: doc });
}

export const cancelRun = cancelActiveRun;
