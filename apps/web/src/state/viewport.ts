import type { XY } from "../doc/ops.js";

/** The canvas registers these when it mounts, so toolbar, palette and lists can steer the view. */
export const viewport = {
  /** Fits the graph, never below a readable zoom for a small graph (state/fit.ts); animated for `duration` ms. */
  fitView: (_duration?: number): void => {},
  zoomToNode: (_id: string): void => {},
  /** Brings a node into view, keeping the zoom readable. */
  reveal: (_id: string): void => {},
  /** The flow position at the centre of the visible canvas. */
  center: (): XY => ({ x: 0, y: 0 }),
  /** The part of the flow visible in the canvas pane, minus the room kept for its banner, buttons and minimap. */
  visibleRect: (): { x: number; y: number; width: number; height: number } => ({ x: 0, y: 0, width: 0, height: 0 }),
};
