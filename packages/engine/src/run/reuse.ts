import { type RunEvent, type Pipeline, PipelineGraph } from "@braid/core";
import type { ReuseMap } from "./context.js";

export interface ReusePlan {
  reuse: ReuseMap;
  /** Nodes that will run again (the chosen node, everything downstream, and anything not recorded). */
  rerun: string[];
  /** What the reused nodes cost in the recorded run: the money a re-run does not spend again. */
  savedUsd: number;
  savedTokens: number;
}

type Recorded = ReuseMap extends Map<string, Array<infer R>> ? R : never;

/**
 * What a child run may take from a recorded run instead of executing.
 * - `fromNode`: re-run that node and everything downstream of it; everything else is reused.
 * - `uptoSeq` + `state`: fork at a step; nodes finished by that step are reused, with the latest
 *   output of each replaced by the edited state where it differs.
 */
export function planReuse(
  pipeline: Pipeline,
  events: Array<{ seq?: number; event: RunEvent } | RunEvent>,
  opts: { fromNode?: string; uptoSeq?: number; state?: Record<string, unknown> } = {},
): ReusePlan {
  const downstream = opts.fromNode ? new PipelineGraph(pipeline).downstream(opts.fromNode) : new Set<string>();
  const reuse: ReuseMap = new Map();
  let savedUsd = 0;
  let savedTokens = 0;
  events.forEach((item, index) => {
    const e = "event" in item ? item.event : item;
    const seq = "event" in item && item.seq !== undefined ? item.seq : index + 1;
    if (e.type !== "node_finished" || downstream.has(e.nodeId)) return;
    if (opts.uptoSeq !== undefined && seq > opts.uptoSeq) return;
    const rec: Recorded = { output: e.output };
    if (e.meta) rec.meta = e.meta;
    if (e.branch !== undefined) rec.branch = e.branch;
    if (e.replaces) rec.replaces = e.replaces;
    reuse.set(e.nodeId, [...(reuse.get(e.nodeId) ?? []), rec]);
    savedUsd += e.usage.costUsd;
    savedTokens += e.usage.inputTokens + e.usage.outputTokens;
  });
  if (opts.state) {
    for (const [nodeId, list] of reuse) {
      if (!Object.hasOwn(opts.state, nodeId)) continue;
      const last = list[list.length - 1] as Recorded;
      const edited = opts.state[nodeId];
      if (JSON.stringify(edited) === JSON.stringify(last.output)) continue;
      const branch = (edited as { branch?: unknown } | null)?.branch;
      list[list.length - 1] = { ...last, output: edited, ...(typeof branch === "string" ? { branch } : {}) };
    }
  }
  const rerun = pipeline.nodes.map((n) => n.id).filter((id) => !reuse.has(id));
  return { reuse, rerun, savedUsd: Math.round(savedUsd * 1e8) / 1e8, savedTokens };
}
