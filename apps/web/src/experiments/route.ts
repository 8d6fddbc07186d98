import { navigate, useRoute } from "../route.js";

/** The Experiments page is the `experiments` route; closing it goes back to the designer. */
export const useExperimentsOpen = (): boolean => useRoute().page === "experiments";
export const openExperimentsPage = (): void => navigate({ page: "experiments" });
export const closeExperimentsPage = (): void => navigate({ page: "designer" });
