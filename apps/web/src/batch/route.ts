import { navigate, useRoute } from "../route.js";

/** The Batch page is the `batch` route; closing it goes back to the designer. */
export const useBatchOpen = (): boolean => useRoute().page === "batch";
export const openBatchPage = (): void => navigate({ page: "batch" });
export const closeBatchPage = (): void => navigate({ page: "designer" });
