import { BRANCH_ID_PATTERN, NODE_ID_PATTERN, type Pipeline, type PipelineEdge, type PipelineNode, type Registry } from "@braid/core";
import { nextBranchId, nextId } from "./ids.js";
import { renameRefsInConfig } from "./refs.js";

/**
 * Every edit of the pipeline document is one of these pure functions: they never mutate their
 * input and they keep unchanged nodes and edges by reference (cheap derivation, exact undo).
 */
export interface XY {
  x: number;
  y: number;
}

const idsOf = (doc: Pipeline) => new Set(doc.nodes.map((n) => n.id));

function mapNode(doc: Pipeline, id: string, f: (n: PipelineNode) => PipelineNode): Pipeline {
  let changed = false;
  const nodes = doc.nodes.map((n) => {
    if (n.id !== id) return n;
    const next = f(n);
    if (next !== n) changed = true;
    return next;
  });
  return changed ? { ...doc, nodes } : doc;
}

export function addNode(doc: Pipeline, registry: Registry, kind: string, position: XY, id?: string): { doc: Pipeline; id: string } {
  const k = registry.get(kind);
  if (!k) throw new Error(`unknown node kind "${kind}"`);
  const nodeId = id && !idsOf(doc).has(id) ? id : nextId(idsOf(doc), kind);
  const config = k.defaults(doc);
  const node: PipelineNode = { id: nodeId, kind, position: { x: Math.round(position.x), y: Math.round(position.y) } };
  if (Object.keys(config).length) node.config = config;
  return { doc: { ...doc, nodes: [...doc.nodes, node] }, id: nodeId };
}

export function moveNodes(doc: Pipeline, positions: Readonly<Record<string, XY>>): Pipeline {
  let changed = false;
  const nodes = doc.nodes.map((n) => {
    const p = Object.hasOwn(positions, n.id) ? positions[n.id] : undefined;
    if (!p) return n;
    const x = Math.round(p.x);
    const y = Math.round(p.y);
    if (n.position && n.position.x === x && n.position.y === y) return n;
    changed = true;
    return { ...n, position: { x, y } };
  });
  return changed ? { ...doc, nodes } : doc;
}

export const sameEdge = (a: PipelineEdge, b: PipelineEdge) => a.from === b.from && a.to === b.to && (a.branch ?? undefined) === (b.branch ?? undefined);

export function addEdge(doc: Pipeline, edge: PipelineEdge): Pipeline {
  if (doc.edges.some((e) => sameEdge(e, edge))) return doc;
  const e: PipelineEdge = { from: edge.from, to: edge.to };
  if (edge.branch !== undefined) e.branch = edge.branch;
  return { ...doc, edges: [...doc.edges, e] };
}

/** Removes nodes (with every edge touching them) and edges by index. */
export function removeElements(doc: Pipeline, sel: { nodes?: readonly string[]; edges?: readonly number[] }): Pipeline {
  const nodes = new Set(sel.nodes ?? []);
  const edges = new Set(sel.edges ?? []);
  if (nodes.size === 0 && edges.size === 0) return doc;
  const next = {
    ...doc,
    nodes: doc.nodes.filter((n) => !nodes.has(n.id)),
    edges: doc.edges.filter((e, i) => !edges.has(i) && !nodes.has(e.from) && !nodes.has(e.to)),
  };
  return next.nodes.length === doc.nodes.length && next.edges.length === doc.edges.length ? doc : next;
}

export function setLabel(doc: Pipeline, id: string, label: string | undefined): Pipeline {
  return mapNode(doc, id, (n) => {
    if ((n.label ?? undefined) === (label || undefined)) return n;
    const { label: _old, ...rest } = n;
    return label ? { ...rest, label } : rest;
  });
}

export function setConfigField(doc: Pipeline, id: string, key: string, value: unknown): Pipeline {
  return mapNode(doc, id, (n) => {
    const config = { ...(n.config ?? {}) };
    if (value === undefined) {
      if (!Object.hasOwn(config, key)) return n;
      delete config[key];
    } else {
      if (Object.hasOwn(config, key) && JSON.stringify(config[key]) === JSON.stringify(value)) return n;
      Object.defineProperty(config, key, { value, enumerable: true, writable: true, configurable: true });
    }
    return { ...n, config };
  });
}

/** Why `newId` cannot be used for a node, or undefined when it can. */
export function nodeIdProblem(doc: Pipeline, oldId: string, newId: string): string | undefined {
  if (newId === oldId) return undefined;
  if (!NODE_ID_PATTERN.test(newId)) return "An id starts with a letter and has only letters, digits, '_' and '-'.";
  if (newId === "input") return '"input" is reserved for the run input in templates.';
  if (idsOf(doc).has(newId)) return `Another node already has the id "${newId}".`;
  return undefined;
}

