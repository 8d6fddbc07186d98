import { useId, useState } from "react";
import { forkAtStep } from "./actions.js";
import { describeStep } from "./session.js";
import { closeTraceDialog, useTrace } from "./store.js";
import { TraceModal } from "./TraceModal.js";

/** Edit the run state at the step shown, then run the rest of the pipeline from there as a new, linked run. */
export function ForkDialog() {
  const { view, step, items } = useTrace.getState();
  const [text, setText] = useState(() => JSON.stringify(view.state, null, 2));
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();
  const finished = Object.values(view.nodes)
    .filter((n) => n.status === "ok")
    .map((n) => n.nodeId);
  const submit = async () => {
    let state: unknown;
    try {
      state = JSON.parse(text);
    } catch (err) {
      setProblem(`Not valid JSON: ${(err as Error).message}`);
      return;
    }
    if (!state || typeof state !== "object" || Array.isArray(state)) {
      setProblem("The state must be a JSON object: { input, <node id>: output, … }.");
      return;
    }
    setBusy(true);
    const ok = await forkAtStep(state as Record<string, unknown>);
    setBusy(false);
    if (ok) closeTraceDialog();
  };
  return (
    <TraceModal title={`Fork from step ${step}`} wide>
      <p className="hint">
        At step {step} of {items.length} ({describeStep(items, step)}).{" "}
        {finished.length ? (
          <>
            Finished by then, and reused with the values below: <code>{finished.join(", ")}</code>.
          </>
        ) : (
          "No node had finished by then: everything runs again."
        )}{" "}
        Everything else runs. The fork is a new run, linked to this one in the history.
      </p>
      <label htmlFor={id} className="fork-label">
        State at this step (JSON)
      </label>
      <textarea id={id} className="fork-state" value={text} onChange={(e) => setText(e.target.value)} rows={16} spellCheck={false} data-autofocus />
      {problem && (
        <p className="run-error" role="alert">
          {problem}
        </p>
      )}
      <div className="modal-actions">
        <button type="button" onClick={closeTraceDialog}>
          Cancel
        </button>
        <button type="button" className="primary" onClick={() => void submit()} disabled={busy}>
          Run fork from here
        </button>
      </div>
    </TraceModal>
  );
}
