import type { Pipeline } from "../format/schema.js";
import { stableStringify } from "../json.js";

/** What changed in one node between two versions: which of its fields (config keys by path). */
export interface NodeChange {
  id: string;
  /** `kind`, `label`, `position` or `config.<key>` for each config key that differs. */
  fields: string[];
}

export interface PipelineDiff {
  /** Top-level document fields that differ (`name`, `description`, `input`, `evaluation`, …). */
  fields: string[];
  nodes: { added: string[]; removed: string[]; changed: NodeChange[] };
  /** Edges as `from → to` (with `[branch]` when the edge has one). */
  edges: { added: string[]; removed: string[] };
  /** True when nothing but node positions changed (a layout-only save). */
  layoutOnly: boolean;
}

const same = (a: unknown, b: unknown): boolean => stableStringify(a) === stableStringify(b);
const edgeKey = (e: Pipeline["edges"][number]): string => `${e.from} → ${e.to}${e.branch ? ` [${e.branch}]` : ""}`;

/** The difference between two versions of a pipeline: nodes and edges added, removed and changed, by id. */
export function diffPipelines(before: Pipeline, after: Pipeline): PipelineDiff {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)].filter((k) => k !== "nodes" && k !== "edges"));
  const fields = [...keys].filter((k) => !same((before as Record<string, unknown>)[k], (after as Record<string, unknown>)[k])).sort();

  const was = new Map(before.nodes.map((n) => [n.id, n]));
  const now = new Map(after.nodes.map((n) => [n.id, n]));
  const added = after.nodes.filter((n) => !was.has(n.id)).map((n) => n.id);
  const removed = before.nodes.filter((n) => !now.has(n.id)).map((n) => n.id);
  const changed: NodeChange[] = [];
  for (const n of after.nodes) {
    const old = was.get(n.id);
    if (!old) continue;
    const f: string[] = [];
    for (const k of ["kind", "label", "position"] as const) if (!same(old[k], n[k])) f.push(k);
    const oldConfig = (old.config ?? {}) as Record<string, unknown>;
    const newConfig = (n.config ?? {}) as Record<string, unknown>;
    for (const k of [...new Set([...Object.keys(oldConfig), ...Object.keys(newConfig)])].sort()) if (!same(oldConfig[k], newConfig[k])) f.push(`config.${k}`);
    if (f.length) changed.push({ id: n.id, fields: f });
  }

  const oldEdges = new Set(before.edges.map(edgeKey));
  const newEdges = new Set(after.edges.map(edgeKey));
  const edges = { added: [...newEdges].filter((e) => !oldEdges.has(e)), removed: [...oldEdges].filter((e) => !newEdges.has(e)) };
  const layoutOnly =
    fields.length === 0 &&
    !added.length &&
    !removed.length &&
    !edges.added.length &&
    !edges.removed.length &&
    changed.every((c) => c.fields.every((x) => x === "position"));
  return { fields, nodes: { added, removed, changed }, edges, layoutOnly };
}
