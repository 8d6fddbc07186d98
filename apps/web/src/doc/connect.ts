import { type Diagnostic, type ErrorCode, type Pipeline, type PipelineEdge, type PipelineNode, type Registry, lint } from "@braid/core";
import { addEdge, sameEdge } from "./ops.js";

export interface ConnectionAttempt {
  source: string;
  target: string;
  sourceHandle?: string | null;
}

export type ConnectionCheck = { ok: true; edge: PipelineEdge } | { ok: false; reason: string };

/** The structural errors a new edge may never introduce. */
export const FORBIDDEN: ReadonlySet<ErrorCode> = new Set<ErrorCode>(["E_CYCLE_UNBOUNDED", "E_INPUT_HAS_INCOMING", "E_OUTPUT_HAS_OUTGOING", "E_SELF_EDGE"]);

/** Branch ids of a node, or undefined when its outgoing edges are plain. */
export function branchesOfNode(doc: Pipeline, registry: Registry, id: string): string[] | undefined {
  const node = doc.nodes.find((n) => n.id === id);
  return node ? branchesOf(node, registry) : undefined;
}

export function branchesOf(node: PipelineNode, registry: Registry): string[] | undefined {
  const kind = registry.get(node.kind);
  if (!kind?.branches) return undefined;
  const parsed = kind.configSchema.safeParse(node.config ?? {});
  if (parsed.success) return kind.branches(parsed.data);
  // An invalid config still shows the branches it names, so the canvas keeps its handles.
  const raw = node.config?.branches;
  return Array.isArray(raw) ? raw.map((b) => (b as { id?: unknown })?.id).filter((b): b is string => typeof b === "string") : [];
}

const countForbidden = (ds: readonly Diagnostic[]) => {
  const m = new Map<ErrorCode, number>();
  for (const d of ds) if (d.severity === "error" && FORBIDDEN.has(d.code)) m.set(d.code, (m.get(d.code) ?? 0) + 1);
  return m;
};

/**
 * Decides whether a connection the user is dragging may be made, and why not. The structural
 * rules are checked directly; cycles are left to the engine's own lint on the candidate document.
 */
export function checkConnection(doc: Pipeline, registry: Registry, c: ConnectionAttempt, current?: readonly Diagnostic[]): ConnectionCheck {
  const from = doc.nodes.find((n) => n.id === c.source);
  const to = doc.nodes.find((n) => n.id === c.target);
  if (!from || !to) return { ok: false, reason: "Both ends must be nodes of this pipeline." };
  if (from.id === to.id) return { ok: false, reason: `A node cannot connect to itself ("${from.id}").` };
  if (registry.get(to.kind)?.terminal === "start") return { ok: false, reason: `Nothing can flow into the input node "${to.id}": it is where the run starts.` };
  if (registry.get(from.kind)?.terminal === "end") return { ok: false, reason: `The output node "${from.id}" is the end of the pipeline: nothing leaves it.` };
  const branches = branchesOfNode(doc, registry, from.id);
  const edge: PipelineEdge = { from: from.id, to: to.id };
  if (branches) {
    const b = c.sourceHandle ?? undefined;
    if (b === undefined || !branches.includes(b)) return { ok: false, reason: `Connect from one of the branches of "${from.id}": ${branches.join(", ")}.` };
    edge.branch = b;
  }
  if (doc.edges.some((e) => sameEdge(e, edge))) {
    return { ok: false, reason: `"${from.id}" is already connected to "${to.id}"${edge.branch ? ` through "${edge.branch}"` : ""}.` };
  }
  const before = countForbidden(current ?? lint(doc, { registry }));
  const after = lint(addEdge(doc, edge), { registry });
  const added = after.find((d) => d.severity === "error" && FORBIDDEN.has(d.code) && (countForbidden(after).get(d.code) ?? 0) > (before.get(d.code) ?? 0));
  if (added) {
    const hint = added.code === "E_CYCLE_UNBOUNDED" ? "This would make a loop with no bound: loop back through a critique's fail branch." : added.message;
    return { ok: false, reason: `${hint} (${added.code})` };
  }
  return { ok: true, edge };
}
