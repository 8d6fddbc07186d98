/**
 * Fit view that keeps text readable. React Flow's own fit shrinks any graph until it fits, so a
 * six-node loop in a 1440 × 900 window ended at ~50 % where no label can be read. Here a small
 * graph is never fitted below READABLE_ZOOM: it is centred across and top-aligned (the input is
 * on top), and the rest is reached by panning. A large graph still fits whole; below
 * COMPACT_ZOOM its nodes draw in the compact form (icon, label, status), which stays legible.
 */
export const READABLE_ZOOM = 0.8;
/** Below this zoom node cards are drawn compact (components/BraidNode.tsx). */
export const COMPACT_ZOOM = 0.55;
/** Up to this many nodes a fit keeps READABLE_ZOOM; beyond it the compact form carries the labels. */
export const READABLE_FIT_MAX_NODES = 30;

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}
export interface Insets {
  top: number;
  right: number;
  bottom: number;
  left: number;
}
export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

/**
 * The viewport that shows `bounds` inside the pane minus `insets` (room kept for the run banner,
 * the zoom buttons and the minimap, so no node sits under them).
 */
export function fitViewport(bounds: Rect, pane: { width: number; height: number }, insets: Insets, zoom: { min: number; max: number }): Viewport {
  const w = Math.max(1, pane.width - insets.left - insets.right);
  const h = Math.max(1, pane.height - insets.top - insets.bottom);
  const fit = Math.min(w / Math.max(1, bounds.width), h / Math.max(1, bounds.height));
  const z = Math.min(zoom.max, Math.max(zoom.min, fit));
  const drawnW = bounds.width * z;
  const drawnH = bounds.height * z;
  return {
    x: insets.left + (w - drawnW) / 2 - bounds.x * z,
    // Too tall: the top of the graph (its input) shows first and the rest is below, reached by panning.
    y: insets.top + (drawnH <= h ? (h - drawnH) / 2 : 0) - bounds.y * z,
    zoom: z,
  };
}

/** The lowest zoom a fit may choose for a graph of `count` nodes. */
export const fitMinZoom = (count: number, floor: number): number => (count <= READABLE_FIT_MAX_NODES ? READABLE_ZOOM : floor);
