import { Annotation, type BaseCheckpointSaver, END, START, StateGraph } from "@langchain/langgraph";
import {
  type BackendAvailability,
  BraidError,
  type Diagnostic,
  lint,
  type Pipeline,
  type PipelineNode,
  PipelineGraph,
  type AnyNodeKind,
  type NodeMeta,
  type Registry,
} from "@braid/core";
import { executeNode } from "../run/execute.js";
import { type Scheduling, chainNodeName, chainRunner, findChains } from "./chains.js";

/** Outputs and bookkeeping are keyed by node id, so parallel branches never write the same key. */
const mergeRecords = <T>(a: Record<string, T>, b: Record<string, T>): Record<string, T> => ({ ...a, ...b });

export const RunStateAnnotation = Annotation.Root({
  input: Annotation<unknown>(),
  outputs: Annotation<Record<string, unknown>>({ reducer: mergeRecords, default: () => ({}) }),
  meta: Annotation<Record<string, NodeMeta>>({ reducer: mergeRecords, default: () => ({}) }),
});
export type RunState = typeof RunStateAnnotation.State;

export class PipelineInvalidError extends BraidError {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[]) {
    const errors = diagnostics.filter((d) => d.severity === "error");
    const first = errors[0] ?? diagnostics[0];
    super(first?.code ?? "E_FORMAT", `pipeline is invalid: ${errors.map((d) => d.message).join("; ")}`, first?.nodeId ? { nodeId: first.nodeId } : {});
    this.diagnostics = diagnostics;
  }
}

export interface CompiledNode {
  node: PipelineNode;
  kind: AnyNodeKind;
  config: unknown;
  pipeline: Pipeline;
  /** Source node ids of the incoming edges, in edge order (a merge combines these). */
  incoming: string[];
}

export interface CompiledPipeline {
  pipeline: Pipeline;
  nodes: Map<string, CompiledNode>;
  inputId: string;
  outputId: string;
  recursionLimit: number;
  diagnostics: Diagnostic[];
  // LangGraph's compiled type is deeply generic; Braid only invokes and streams it.
  graph: ReturnType<typeof buildGraph>;
}

/** LangGraph node names: a prefix keeps user ids clear of LangGraph's reserved names and channels. */
export const graphNodeName = (id: string): string => `node.${id}`;

export interface CompileOptions {
  checkpointer?: BaseCheckpointSaver;
  backends?: BackendAvailability[];
  /** "critical-path" runs fan-out branches that are plain chains as subgraphs (see chains.ts); default "supersteps". */
  scheduling?: Scheduling;
}

/** Lints, then builds the LangGraph StateGraph. Throws PipelineInvalidError when lint finds errors. */
export function compile(pipeline: Pipeline, registry: Registry, opts: CompileOptions = {}): CompiledPipeline {
  const diagnostics = lint(pipeline, opts.backends ? { registry, backends: opts.backends } : { registry });
  if (diagnostics.some((d) => d.severity === "error")) throw new PipelineInvalidError(diagnostics);

  const topology = new PipelineGraph(pipeline);
  const nodes = new Map<string, CompiledNode>();
  for (const node of pipeline.nodes) {
    const kind = registry.get(node.kind) as AnyNodeKind;
    const parsed = registry.parseConfig(node);
    const incoming = [...new Set(topology.incoming(node.id).map((e) => e.from))];
    nodes.set(node.id, { node, kind, config: parsed?.ok ? parsed.config : {}, pipeline, incoming });
  }
  // Lint passed, so there is exactly one node of each terminal kind.
  const inputId = (pipeline.nodes.find((n) => registry.get(n.kind)?.terminal === "start") as PipelineNode).id;
  const outputId = (pipeline.nodes.find((n) => registry.get(n.kind)?.terminal === "end") as PipelineNode).id;
  const graph = buildGraph(topology, nodes, inputId, outputId, opts.checkpointer, opts.scheduling ?? "supersteps");
  return { pipeline, nodes, inputId, outputId, recursionLimit: recursionLimitFor(pipeline, nodes), diagnostics, graph };
}

function buildGraph(
  topology: PipelineGraph,
  nodes: Map<string, CompiledNode>,
  inputId: string,
  outputId: string,
  checkpointer: BaseCheckpointSaver | undefined,
  scheduling: Scheduling,
) {
  // Node names are computed at run time, which StateGraph's name generics cannot express (langgraphjs #763).
  const g = new StateGraph(RunStateAnnotation) as unknown as StateGraph<typeof RunStateAnnotation.spec, RunState, Partial<RunState>, string>;
  // Unreachable nodes can never run (lint warns about them); LangGraph refuses to compile them.
  const reachable = topology.reachable(inputId);
  const chains = scheduling === "critical-path" ? findChains(topology, nodes, reachable) : new Map<string, string[]>();
  // A chained node lives in its chain's subgraph; edges into the chain go to the chain's node, its last node's edge leaves from there.
  const inChain = new Set([...chains.values()].flat());
  const target = (id: string) => (chains.has(id) ? chainNodeName(id) : graphNodeName(id));
  for (const [first, chain] of chains) {
    const last = chain[chain.length - 1] as string;
    g.addNode(chainNodeName(first), chainRunner(chain, nodes));
    for (const e of topology.outgoing(last)) g.addEdge(chainNodeName(first), graphNodeName(e.to));
  }
  for (const [id, cn] of nodes) {
    if (!reachable.has(id) || inChain.has(id)) continue;
    g.addNode(graphNodeName(id), (state: RunState, config) => executeNode(cn, state, config), cn.kind.join ? { defer: true } : {});
  }
  g.addEdge(START, graphNodeName(inputId));
  for (const [id, cn] of nodes) {
    if (!reachable.has(id) || inChain.has(id)) continue;
    const name = graphNodeName(id);
    const edges = topology.outgoing(id);
    if (id === outputId || edges.length === 0) {
      g.addEdge(name, END);
      continue;
    }
    if (cn.kind.branches) {
      const byBranch = new Map<string, string[]>();
      for (const e of edges) {
        const list = byBranch.get(e.branch ?? "") ?? [];
        list.push(target(e.to));
        byBranch.set(e.branch ?? "", list);
      }
      const destinations = [...new Set(edges.map((e) => target(e.to))), END];
      // The node records its branch in meta; an unconnected branch ends this path (lint warns about it).
      g.addConditionalEdges(name, (state: RunState) => byBranch.get(state.meta[id]?.branch ?? "") ?? END, destinations);
      continue;
    }
    for (const e of edges) g.addEdge(name, target(e.to));
  }
  try {
    return g.compile(checkpointer ? { checkpointer } : {});
  } catch (err) {
    throw new BraidError("E_INTERNAL", `the pipeline could not be compiled: ${(err as Error).message}`);
  }
}

/**
 * LangGraph counts supersteps. A loop-free pipeline needs at most one step per node; each bounded
 * loop can repeat its part of the graph up to its bound, and nested loops multiply.
 */
function recursionLimitFor(pipeline: Pipeline, nodes: Map<string, CompiledNode>): number {
  let factor = 1;
  for (const e of pipeline.edges) {
    const cn = nodes.get(e.from);
    const bound = cn?.kind.boundsCycleThrough?.(cn.config, e.branch);
    if (bound !== undefined) factor *= Math.max(1, bound) + 1;
    if (factor > 1e5) break;
  }
  return Math.min(1_000_000, Math.max(25, (pipeline.nodes.length + 2) * factor));
}
