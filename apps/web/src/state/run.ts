import type { RunEvent } from "@braid/engine";
import { api } from "../api/client.js";
import { isFinished, reduceRun, startingRun } from "../run/runView.js";
import { lintNow } from "./lint.js";
import { noteOnline, noteProblem } from "./server.js";
import { notify, useEditor } from "./store.js";

const set = useEditor.setState;
const get = useEditor.getState;

let subscription: { unsubscribe(): void } | undefined;

/**
 * Runs the working document on its example input. An invalid document is refused with the
 * diagnostics list; events stream in over the subscription and fold into the run view.
 */
export async function startRun(): Promise<void> {
  const errors = lintNow().filter((d) => d.severity === "error");
  if (errors.length) {
    set({ panel: "problems" });
    notify(`Not run: the pipeline has ${errors.length} error${errors.length === 1 ? "" : "s"}. Fix the problems listed below first.`, "error");
    return;
  }
  subscription?.unsubscribe();
  const { doc } = get();
  set({ run: startingRun(), panel: "run" });
  let runId: string;
  try {
    const r = await api.runs.start.mutate({ pipeline: doc, input: doc.input?.example ?? {} });
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
  set({ run: { ...get().run, runId, status: "queued" } });
  subscription = api.runs.events.subscribe(
    { runId },
    {
      onData: ({ data }) => {
        const run = reduceRun(get().run, data.event as RunEvent, data.seq);
        set({ run });
        if (isFinished(run)) {
          subscription?.unsubscribe();
          subscription = undefined;
          notify(
            run.status === "completed" ? `Run finished in ${run.durationMs ?? 0} ms.` : `Run ${run.status}: ${run.error?.message ?? ""}`,
            run.status === "completed" ? "success" : "error",
          );
        }
      },
      onError: (err) => {
        const p = noteProblem(err);
        notify(`Lost the run's event stream: ${p.message}`, "error");
      },
    },
  );
}

export async function cancelRun(): Promise<void> {
  const { runId } = get().run;
  if (!runId) return;
  try {
    await api.runs.cancel.mutate({ runId });
  } catch (err) {
    notify(`Could not cancel: ${noteProblem(err).message}`, "error");
  }
}
