/**
 * Critical-path scheduling (the default; CompileOptions.scheduling = "supersteps" turns it off).
 * LangGraph runs in supersteps, so in a fan-out whose branches have unequal shapes every branch
 * waits at each step for the slowest node beside it. Here each branch that is a single-entry,
 * single-exit region (entered only through the fan-out's edge, left only into one join) is
 * compiled into its own StateGraph, run by one node of the parent graph: from the parent's view
 * the whole branch is one step, so it advances at its own pace and the join waits only for the
 * slowest branch. A region may hold routes, critique loops and nested fan-outs; its own graph is
 * wired the same way, so nested fan-outs get regions of their own. The region's nodes are the
 * same executeNode calls (same events, spans, usage, reuse and resume-log skipping); the
 * subgraph inherits the parent's checkpointer, so its steps are checkpointed under the task's
 * namespace and a resumed run continues inside it.
 *
 * Limits (those branches keep superstep scheduling, which is correct, only slower):
 * - a branch with an approval (a pause inside a subgraph would resume the whole region's task);
 * - a branch a path can end inside: a node without outgoing edges, or a branch of a route or
 *   critique with no edge, since the join must still be reached exactly when supersteps reach it;
 * - a branch entered from outside it other than by the fan-out (two fan-outs feeding one node),
 *   or left towards two places (a branch that skips ahead past its join);
 * - a branch of a single node: it is one step already.
 */
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { NodeMeta, PipelineGraph } from "@braid/core";
import type { CompiledNode, RunState } from "./compile.js";

export type Scheduling = "supersteps" | "critical-path";

/** A branch run as its own graph: its first node, its members and the join it leaves into. */
export interface Region {
  head: string;
  members: Set<string>;
  join: string;
}

/** The parent graph's node name for the region starting at `head`. */
export const regionNodeName = (head: string): string => `region.${head}`;

/**
 * The outermost regions among `scope`'s nodes: for each fan-out (a node that is not a route and
 * has two or more outgoing edges), each branch whose nodes are dominated by its first node and
 * whose edges out all go to one join. Regions never overlap: nested ones are found again when the
 * region's own graph is wired, with the region as the scope.
 */
export function findRegions(topology: PipelineGraph, nodes: Map<string, CompiledNode>, scope: Set<string>): Region[] {
  const found: Region[] = [];
  for (const id of scope) {
    const cn = nodes.get(id);
    if (!cn || cn.kind.branches) continue;
    const heads = new Set(topology.outgoing(id).map((e) => e.to));
    if (heads.size < 2) continue;
    for (const head of heads) {
      const region = regionFrom(topology, nodes, scope, id, head);
      if (region) found.push(region);
    }
  }
  // Keep the outermost: a region inside another is scheduled by the outer one's own graph.
  return found.filter((r) => !found.some((o) => o !== r && o.members.has(r.head)));
}

function regionFrom(topology: PipelineGraph, nodes: Map<string, CompiledNode>, scope: Set<string>, fanOut: string, head: string): Region | undefined {
  if (!scope.has(head) || nodes.get(head)?.kind.join) return undefined;
  // Everything reachable from the head without going back through the fan-out…
  const members = new Set<string>([head]);
  for (const queue = [head]; queue.length > 0; ) {
    for (const e of topology.outgoing(queue.pop() as string)) {
      if (e.to === fanOut || !scope.has(e.to) || members.has(e.to)) continue;
      members.add(e.to);
      queue.push(e.to);
    }
  }
  // …less what can be reached from elsewhere: the join, and everything after it, drop out here.
  for (let changed = true; changed; ) {
    changed = false;
    for (const m of members) {
      if (m !== head && topology.incoming(m).some((e) => !members.has(e.from))) {
        members.delete(m);
        changed = true;
      }
    }
  }
  if (members.size < 2 || topology.incoming(head).some((e) => e.from !== fanOut && !members.has(e.from))) return undefined;
  const exits = new Set<string>();
  for (const m of members) {
    const cn = nodes.get(m) as CompiledNode;
    const out = topology.outgoing(m);
    if (cn.kind.pauses || cn.kind.terminal || out.length === 0) return undefined;
    if (cn.kind.branches) {
      const connected = new Set(out.map((e) => e.branch));
      const optional = new Set(cn.kind.optionalBranches?.(cn.config) ?? []);
      if (cn.kind.branches(cn.config).some((b) => !connected.has(b) && !optional.has(b))) return undefined;
    }
    for (const e of out) if (!members.has(e.to)) exits.add(e.to);
  }
  const [join] = exits;
  if (exits.size !== 1 || join === undefined || !nodes.get(join)?.kind.join) return undefined;
  return { head, members, join };
}

/** Runs a region's compiled graph on the parent's state and hands back only the region's outputs and bookkeeping. */
export function regionRunner(region: Region, graph: { invoke(state: RunState, config: LangGraphRunnableConfig): Promise<unknown> }) {
  return async (state: RunState, config: LangGraphRunnableConfig) => {
    const final = (await graph.invoke(state, config)) as RunState;
    const outputs: Record<string, unknown> = {};
    const meta: Record<string, NodeMeta> = {};
    for (const id of region.members) {
      if (Object.hasOwn(final.outputs, id)) outputs[id] = final.outputs[id];
      if (final.meta[id]) meta[id] = final.meta[id];
    }
    return { outputs, meta };
  };
}
