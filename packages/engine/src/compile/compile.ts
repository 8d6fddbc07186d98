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
import { useLeanRunnableContext } from "./lean-context.js";
import { chainRunner, findChains } from "./chains.js";
import { type Scheduling, findRegions, regionNodeName, regionRunner } from "./regions.js";

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
  /**
   * "critical-path" (the default) runs fan-out branches that are single-entry, single-exit regions
   * as subgraphs (see regions.ts) and, without a checkpointer, each chain of nodes as one step (chains.ts).
   */
  scheduling?: Scheduling;
}

/** Lints, then builds the LangGraph StateGraph. Throws PipelineInvalidError when lint finds errors. */
export function compile(pipeline: Pipeline, registry: Registry, opts: CompileOptions = {}): CompiledPipeline {
  useLeanRunnableContext();
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
  const graph = buildGraph(topology, nodes, inputId, outputId, opts.checkpointer, opts.scheduling ?? "critical-path");
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
  // Unreachable nodes can never run (lint warns about them); LangGraph refuses to compile them.
  const chains = scheduling === "critical-path" && !checkpointer;
  const g = wire({ topology, nodes, outputId, scheduling, chains }, topology.reachable(inputId), inputId);
  try {
    return g.compile(checkpointer ? { checkpointer } : {});
  } catch (err) {
    throw new BraidError("E_INTERNAL", `the pipeline could not be compiled: ${(err as Error).message}`);
  }
}

interface Wiring {
  topology: PipelineGraph;
  nodes: Map<string, CompiledNode>;
  outputId: string;
  scheduling: Scheduling;
  /** Run each chain of nodes as one LangGraph node (only without a checkpointer: see chains.ts). */
  chains: boolean;
}

/**
 * The StateGraph of `scope`'s nodes, entered at `entry`. A region's graph is wired by the same
 * code with the region as the scope and its join, outside the scope, as END.
 */
function wire(w: Wiring, scope: Set<string>, entry: string, exit?: string) {
  const { topology, nodes } = w;
  // Node names are computed at run time, which StateGraph's name generics cannot express (langgraphjs #763).
  const g = new StateGraph(RunStateAnnotation) as unknown as StateGraph<typeof RunStateAnnotation.spec, RunState, Partial<RunState>, string>;
  const regions = w.scheduling === "critical-path" ? findRegions(topology, nodes, scope) : [];
  // A region's members live in its own graph: edges into the region go to its node, edges out leave from there.
  const inRegion = new Set(regions.flatMap((r) => [...r.members]));
  const heads = new Set(regions.map((r) => r.head));
  const target = (id: string) => (id === exit ? END : heads.has(id) ? regionNodeName(id) : graphNodeName(id));
  for (const r of regions) {
    const sub = wire(w, r.members, r.head, r.join).compile();
    g.addNode(regionNodeName(r.head), regionRunner(r, sub));
    g.addEdge(regionNodeName(r.head), target(r.join));
  }
  // A chain is one node named for its first member; the edges out of its last member leave from it.
  const chains = w.chains ? findChains(topology, nodes, scope, inRegion, w.outputId) : [];
  const chainOf = new Map(chains.map((c) => [c[0] as string, c]));
  const inChain = new Set(chains.flatMap((c) => c.slice(1)));
  for (const id of scope) {
    if (inRegion.has(id) || inChain.has(id)) continue;
    const cn = nodes.get(id) as CompiledNode;
    const chain = chainOf.get(id);
    if (chain) g.addNode(graphNodeName(id), chainRunner(chain.map((m) => nodes.get(m) as CompiledNode)));
    else g.addNode(graphNodeName(id), (state: RunState, config) => executeNode(cn, state, config), cn.kind.join ? { defer: true } : {});
  }
  g.addEdge(START, target(entry));
  for (const head of scope) {
    if (inRegion.has(head) || inChain.has(head)) continue;
    const name = graphNodeName(head);
    const id = chainOf.get(head)?.at(-1) ?? head;
    const cn = nodes.get(id) as CompiledNode;
    const edges = topology.outgoing(id);
    if (id === w.outputId || edges.length === 0) {
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
      const destinations = [...new Set([...edges.map((e) => target(e.to)), END])];
      // The node records its branch in meta; an unconnected branch ends this path (lint warns about it).
      g.addConditionalEdges(name, (state: RunState) => byBranch.get(state.meta[id]?.branch ?? "") ?? END, destinations);
      continue;
    }
    for (const e of edges) g.addEdge(name, target(e.to));
  }
  return g;
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
