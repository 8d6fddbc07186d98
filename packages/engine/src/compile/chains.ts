/**
 * Chains: with critical-path scheduling and no checkpointer (batch records, `braid run`), a run
 * of nodes where each has one way out and the next one way in is compiled into one LangGraph
 * node that executes them in turn. A chain is sequential whatever LangGraph does, so this changes
 * no node's inputs, events or order; it saves LangGraph a superstep per node (task preparation,
 * its ids, channel bookkeeping), which on zero-latency backends is most of a record's cost.
 *
 * With a checkpointer every node stays its own step: its checkpoint is what a resume continues
 * from, and a chain would checkpoint only its end. Not chained: merges (LangGraph defers them),
 * approvals (they pause), and any node a loop or a second edge enters. A node that branches
 * (route, critique) can end a chain, never be inside one: its conditional edges leave from the
 * chain's node and read its branch from the state, as they would from its own.
 */
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { NodeMeta, PipelineGraph } from "@braid/core";
import { executeNode } from "../run/execute.js";
import type { CompiledNode, RunState } from "./compile.js";

/** Chains of two or more nodes among `scope`'s (less `skip`, the nodes regions hold), each in run order. */
export function findChains(topology: PipelineGraph, nodes: Map<string, CompiledNode>, scope: Set<string>, skip: Set<string>, outputId: string): string[][] {
  const chainable = (id: string) => {
    const kind = nodes.get(id)?.kind;
    return scope.has(id) && !skip.has(id) && kind !== undefined && !kind.join && !kind.pauses;
  };
  /** The node `id` hands on to within a chain, if any. */
  const next = (id: string): string | undefined => {
    if (!chainable(id) || id === outputId || nodes.get(id)?.kind.branches) return undefined;
    const out = [...new Set(topology.outgoing(id).map((e) => e.to))];
    const to = out[0];
    if (out.length !== 1 || to === undefined || to === id || !chainable(to)) return undefined;
    const into = new Set(topology.incoming(to).map((e) => e.from));
    return into.size === 1 ? to : undefined;
  };
  const continues = new Set<string>();
  for (const id of scope) {
    const to = next(id);
    if (to !== undefined) continues.add(to);
  }
  const chains: string[][] = [];
  for (const id of scope) {
    if (continues.has(id) || next(id) === undefined) continue;
    const chain = [id];
    for (let to = next(id); to !== undefined; to = next(to)) chain.push(to);
    chains.push(chain);
  }
  return chains;
}

/** Executes a chain's nodes in order, each on the state the ones before it left; returns their updates together. */
export function chainRunner(chain: CompiledNode[]) {
  return async (state: RunState, config: LangGraphRunnableConfig) => {
    const outputs: Record<string, unknown> = {};
    const meta: Record<string, NodeMeta> = {};
    // The state each node sees: LangGraph's, with the updates of the chain's nodes before it merged in.
    const current: RunState = { ...state, outputs: { ...state.outputs }, meta: { ...state.meta } };
    for (const [i, cn] of chain.entries()) {
      // Between steps LangGraph stops a cancelled run; between a chain's nodes this does.
      if (i > 0) config.signal?.throwIfAborted();
      const update = await executeNode(cn, current, config);
      Object.assign(outputs, update.outputs);
      Object.assign(meta, update.meta);
      Object.assign(current.outputs, update.outputs);
      Object.assign(current.meta, update.meta);
    }
    return { outputs, meta };
  };
}
