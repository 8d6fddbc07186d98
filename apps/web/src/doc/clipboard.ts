import type { Pipeline, PipelineEdge, PipelineNode, Registry } from "@braid/core";
import { freeId } from "./ids.js";
import { insertElements } from "./ops.js";
import { renameRefsInConfig } from "./refs.js";

/** Copied nodes and the edges among them, as plain JSON (so it can travel through the system clipboard). */
export interface Clip {
  braidClip: 1;
  nodes: PipelineNode[];
  edges: PipelineEdge[];
}

export function copyNodes(doc: Pipeline, ids: readonly string[]): Clip | undefined {
  const set = new Set(ids);
  const nodes = doc.nodes.filter((n) => set.has(n.id));
  if (!nodes.length) return undefined;
  const edges = doc.edges.filter((e) => set.has(e.from) && set.has(e.to));
  return JSON.parse(JSON.stringify({ braidClip: 1, nodes, edges })) as Clip;
}

export function isClip(v: unknown): v is Clip {
  const c = v as Partial<Clip> | null;
  return !!c && c.braidClip === 1 && Array.isArray(c.nodes) && Array.isArray(c.edges);
}

/**
 * Pastes a clip with fresh ids (`gen` becomes `gen1` when `gen` is taken), shifted by `offset`.
 * References among the pasted nodes (edges, critique targets, templates) follow the new ids.
 */
export function pasteClip(doc: Pipeline, registry: Registry, clip: Clip, offset: { x: number; y: number }): { doc: Pipeline; ids: string[] } {
  const taken = new Set(doc.nodes.map((n) => n.id));
  const rename = new Map<string, string>();
  for (const n of clip.nodes) {
    const id = freeId(taken, n.id);
    taken.add(id);
    rename.set(n.id, id);
  }
  let nodes = clip.nodes.map((n) => {
    const copy: PipelineNode = { ...n, id: rename.get(n.id) as string };
    if (n.position) copy.position = { x: n.position.x + offset.x, y: n.position.y + offset.y };
    return copy;
  });
  for (const [oldId, newId] of rename) {
    if (oldId !== newId) nodes = nodes.map((n) => renameRefsInConfig(n, oldId, newId, registry));
  }
  const edges = clip.edges
    .filter((e) => rename.has(e.from) && rename.has(e.to))
    .map((e) => ({ ...e, from: rename.get(e.from) as string, to: rename.get(e.to) as string }));
  return { doc: insertElements(doc, nodes, edges), ids: nodes.map((n) => n.id) };
}
