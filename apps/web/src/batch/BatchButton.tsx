import { closeBatchPage, openBatchPage, useBatchOpen } from "./route.js";

/**
 * The toolbar's way to the Batch page and back. It sits next to Backends and, like it, folds to its
 * icon where the toolbar is short of room (the accessible name stays "Batch"; the tooltip explains).
 */
export function BatchButton() {
  const open = useBatchOpen();
  return (
    <button
      type="button"
      aria-pressed={open}
      aria-label="Batch"
      className={open ? "bt-toggle on" : "bt-toggle"}
      onClick={() => (open ? closeBatchPage() : openBatchPage())}
      title="Batch: run a saved pipeline over a JSONL or CSV file, watch progress, download the results"
    >
      <span aria-hidden="true" className="bt-toggle-icon">
        ☰
      </span>
      <span aria-hidden="true" className="bt-toggle-text">
        Batch
      </span>
    </button>
  );
}