/** Renames a node id and rewrites edges, node references, templates and expressions that name it. */
export function renameNode(doc: Pipeline, registry: Registry, oldId: string, newId: string): Pipeline {
  if (oldId === newId || nodeIdProblem(doc, oldId, newId)) return doc;
  return {
    ...doc,
    nodes: doc.nodes.map((n) => renameRefsInConfig(n.id === oldId ? { ...n, id: newId } : n, oldId, newId, registry)),
    edges: doc.edges.map((e) =>
      e.from === oldId || e.to === oldId ? { ...e, from: e.from === oldId ? newId : e.from, to: e.to === oldId ? newId : e.to } : e,
    ),
  };
}

type Branch = { id: string; [k: string]: unknown };
const branchesOf = (n: PipelineNode): Branch[] => (Array.isArray(n.config?.branches) ? (n.config.branches as Branch[]) : []);
/** Top-level config keys that hold a branch id (route `default`, `exitBranch`). */
export const BRANCH_REF_KEYS = ["default", "exitBranch"];

export function addBranch(doc: Pipeline, id: string): { doc: Pipeline; branch: string } {
  const node = doc.nodes.find((n) => n.id === id);
  const branch = nextBranchId(new Set(node ? branchesOf(node).map((b) => b.id) : []));
  return { doc: mapNode(doc, id, (n) => ({ ...n, config: { ...(n.config ?? {}), branches: [...branchesOf(n), { id: branch }] } })), branch };
}

export function branchIdProblem(doc: Pipeline, nodeId: string, oldId: string, newId: string): string | undefined {
  if (newId === oldId) return undefined;
  if (!BRANCH_ID_PATTERN.test(newId)) return "A branch id has only letters, digits, '_' and '-' and starts with a letter or digit.";
  const node = doc.nodes.find((n) => n.id === nodeId);
  if (node && branchesOf(node).some((b) => b.id === newId)) return `This node already has a branch "${newId}".`;
  return undefined;
}

/** Renames a branch; the edges that leave through it and the keys that name it follow. */
export function renameBranch(doc: Pipeline, nodeId: string, oldId: string, newId: string): Pipeline {
  if (oldId === newId || branchIdProblem(doc, nodeId, oldId, newId)) return doc;
  const next = mapNode(doc, nodeId, (n) => {
    const config: Record<string, unknown> = { ...(n.config ?? {}), branches: branchesOf(n).map((b) => (b.id === oldId ? { ...b, id: newId } : b)) };
    for (const k of BRANCH_REF_KEYS) if (config[k] === oldId) config[k] = newId;
    return { ...n, config };
  });
  return { ...next, edges: next.edges.map((e) => (e.from === nodeId && e.branch === oldId ? { ...e, branch: newId } : e)) };
}

/** Removes a branch and the edges that leave through it; a key that named it moves to the first branch left. */
export function removeBranch(doc: Pipeline, nodeId: string, branchId: string): Pipeline {
  const next = mapNode(doc, nodeId, (n) => {
    const branches = branchesOf(n).filter((b) => b.id !== branchId);
    const config: Record<string, unknown> = { ...(n.config ?? {}), branches };
    for (const k of BRANCH_REF_KEYS) {
      if (config[k] !== branchId) continue;
      if (k === "default" && branches[0]) config[k] = branches[0].id;
      else delete config[k];
    }
    return { ...n, config };
  });
  return { ...next, edges: next.edges.filter((e) => !(e.from === nodeId && e.branch === branchId)) };
}

/** Sets (or, with undefined, removes) one field of one branch, e.g. its label, `when` or weight. */
export function setBranchField(doc: Pipeline, nodeId: string, index: number, key: string, value: unknown): Pipeline {
  if (key === "id") return doc;
  return mapNode(doc, nodeId, (n) => {
    const branches = branchesOf(n).map((b, i) => {
      if (i !== index) return b;
      const copy: Branch = { ...b };
      if (value === undefined) delete copy[key];
      else copy[key] = value;
      return copy;
    });
    return { ...n, config: { ...(n.config ?? {}), branches } };
  });
}

export function setPipelineFields(doc: Pipeline, patch: { name?: string; description?: string }): Pipeline {
  const next: Pipeline = { ...doc };
  if (patch.name !== undefined) next.name = patch.name;
  if (patch.description !== undefined) {
    if (patch.description) next.description = patch.description;
    else delete next.description;
  }
  return next.name === doc.name && next.description === doc.description ? doc : next;
}

export function setExampleInput(doc: Pipeline, example: unknown): Pipeline {
  if (JSON.stringify(doc.input?.example) === JSON.stringify(example)) return doc;
  return { ...doc, input: { ...(doc.input ?? {}), example } };
}

/** Adds nodes and edges as they are (ids already made free by the caller, see clipboard.ts). */
export function insertElements(doc: Pipeline, nodes: PipelineNode[], edges: PipelineEdge[]): Pipeline {
  if (!nodes.length && !edges.length) return doc;
  return { ...doc, nodes: [...doc.nodes, ...nodes], edges: [...doc.edges, ...edges.filter((e) => !doc.edges.some((d) => sameEdge(d, e)))] };
}
