/**
 * Critical-path scheduling (opt-in: CompileOptions.scheduling = "critical-path"). LangGraph runs
 * in supersteps, so in a fan-out whose branches have unequal shapes every branch waits at each
 * step for the slowest node beside it. Here each branch that is a plain chain of two or more
 * nodes from a fan-out to a join is compiled into its own StateGraph, run by one node of the
 * parent graph: from the parent's view the whole branch is one step, so it advances at its own
 * pace and the join waits only for the slowest branch. The chain's nodes are the same
 * executeNode calls (same events, spans, usage, reuse and resume-log skipping); the subgraph
 * inherits the parent's checkpointer, so its steps are checkpointed under the task's namespace.
 *
 * Limits: only chains qualify (every node with one incoming and one outgoing edge, none that
 * branches, joins, pauses for review or ends the run); routes, loops and approvals inside a
 * branch, and nested fan-outs, keep superstep scheduling.
 */
import { END, type LangGraphRunnableConfig, START, StateGraph } from "@langchain/langgraph";
import type { NodeMeta, PipelineGraph } from "@braid/core";
import { executeNode } from "../run/execute.js";
import { type CompiledNode, RunStateAnnotation, type RunState, graphNodeName } from "./compile.js";

export type Scheduling = "supersteps" | "critical-path";

/** The parent graph's node name for the chain starting at `first`. */
export const chainNodeName = (first: string): string => `chain.${first}`;

/** Chains of ≥ 2 nodes between a fan-out and a join, by their first node id. */
export function findChains(topology: PipelineGraph, nodes: Map<string, CompiledNode>, reachable: Set<string>): Map<string, string[]> {
  const plain = (id: string) => {
    const cn = nodes.get(id);
    return !!cn && reachable.has(id) && !cn.kind.branches && !cn.kind.join && !cn.kind.pauses && !cn.kind.terminal;
  };
  const single = (id: string) => topology.incoming(id).length === 1 && topology.outgoing(id).length === 1;
  const chains = new Map<string, string[]>();
  for (const [id, cn] of nodes) {
    if (!reachable.has(id) || cn.kind.branches) continue;
    const out = topology.outgoing(id);
    if (out.length < 2) continue;
    for (const e of out) {
      const chain: string[] = [];
      for (let c = e.to; plain(c) && single(c) && !chain.includes(c); c = topology.outgoing(c)[0]?.to as string) chain.push(c);
      const last = chain[chain.length - 1];
      const after = last === undefined ? undefined : topology.outgoing(last)[0]?.to;
      if (chain.length >= 2 && after !== undefined && nodes.get(after)?.kind.join) chains.set(chain[0] as string, chain);
    }
  }
  return chains;
}

/** One parent node that runs the chain as its own graph and hands back only the chain's outputs and bookkeeping. */
export function chainRunner(chain: string[], nodes: Map<string, CompiledNode>) {
  const sub = new StateGraph(RunStateAnnotation) as unknown as StateGraph<typeof RunStateAnnotation.spec, RunState, Partial<RunState>, string>;
  for (const id of chain) {
    const cn = nodes.get(id) as CompiledNode;
    sub.addNode(graphNodeName(id), (state: RunState, config) => executeNode(cn, state, config));
  }
  const names = chain.map(graphNodeName);
  sub.addEdge(START, names[0] as string);
  for (let i = 1; i < names.length; i++) sub.addEdge(names[i - 1] as string, names[i] as string);
  sub.addEdge(names[names.length - 1] as string, END);
  const graph = sub.compile();
  return async (state: RunState, config: LangGraphRunnableConfig) => {
    const final = (await graph.invoke(state, config)) as RunState;
    const outputs: Record<string, unknown> = {};
    const meta: Record<string, NodeMeta> = {};
    for (const id of chain) {
      if (Object.hasOwn(final.outputs, id)) outputs[id] = final.outputs[id];
      if (final.meta[id]) meta[id] = final.meta[id];
    }
    return { outputs, meta };
  };
}
