import type { EdgeChange, NodeChange } from "@xyflow/react";
import type { XY } from "../doc/ops.js";
import type { EditorState } from "./store.js";

export interface NodeChangeResult {
  /** Positions to write into the document (a drag ended, or keyboard moves). */
  commit: Record<string, XY> | null;
  patch: Partial<Pick<EditorState, "drag" | "measured" | "selection">>;
}

/**
 * Interprets React Flow's node changes against the editor state: drags move a transient overlay
 * and become one document operation when they end; sizes and selection are kept beside the
 * document. Removals are ignored here (onDelete turns them into one operation).
 */
export function interpretNodeChanges(changes: readonly NodeChange[], s: Pick<EditorState, "drag" | "measured" | "selection">): NodeChangeResult {
  let drag = s.drag;
  let measured = s.measured;
  let measuredCopied = false;
  let selected: Set<string> | null = null;
  let commit: Record<string, XY> | null = null;
  for (const c of changes) {
    if (c.type === "position") {
      if (c.dragging) {
        if (c.position) drag = { ...(drag ?? {}), [c.id]: c.position };
      } else {
        const p = c.position ?? drag?.[c.id];
        if (p) commit = { ...(commit ?? {}), [c.id]: p };
        if (drag && Object.hasOwn(drag, c.id)) {
          const { [c.id]: _done, ...rest } = drag;
          drag = Object.keys(rest).length ? rest : null;
        }
      }
    } else if (c.type === "dimensions" && c.dimensions) {
      const cur = measured[c.id];
      if (!cur || cur.width !== c.dimensions.width || cur.height !== c.dimensions.height) {
        // One copy per batch: React Flow reports every node of a large graph at once.
        if (!measuredCopied) {
          measured = { ...measured };
          measuredCopied = true;
        }
        measured[c.id] = { width: c.dimensions.width, height: c.dimensions.height };
      }
    } else if (c.type === "select") {
      selected ??= new Set(s.selection.nodes);
      if (c.selected) selected.add(c.id);
      else selected.delete(c.id);
    }
  }
  const patch: NodeChangeResult["patch"] = {};
  if (drag !== s.drag) patch.drag = drag;
  if (measured !== s.measured) patch.measured = measured;
  if (selected) patch.selection = { nodes: [...selected], edges: s.selection.edges };
  return { commit, patch };
}

export function interpretEdgeChanges(changes: readonly EdgeChange[], s: Pick<EditorState, "selection">): Pick<EditorState, "selection"> | null {
  let selected: Set<string> | null = null;
  for (const c of changes) {
    if (c.type !== "select") continue;
    selected ??= new Set(s.selection.edges);
    if (c.selected) selected.add(c.id);
    else selected.delete(c.id);
  }
  return selected ? { selection: { nodes: s.selection.nodes, edges: [...selected] } } : null;
}
