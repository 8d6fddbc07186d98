import { useShallow } from "zustand/react/shallow";
import { JsonTree } from "./JsonTree.js";
import { describeStep } from "./session.js";
import { openTraceDialog, runEnded, useTrace } from "./store.js";

/** The full run state at the step shown (the input and each node's latest output), as collapsible JSON. */
export function StateInspector() {
  const { view, step, items, rev, terminal } = useTrace(useShallow((s) => ({ view: s.view, step: s.step, items: s.items, rev: s.rev, terminal: runEnded(s) })));
  const at = items[step - 1];
  return (
    <section className="state-inspector" aria-label="State inspector" data-rev={rev}>
      <div className="si-head">
        <strong>
          State at step {step} of {items.length}
        </strong>
        <span className="muted"> · {describeStep(items, step)}</span>
        <button
          type="button"
          className="small"
          disabled={!terminal || !at}
          onClick={() => openTraceDialog({ type: "fork" })}
          title={terminal ? "Edit this state and run the rest of the pipeline from here" : "A run can be forked once it has ended"}
        >
          Fork from this step…
        </button>
      </div>
      <div className="si-tree">
        {/* A copy: the view's state object is updated in place, its values are not. */}
        <JsonTree value={{ ...view.state }} name="state" openDepth={2} />
      </div>
    </section>
  );
}
