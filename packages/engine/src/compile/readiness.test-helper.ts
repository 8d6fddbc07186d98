import type { Pipeline, RunEvent } from "@braid/core";

/**
 * How long each node execution waited after its inputs were ready: its node_started time minus the
 * latest node_finished, before it, among the nodes with an edge into it. Critical-path scheduling
 * keeps every gap at the engine's own cost of one step; waiting for an unrelated slow node (a
 * superstep) shows as one gap the size of that node's latency. Local, so a slow host (every step
 * dearer) moves all gaps a little, not one gap by a branch's length.
 */
export function readinessGaps(p: Pipeline, events: readonly RunEvent[]): number[] {
  const preds = new Map<string, string[]>();
  for (const e of p.edges) preds.set(e.to, [...(preds.get(e.to) ?? []), e.from]);
  const finished = new Map<string, number>();
  const gaps: number[] = [];
  for (const e of events) {
    if (e.type === "node_finished") finished.set(e.nodeId, e.at);
    if (e.type !== "node_started") continue;
    const ready = Math.max(...(preds.get(e.nodeId) ?? []).map((id) => finished.get(id) ?? Number.NEGATIVE_INFINITY));
    if (Number.isFinite(ready)) gaps.push(e.at - ready);
  }
  return gaps;
}

/** The run's longest wait over its typical one: a step's cost twice over, at least `floorMs`, is allowed. */
export function longestWait(p: Pipeline, events: readonly RunEvent[], floorMs: number): { longest: number; allowed: number } {
  const gaps = readinessGaps(p, events).sort((a, b) => a - b);
  const median = gaps[Math.floor(gaps.length / 2)] ?? 0;
  return { longest: gaps.at(-1) ?? 0, allowed: Math.max(floorMs, 3 * median) };
}
