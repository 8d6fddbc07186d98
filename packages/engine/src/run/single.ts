import { BraidError, type NodeMeta, type Pipeline, PipelineGraph, type Registry, type RunEvent } from "@braid/core";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { CompiledPipeline, RunState } from "../compile/compile.js";
import { executeNode } from "./execute.js";

/** What a single-node run executes against: the node and the state it sees (see RunOptions.only). */
export interface SingleNodeState {
  nodeId: string;
  /** Outputs of the other nodes, as a full run would have them when this node starts. */
  outputs: Record<string, unknown>;
  meta: Record<string, NodeMeta>;
}

/**
 * The state one node runs against, taken from the run input alone (`events` unset: only the input
 * node's output is known) or from a recorded run's events (the latest output of every node it
 * finished). Throws E_NODE_UPSTREAM_MISSING, naming the nodes, when the node's inputs were not
 * produced: all incoming nodes for a join, at least one for any other kind. Edges that close a
 * loop are not inputs, since a full run reaches the node before taking them.
 */
export function planSingleNode(
  pipeline: Pipeline,
  registry: Registry,
  nodeId: string,
  source: { input: unknown; events?: Iterable<RunEvent | { event: RunEvent }> },
): SingleNodeState {
  const node = pipeline.nodes.find((n) => n.id === nodeId);
  if (!node) throw new BraidError("E_UNKNOWN_NODE", `node "${nodeId}" is not in the pipeline`, { nodeId });
  const outputs: Record<string, unknown> = {};
  const meta: Record<string, NodeMeta> = {};
  const inputNode = pipeline.nodes.find((n) => registry.get(n.kind)?.terminal === "start");
  if (!source.events) {
    if (inputNode) outputs[inputNode.id] = source.input;
  } else {
    for (const item of source.events) {
      const e = "event" in item ? item.event : item;
      if (e.type !== "node_finished") continue;
      outputs[e.nodeId] = e.output;
      for (const other of e.replaces ?? []) outputs[other] = e.output;
      const m: NodeMeta = { ...(meta[e.nodeId] ?? {}), ...((e.meta ?? {}) as Partial<NodeMeta>), visits: (meta[e.nodeId]?.visits ?? 0) + 1 };
      if (e.branch !== undefined) m.branch = e.branch;
      meta[e.nodeId] = m;
    }
  }
  // The node runs as on its first visit: its own recorded output and visits are not its input.
  delete outputs[nodeId];
  delete meta[nodeId];

  const graph = new PipelineGraph(pipeline);
  const back = inputNode ? backEdges(graph, inputNode.id) : new Set<string>();
  const feeding = graph.incoming(nodeId).filter((e) => !back.has(`${e.from}>${e.to}`));
  const sources = [...new Set(feeding.map((e) => e.from))];
  const missing = sources.filter((id) => !Object.hasOwn(outputs, id));
  const join = registry.get(node.kind)?.join === true;
  if (missing.length > 0 && (join || missing.length === sources.length)) {
    const from = source.events ? "the chosen run did not produce" : "running on the example input has only the input node's output, not";
    throw new BraidError(
      "E_NODE_UPSTREAM_MISSING",
      `node "${nodeId}" cannot run alone: ${from} the output${missing.length === 1 ? "" : "s"} of ${missing.map((m) => `"${m}"`).join(", ")}`,
      { nodeId, details: { missing } },
    );
  }
  return { nodeId, outputs, meta };
}

/** Edges that close a cycle (`from>to`) in a depth-first walk from the input node, in edge order. */
function backEdges(graph: PipelineGraph, start: string): Set<string> {
  const back = new Set<string>();
  const state = new Map<string, "open" | "done">();
  const visit = (id: string) => {
    state.set(id, "open");
    for (const e of graph.outgoing(id)) {
      const s = state.get(e.to);
      if (s === "open") back.add(`${e.from}>${e.to}`);
      else if (s === undefined) visit(e.to);
    }
    state.set(id, "done");
  };
  visit(start);
  return back;
}

/** Executes only `only.nodeId` against the given state, with the run's context: the same events, usage and errors as in a full run. */
export async function executeOnly(compiled: CompiledPipeline, only: SingleNodeState, input: unknown, config: LangGraphRunnableConfig): Promise<RunState> {
  const cn = compiled.nodes.get(only.nodeId);
  if (!cn) throw new BraidError("E_UNKNOWN_NODE", `node "${only.nodeId}" is not in the pipeline`, { nodeId: only.nodeId });
  const update = await executeNode(cn, { input, outputs: only.outputs, meta: only.meta }, config);
  return { input, outputs: { ...only.outputs, ...update.outputs }, meta: { ...only.meta, ...update.meta } };
}
