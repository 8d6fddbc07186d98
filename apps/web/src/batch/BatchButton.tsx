import { PageToggle } from "../components/PageChrome.js";
import { closeBatchPage, openBatchPage, useBatchOpen } from "./route.js";

/** The toolbar's way to the Batch page and back, next to Backends. */
export function BatchButton() {
  return (
    <PageToggle
      name="Batch"
      icon="☰"
      title="Batch: run a saved pipeline over a JSONL or CSV file, watch progress, download the results"
      open={useBatchOpen()}
      onOpen={openBatchPage}
      onClose={closeBatchPage}
    />
  );
}
