import type { RunEvent } from "../events.js";
import type { Pipeline } from "../format/schema.js";

/** What a run did, in the terms a diagram can show. Node ids are pipeline ids. */
export interface RunOverlay {
  /** Nodes that finished at least once. */
  visited: string[];
  /** Nodes that failed at least once (a node can be both, in a loop). */
  failed: string[];
  /** Pipeline edges the run went along: `[from, to]` or `[from, to, branch]`. */
  takenEdges: Array<[from: string, to: string, branch?: string]>;
}

/**
 * Derives an overlay from a run's events. The pipeline is needed because events name nodes,
 * not edges: an edge counts as taken when `to` ran after `from` finished and, for an edge
 * with a branch, when `from` recorded that branch (route_decided / loop_iteration) at least once.
 */
export function overlayFromEvents(events: readonly RunEvent[], pipeline: Pipeline): RunOverlay {
  const visited: string[] = [];
  const failed: string[] = [];
  const firstFinish = new Map<string, number>();
  const lastRan = new Map<string, number>();
  const branches = new Map<string, Set<string>>();
  events.forEach((e, i) => {
    if (!("nodeId" in e)) return;
    const id = e.nodeId;
    if (e.type === "node_started" || e.type === "node_finished" || e.type === "node_failed") lastRan.set(id, i);
    if (e.type === "node_finished") {
      if (!firstFinish.has(id)) {
        firstFinish.set(id, i);
        visited.push(id);
      }
    } else if (e.type === "node_failed") {
      if (!failed.includes(id)) failed.push(id);
    } else if (e.type === "route_decided" || e.type === "loop_iteration") {
      const set = branches.get(id) ?? new Set<string>();
      set.add(e.branch);
      branches.set(id, set);
    }
  });

  const takenEdges: RunOverlay["takenEdges"] = [];
  const seen = new Set<string>();
  for (const edge of pipeline.edges) {
    const finished = firstFinish.get(edge.from);
    const ran = lastRan.get(edge.to);
    if (finished === undefined || ran === undefined || ran < finished) continue;
    if (edge.branch !== undefined && !branches.get(edge.from)?.has(edge.branch)) continue;
    const key = edgeKey(edge.from, edge.to, edge.branch);
    if (seen.has(key)) continue;
    seen.add(key);
    takenEdges.push(edge.branch === undefined ? [edge.from, edge.to] : [edge.from, edge.to, edge.branch]);
  }
  return { visited, failed, takenEdges };
}

/** A collision-free key for an edge (ids cannot contain NUL). */
export const edgeKey = (from: string, to: string, branch: string | undefined): string => `${from}\u0000${to}\u0000${branch ?? ""}`;

export function isRunOverlay(v: RunOverlay | { events: readonly RunEvent[] }): v is RunOverlay {
  return !("events" in v);
}
