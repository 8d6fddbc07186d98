import { isClip, copyNodes, pasteClip } from "../doc/clipboard.js";
import { type ConnectionAttempt, checkConnection } from "../doc/connect.js";
import { autoLayout } from "../doc/layout.js";
import { addEdge, addNode, moveNodes, removeElements, type XY } from "../doc/ops.js";
import { freePosition, freePositionIn, hasOverlaps } from "../doc/place.js";
import { edgeIds } from "../doc/derive.js";
import { edit, notify, useEditor } from "./store.js";
import { viewport } from "./viewport.js";

const get = useEditor.getState;
const set = useEditor.setState;

export function addNodeAt(kind: string, position: XY): string {
  const { registry } = get();
  let id = "";
  edit(
    (doc) => {
      const r = addNode(doc, registry, kind, position);
      id = r.id;
      return r.doc;
    },
    { select: { nodes: [] } },
  );
  set({ selection: { nodes: [id], edges: [] } });
  const title = registry.get(kind)?.title ?? kind;
  notify(`Added ${title} node "${id}".`, "success");
  return id;
}

/**
 * Keyboard and click adding: next to the selected node, or in the middle of the view, never on top
 * of another node, and inside the visible canvas. When the view has no free room, the node goes to
 * the nearest free spot and the view moves to it.
 */
export function addNodeSomewhere(kind: string): string {
  const { doc, selection, measured } = get();
  const anchor = doc.nodes.find((n) => n.id === selection.nodes[0])?.position;
  const wanted = anchor ? { x: anchor.x, y: anchor.y + 160 } : viewport.center();
  const visible = viewport.visibleRect();
  const inView = visible.width > 0 ? freePositionIn(doc, measured, wanted, visible) : undefined;
  const id = addNodeAt(kind, inView ?? freePosition(doc, measured, wanted));
  // Once React Flow has measured it.
  if (!inView) setTimeout(() => viewport.reveal(id), 60);
  return id;
}

/** Used while dragging a connection: the reason is shown at once. */
export function validateConnection(c: ConnectionAttempt): boolean {
  const { doc, registry, diagnostics, lintedDoc } = get();
  const r = checkConnection(doc, registry, c, lintedDoc === doc ? diagnostics : undefined);
  if (!r.ok) {
    const text = `Connection refused: ${r.reason}`;
    if (get().status?.text !== text) notify(text, "error");
  }
  return r.ok;
}

export function connect(c: ConnectionAttempt): boolean {
  const { doc, registry } = get();
  const r = checkConnection(doc, registry, c);
  if (!r.ok) {
    notify(`Connection refused: ${r.reason}`, "error");
    return false;
  }
  edit((d) => addEdge(d, r.edge));
  notify(`Connected "${r.edge.from}"${r.edge.branch ? ` (${r.edge.branch})` : ""} to "${r.edge.to}".`, "success");
  return true;
}

export function deleteElements(nodeIds: readonly string[], edgeIndices: readonly number[]): void {
  if (edit((doc) => removeElements(doc, { nodes: nodeIds, edges: edgeIndices }), { select: { nodes: [] } })) {
    const parts = [
      nodeIds.length ? `${nodeIds.length} node${nodeIds.length === 1 ? "" : "s"}` : "",
      edgeIndices.length ? `${edgeIndices.length} connection${edgeIndices.length === 1 ? "" : "s"}` : "",
    ];
    notify(`Deleted ${parts.filter(Boolean).join(" and ")}.`);
  }
}

export function deleteSelection(): void {
  const { doc, selection } = get();
  const ids = edgeIds(doc);
  const edges = selection.edges.map((id) => ids.indexOf(id)).filter((i) => i >= 0);
  deleteElements(selection.nodes, edges);
}

export function copySelection(): boolean {
  const { doc, selection } = get();
  const clip = copyNodes(doc, selection.nodes);
  if (!clip) return false;
  set({ clip });
  void globalThis.navigator?.clipboard?.writeText(JSON.stringify(clip)).catch(() => {});
  notify(`Copied ${clip.nodes.length} node${clip.nodes.length === 1 ? "" : "s"}.`);
  return true;
}

export function cutSelection(): void {
  if (copySelection()) deleteSelection();
}

export function paste(text?: string): boolean {
  let clip = get().clip;
  if (text) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (isClip(parsed)) clip = parsed;
    } catch {
      // Not ours: keep the internal clipboard.
    }
  }
  if (!clip) return false;
  const { registry } = get();
  let ids: string[] = [];
  edit((doc) => {
    const r = pasteClip(doc, registry, clip, { x: 40, y: 40 });
    ids = r.ids;
    return r.doc;
  });
  set({
    selection: { nodes: ids, edges: [] },
    clip: { ...clip, nodes: clip.nodes.map((n) => (n.position ? { ...n, position: { x: n.position.x + 40, y: n.position.y + 40 } } : n)) },
  });
  notify(`Pasted ${ids.length} node${ids.length === 1 ? "" : "s"}.`);
  return true;
}

export function layout(): void {
  const { measured, registry } = get();
  edit((d) => moveNodes(d, autoLayout(d, measured, registry)));
  notify("Arranged the nodes top to bottom.");
  setTimeout(() => viewport.fitView(), 30);
}

export function zoomTo(nodeId: string): void {
  if (!get().doc.nodes.some((n) => n.id === nodeId)) return;
  set({ selection: { nodes: [nodeId], edges: [] } });
  viewport.zoomToNode(nodeId);
}

/**
 * A template or import whose positions were made for smaller boxes gets arranged once its nodes
 * are measured. This is not an undo step, and the document stays "unchanged" if it was.
 */
export function tidyWhenMeasured(timeoutMs = 2000): void {
  const started = Date.now();
  const doc0 = get().doc;
  const tick = () => {
    const { doc, measured, saved, registry } = get();
    if (doc !== doc0) return;
    if (!doc.nodes.every((n) => measured[n.id])) {
      if (Date.now() - started < timeoutMs) setTimeout(tick, 50);
      return;
    }
    if (hasOverlaps(doc, measured, 16)) {
      const moved = moveNodes(doc, autoLayout(doc, measured, registry));
      set({ doc: moved, saved: saved.doc === doc ? { ...saved, doc: moved } : saved });
    }
    setTimeout(() => viewport.fitView(), 30);
  };
  setTimeout(tick, 50);
}
