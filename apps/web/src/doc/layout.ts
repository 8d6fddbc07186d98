import dagre from "@dagrejs/dagre";
import type { Pipeline, PipelineNode, Registry } from "@braid/core";
import { branchesOf } from "./connect.js";
import { DEFAULT_SIZE } from "./derive.js";
import type { XY } from "./ops.js";

/**
 * Nodes in breadth-first order from the inputs, each node's outgoing edges taken in the order of
 * its branch handles (left to right). Dagre keeps this order where crossings tie, so a route's
 * `fast` branch lands under its left handle.
 */
export function layoutOrder(doc: Pipeline, registry?: Registry): PipelineNode[] {
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));
  const out = new Map<string, Array<{ to: string; rank: number; i: number }>>();
  doc.edges.forEach((e, i) => {
    const from = byId.get(e.from);
    const branches = from && registry ? branchesOf(from, registry) : undefined;
    const rank = e.branch !== undefined && branches ? branches.indexOf(e.branch) : -1;
    out.set(e.from, [...(out.get(e.from) ?? []), { to: e.to, rank, i }]);
  });
  const seen = new Set<string>();
  const order: PipelineNode[] = [];
  // Layers grow from the sources: the input, and any node nothing flows into yet.
  const targets = new Set(doc.edges.map((e) => e.to));
  const queue = doc.nodes.filter((n) => !targets.has(n.id)).map((n) => n.id);
  const visit = (id: string) => {
    if (seen.has(id) || !byId.has(id)) return;
    seen.add(id);
    order.push(byId.get(id) as PipelineNode);
    for (const e of [...(out.get(id) ?? [])].sort((a, b) => a.rank - b.rank || a.i - b.i)) queue.push(e.to);
  };
  while (queue.length) visit(queue.shift() as string);
  for (const n of doc.nodes) visit(n.id);
  return order;
}

/** Top-to-bottom layered layout (dagre) using the measured node sizes; returns top-left positions. */
export function autoLayout(doc: Pipeline, sizes: Readonly<Record<string, { width: number; height: number }>>, registry?: Registry): Record<string, XY> {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: "TB", nodesep: 60, ranksep: 80, edgesep: 30, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set<string>();
  for (const n of layoutOrder(doc, registry)) {
    if (ids.has(n.id)) continue;
    ids.add(n.id);
    const s = sizes[n.id] ?? DEFAULT_SIZE;
    g.setNode(n.id, { width: s.width, height: s.height });
  }
  doc.edges.forEach((e, i) => {
    if (ids.has(e.from) && ids.has(e.to) && e.from !== e.to) g.setEdge(e.from, e.to, { label: e.branch ?? "", minlen: 1 }, `e${i}`);
  });
  dagre.layout(g);
  const centers = new Map<string, { x: number; y: number; width: number; height: number }>();
  for (const id of ids) {
    const n = g.node(id) as { x: number; y: number; width: number; height: number } | undefined;
    if (n) centers.set(id, { ...n });
  }
  if (registry) orderBranchChildren(doc, registry, centers);
  const out: Record<string, XY> = {};
  for (const [id, n] of centers) out[id] = { x: Math.round(n.x - n.width / 2), y: Math.round(n.y - n.height / 2) };
  return out;
}

/**
 * Dagre knows nothing of handle order, so a branching node's children may come out mirrored. The
 * children in one row that only that node feeds swap their places to follow its branch order.
 */
function orderBranchChildren(doc: Pipeline, registry: Registry, centers: Map<string, { x: number; y: number }>) {
  const incoming = new Map<string, Set<string>>();
  for (const e of doc.edges) incoming.set(e.to, (incoming.get(e.to) ?? new Set()).add(e.from));
  for (const node of doc.nodes) {
    const branches = branchesOf(node, registry);
    if (!branches || branches.length < 2) continue;
    const rankOf = new Map<string, number>();
    for (const e of doc.edges) {
      if (e.from !== node.id || e.branch === undefined || e.to === node.id) continue;
      if (incoming.get(e.to)?.size !== 1) continue;
      const r = branches.indexOf(e.branch);
      if (r >= 0) rankOf.set(e.to, Math.min(rankOf.get(e.to) ?? r, r));
    }
    const rows = new Map<number, string[]>();
    for (const id of rankOf.keys()) {
      const c = centers.get(id);
      if (c) rows.set(c.y, [...(rows.get(c.y) ?? []), id]);
    }
    for (const row of rows.values()) {
      if (row.length < 2) continue;
      const slots = row.map((id) => (centers.get(id) as { x: number }).x).sort((a, b) => a - b);
      row.sort((a, b) => (rankOf.get(a) ?? 0) - (rankOf.get(b) ?? 0));
      row.forEach((id, i) => {
        (centers.get(id) as { x: number }).x = slots[i] as number;
      });
    }
  }
}
