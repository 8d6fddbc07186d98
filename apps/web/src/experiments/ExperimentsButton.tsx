import { closeExperimentsPage, openExperimentsPage, useExperimentsOpen } from "./route.js";

/** The toolbar's way to the Experiments page and back, styled as the Batch button (folds to its icon when short of room). */
export function ExperimentsButton() {
  const open = useExperimentsOpen();
  return (
    <button
      type="button"
      aria-pressed={open}
      aria-label="Experiments"
      className={open ? "bt-toggle on" : "bt-toggle"}
      onClick={() => (open ? closeExperimentsPage() : openExperimentsPage())}
      title="Experiments: run a saved pipeline over a dataset, score it with evaluators, compare two versions"
    >
      <span aria-hidden="true" className="bt-toggle-icon">
        ⚗
      </span>
      <span aria-hidden="true" className="bt-toggle-text">
        Experiments
      </span>
    </button>
  );
}
