import type { AnyNodeKind, NodeSummary, PipelineNode } from "@braid/core";

const NONE: NodeSummary = { facts: [] };

/** The essentials a canvas node shows at a glance, as its kind summarises them. */
export function nodeSummary(node: PipelineNode, kind: AnyNodeKind | undefined): NodeSummary {
  return kind?.summary?.(node.config ?? {}) ?? NONE;
}
