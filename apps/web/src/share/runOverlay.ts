import type { Pipeline, RunEvent, RunOverlay } from "@braid/core";
import type { RunBrief } from "../run/brief.js";

/** The run open in the editor, as the exporter needs it: its events when known, else an overlay from the run brief. */
export type RunSource = { events: readonly RunEvent[] } | RunOverlay;

/** A run worth exporting: one that has at least started a node. */
export const hasExportableRun = (run: RunBrief): boolean => run.status !== "idle" && run.status !== "starting" && run.order.length > 0;

/** The events the brief was made from, when it keeps them. */
export function eventsOf(run: RunBrief): readonly RunEvent[] | undefined {
  return run.events && run.events.length > 0 ? run.events : undefined;
}

/**
 * What a run did, from the run brief alone (no events at hand): nodes that finished,
 * nodes that failed, and edges whose target ran after their source and, for a branch edge,
 * whose branch was chosen at least once.
 */
export function overlayFromBrief(run: RunBrief, pipeline: Pipeline): RunOverlay {
  const visited = run.order.filter((id) => run.nodes[id]?.status === "done" || (run.nodes[id]?.visits ?? 0) > 1);
  const failed = run.order.filter((id) => run.nodes[id]?.status === "failed");
  const chosen = new Map<string, Set<string>>();
  const choose = (nodeId: string, branch: string | undefined) => {
    if (branch === undefined) return;
    const set = chosen.get(nodeId) ?? new Set<string>();
    set.add(branch);
    chosen.set(nodeId, set);
  };
  for (const d of run.decisions) choose(d.nodeId, d.branch);
  for (const it of run.iterations) choose(it.nodeId, it.branch);
  for (const id of run.order) choose(id, run.nodes[id]?.branch);
  const position = new Map(run.order.map((id, i) => [id, i] as const));
  const done = new Set(visited);
  const takenEdges: RunOverlay["takenEdges"] = [];
  for (const e of pipeline.edges) {
    const from = position.get(e.from);
    const to = position.get(e.to);
    if (from === undefined || to === undefined || !done.has(e.from)) continue;
    // A loop edge goes backwards in first-start order: taken only if its target ran again.
    if (to < from && (run.nodes[e.to]?.visits ?? 0) < 2) continue;
    if (e.branch !== undefined && !chosen.get(e.from)?.has(e.branch)) continue;
    takenEdges.push(e.branch === undefined ? [e.from, e.to] : [e.from, e.to, e.branch]);
  }
  return { visited, failed, takenEdges };
}

const TERMINAL = new Set(["run_finished", "run_failed", "run_cancelled"]);

/**
 * A run's events from the server (stored ones first, then live), until its terminal event, or
 * until the stream goes quiet for `idleMs` (a run still going), or `maxMs` in all. Resolves
 * with what it has; rejects only when nothing at all arrived.
 */
export function fetchRunEvents(
  subscribe: (
    input: { runId: string },
    handlers: { onData: (d: { data: { seq: number; event: unknown } }) => void; onError: (err: unknown) => void; onComplete?: () => void },
  ) => { unsubscribe(): void },
  runId: string,
  { idleMs = 800, maxMs = 6000 } = {},
): Promise<RunEvent[]> {
  return new Promise((resolve, reject) => {
    const events: RunEvent[] = [];
    let idle: ReturnType<typeof setTimeout> | undefined;
    let sub: { unsubscribe(): void } | undefined;
    let done = false;
    const finish = (err?: unknown) => {
      if (done) return;
      done = true;
      clearTimeout(idle);
      clearTimeout(overall);
      queueMicrotask(() => sub?.unsubscribe());
      if (events.length === 0 && err !== undefined) reject(err);
      else resolve(events);
    };
    const overall = setTimeout(() => finish(new Error("the run's events did not arrive in time")), maxMs);
    sub = subscribe(
      { runId },
      {
        onData: ({ data }) => {
          if (done) return;
          const event = data.event as RunEvent;
          events.push(event);
          if (TERMINAL.has(event.type)) return finish();
          clearTimeout(idle);
          idle = setTimeout(() => finish(), idleMs);
        },
        onError: (err) => finish(err),
        onComplete: () => finish(),
      },
    );
    if (done) sub.unsubscribe();
  });
}
