import type { Diagnostic, NodeSummary, Pipeline, PipelineNode, Registry } from "@braid/core";
import type { Edge, Node } from "@xyflow/react";
import { branchesOf } from "./connect.js";
import type { XY } from "./ops.js";
import { nodeSummary } from "../components/nodeSummary.js";

/** What a canvas node shows; everything comes from the document, the lint and the backends list. */
export type BraidNodeData = {
  node: PipelineNode;
  title: string;
  icon: string;
  summary: NodeSummary;
  /** The kind's colour; undefined for an unknown kind (drawn in the neutral colour). */
  colour?: string | undefined;
  /** Source handles, one per branch; undefined for one plain source handle. */
  branches?: string[];
  hasTarget: boolean;
  hasSource: boolean;
  severity?: "error" | "warning";
  problems: string[];
  backend?: { name: string; simulated: boolean; known: boolean };
};
export type BraidFlowNode = Node<BraidNodeData, "braid">;
export type BraidEdgeData = { index: number; branch?: string };
export type BraidFlowEdge = Edge<BraidEdgeData>;

export interface BackendInfo {
  name: string;
  simulated: boolean;
}

export interface DeriveInput {
  doc: Pipeline;
  registry: Registry;
  diagnostics: readonly Diagnostic[];
  selectedNodes: ReadonlySet<string>;
  selectedEdges: ReadonlySet<string>;
  measured: Readonly<Record<string, { width: number; height: number }>>;
  drag: Readonly<Record<string, XY>> | null;
  backends: readonly BackendInfo[] | null;
}

export const DEFAULT_SIZE = { width: 240, height: 110 };

export function edgeIds(doc: Pipeline): string[] {
  const seen = new Map<string, number>();
  return doc.edges.map((e) => {
    const base = `${e.from}->${e.to}${e.branch !== undefined ? `:${e.branch}` : ""}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n === 0 ? base : `${base}#${n}`;
  });
}

function nodeProblems(diagnostics: readonly Diagnostic[]) {
  const byNode = new Map<string, { severity: "error" | "warning"; messages: string[] }>();
  for (const d of diagnostics) {
    if (!d.nodeId || d.edgeIndex !== undefined) continue;
    const cur = byNode.get(d.nodeId) ?? { severity: d.severity, messages: [] };
    if (d.severity === "error") cur.severity = "error";
    cur.messages.push(d.message);
    byNode.set(d.nodeId, cur);
  }
  return byNode;
}

const sameList = (a: readonly string[] | undefined, b: readonly string[] | undefined) =>
  a === b || (!!a && !!b && a.length === b.length && a.every((x, i) => x === b[i]));

function sameData(a: BraidNodeData, b: BraidNodeData): boolean {
  return (
    a.node === b.node &&
    a.severity === b.severity &&
    sameList(a.problems, b.problems) &&
    sameList(a.branches, b.branches) &&
    a.backend?.name === b.backend?.name &&
    a.backend?.simulated === b.backend?.simulated &&
    a.backend?.known === b.backend?.known &&
    a.title === b.title
  );
}

/**
 * Canvas nodes derived from the document. `cache` keeps the previous result: a node whose inputs
 * did not change keeps its object, so React Flow and the memoized node component skip it.
 */
export function deriveNodes(input: DeriveInput, cache: Map<string, BraidFlowNode>): BraidFlowNode[] {
  const problems = nodeProblems(input.diagnostics);
  const backends = input.backends ? new Map(input.backends.map((b) => [b.name, b])) : null;
  const out: BraidFlowNode[] = [];
  const seen = new Set<string>();
  input.doc.nodes.forEach((n, i) => {
    if (seen.has(n.id)) return; // a duplicate id is a lint error; React Flow needs unique ids
    seen.add(n.id);
    const kind = input.registry.get(n.kind);
    const p = problems.get(n.id);
    const backendName = typeof n.config?.backend === "string" && n.config.backend ? n.config.backend : undefined;
    const b = backendName ? backends?.get(backendName) : undefined;
    const cached = cache.get(n.id);
    const data: BraidNodeData = {
      node: n,
      title: kind?.title ?? n.kind,
      icon: kind?.diagram.icon ?? "?",
      // Derived on every edit and drag frame: an unchanged node keeps the summary it had.
      summary: cached?.data.node === n ? cached.data.summary : nodeSummary(n, kind),
      colour: kind?.diagram.colour,
      hasTarget: kind?.terminal !== "start",
      hasSource: kind?.terminal !== "end",
      problems: p?.messages ?? [],
    };
    const branches = branchesOf(n, input.registry);
    if (branches) data.branches = branches;
    if (p) data.severity = p.severity;
    if (backendName) data.backend = { name: backendName, simulated: b?.simulated ?? false, known: backends ? !!b : true };
    const position = input.drag?.[n.id] ?? n.position ?? { x: (i % 4) * 280, y: Math.floor(i / 4) * 160 };
    const selected = input.selectedNodes.has(n.id);
    const measured = input.measured[n.id];
    const prev = input.drag?.[n.id] ? undefined : cached;
    if (
      prev &&
      prev.selected === selected &&
      prev.position.x === position.x &&
      prev.position.y === position.y &&
      prev.measured?.width === measured?.width &&
      prev.measured?.height === measured?.height &&
      sameData(prev.data, data)
    ) {
      out.push(prev);
      return;
    }
    const flowNode: BraidFlowNode = {
      id: n.id,
      type: "braid",
      position,
      data,
      selected,
      ariaLabel: `${data.title} node ${n.label?.trim() ? n.label : n.id}`,
    };
    if (measured) flowNode.measured = measured;
    cache.set(n.id, flowNode);
    out.push(flowNode);
  });
  for (const id of cache.keys()) if (!seen.has(id)) cache.delete(id);
  return out;
}

export function deriveEdges(doc: Pipeline, diagnostics: readonly Diagnostic[], selectedEdges: ReadonlySet<string>, registry: Registry): BraidFlowEdge[] {
  const ids = edgeIds(doc);
  const invalid = new Map<number, "error" | "warning">();
  for (const d of diagnostics) if (d.edgeIndex !== undefined && invalid.get(d.edgeIndex) !== "error") invalid.set(d.edgeIndex, d.severity);
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));
  const branching = new Map<string, boolean>();
  const isBranching = (id: string) => {
    let v = branching.get(id);
    if (v === undefined) {
      const n = byId.get(id);
      v = !!n && branchesOf(n, registry) !== undefined;
      branching.set(id, v);
    }
    return v;
  };
  return doc.edges.map((e, index) => {
    const id = ids[index] as string;
    const severity = invalid.get(index);
    const edge: BraidFlowEdge = {
      id,
      source: e.from,
      target: e.to,
      selected: selectedEdges.has(id),
      data: e.branch !== undefined ? { index, branch: e.branch } : { index },
      ariaLabel: `Edge from ${e.from} to ${e.to}${e.branch !== undefined ? ` (${e.branch})` : ""}`,
      className:
        [severity ? `edge-${severity}` : "", e.branch && /^[A-Za-z0-9_-]{1,40}$/.test(e.branch) ? `edge-branch-${e.branch}` : ""].filter(Boolean).join(" ") ||
        undefined,
    };
    if (e.branch !== undefined && isBranching(e.from)) {
      edge.sourceHandle = e.branch;
      edge.label = e.branch;
    } else if (e.branch !== undefined) {
      edge.label = e.branch;
    }
    return edge;
  });
}
