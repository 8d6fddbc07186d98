import { useSyncExternalStore } from "react";

/**
 * The app's pages: the Backends page at `#/backends` (configuration) and `#/backends/monitor`, the
 * Batch page at `#/batch`, the Experiments page at `#/experiments`, Deployments at `#/deployments`; anything else is the designer. A hash route needs no server support and
 * survives a reload.
 */
export type BackendsTab = "list" | "monitor";
export type Route = { page: "designer" } | { page: "backends"; tab: BackendsTab } | { page: "batch" } | { page: "experiments" } | { page: "deployments" };

export function parseRoute(hash: string): Route {
  const h = hash.replace(/^#\/?/, "").replace(/\/+$/, "");
  if (h === "backends") return { page: "backends", tab: "list" };
  if (h === "backends/monitor") return { page: "backends", tab: "monitor" };
  if (h === "batch") return { page: "batch" };
  if (h === "experiments") return { page: "experiments" };
  if (h === "deployments") return { page: "deployments" };
  return { page: "designer" };
}

export function routeHash(r: Route): string {
  if (r.page === "designer") return "";
  if (r.page === "batch") return "#/batch";
  if (r.page === "experiments") return "#/experiments";
  if (r.page === "deployments") return "#/deployments";
  return r.tab === "monitor" ? "#/backends/monitor" : "#/backends";
}

const subscribe = (cb: () => void) => {
  window.addEventListener("hashchange", cb);
  return () => window.removeEventListener("hashchange", cb);
};
const snapshot = () => window.location.hash;

export function useRoute(): Route {
  return parseRoute(useSyncExternalStore(subscribe, snapshot, () => ""));
}

export function navigate(r: Route): void {
  const hash = routeHash(r);
  if (hash === window.location.hash || (!hash && !window.location.hash)) return;
  if (hash) window.location.hash = hash;
  else {
    // Back to the designer without leaving a bare "#" in the address.
    history.pushState(null, "", window.location.pathname + window.location.search);
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  }
}
