import { useSyncExternalStore } from "react";
import { navigate } from "../backends/route.js";

/** The Batch page lives at `#/batch`; the designer and the Backends page keep their own routes. */
export const BATCH_HASH = "#/batch";

export const isBatchHash = (hash: string): boolean => hash.replace(/\/+$/, "") === BATCH_HASH;

const subscribe = (cb: () => void) => {
  window.addEventListener("hashchange", cb);
  return () => window.removeEventListener("hashchange", cb);
};

export function useBatchOpen(): boolean {
  return isBatchHash(
    useSyncExternalStore(
      subscribe,
      () => window.location.hash,
      () => "",
    ),
  );
}

export function openBatchPage(): void {
  if (!isBatchHash(window.location.hash)) window.location.hash = BATCH_HASH;
}

/** Back to the designer (without a bare "#" left in the address). */
export function closeBatchPage(): void {
  navigate({ page: "designer" });
}
