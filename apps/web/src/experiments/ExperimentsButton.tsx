import { PageToggle } from "../components/PageChrome.js";
import { closeExperimentsPage, openExperimentsPage, useExperimentsOpen } from "./route.js";

/** The toolbar's way to the Experiments page and back. */
export function ExperimentsButton() {
  return (
    <PageToggle
      name="Experiments"
      icon="⚗"
      title="Experiments: run a saved pipeline over a dataset, score it with evaluators, compare two versions"
      open={useExperimentsOpen()}
      onOpen={openExperimentsPage}
      onClose={closeExperimentsPage}
    />
  );
}
