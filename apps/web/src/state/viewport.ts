import type { XY } from "../doc/ops.js";

/** The canvas registers these when it mounts, so toolbar, palette and lists can steer the view. */
export const viewport = {
  fitView: (): void => {},
  zoomToNode: (_id: string): void => {},
  /** The flow position at the centre of the visible canvas. */
  center: (): XY => ({ x: 0, y: 0 }),
};
