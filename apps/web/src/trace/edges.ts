import type { TakenEdge } from "@braid/core";
import type { BraidFlowEdge } from "../doc/derive.js";

export type TracedEdgeData = { index: number; branch?: string; reason?: string };

/**
 * The run laid over the derived edges: taken edges get `edge-taken` (and move while their target
 * runs); a route's chosen edge carries the decision's reason in its label. Edges the run did not
 * touch keep their objects, so React Flow skips them.
 */
export function traceEdges(edges: BraidFlowEdge[], taken: readonly TakenEdge[], running: readonly string[], active: boolean): BraidFlowEdge[] {
  if (!active) return edges;
  const byIndex = new Map(taken.map((t) => [t.index, t]));
  const runningSet = new Set(running);
  return edges.map((e) => {
    const index = e.data?.index ?? -1;
    const t = byIndex.get(index);
    if (!t) return { ...e, className: [e.className, "edge-untaken"].filter(Boolean).join(" ") };
    const next: BraidFlowEdge = {
      ...e,
      className: [e.className, "edge-taken"].filter(Boolean).join(" "),
      animated: runningSet.has(e.target),
      ariaLabel: `${e.ariaLabel ?? `Edge from ${e.source} to ${e.target}`}, taken${t.reason ? `: ${t.reason}` : ""}`,
    };
    if (t.reason) {
      next.type = "traced";
      next.data = Object.assign({}, e.data, { reason: t.reason });
    }
    return next;
  });
}
