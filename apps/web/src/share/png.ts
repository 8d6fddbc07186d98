import type { Node, ReactFlowInstance } from "@xyflow/react";
import { getViewportForBounds } from "@xyflow/react";

/** The longest side of an exported image, in CSS pixels (before the pixel ratio). */
const MAX_SIDE = 4096;
const PADDING = 48;

/**
 * The canvas as a PNG: every node, framed, whatever the current zoom and scroll. html-to-image
 * 1.11.11 exactly (later versions draw React Flow's edges wrongly) renders the viewport element
 * with a transform that fits all nodes.
 */
export async function canvasPng(rf: Pick<ReactFlowInstance<Node>, "getNodes" | "getNodesBounds">, pixelRatio = 2): Promise<string> {
  const viewportEl = document.querySelector<HTMLElement>(".react-flow__viewport");
  if (!viewportEl) throw new Error("The canvas is not on screen.");
  const nodes = rf.getNodes();
  if (nodes.length === 0) throw new Error("The canvas is empty.");
  const bounds = rf.getNodesBounds(nodes);
  const scale = Math.min(1, MAX_SIDE / Math.max(bounds.width + PADDING * 2, bounds.height + PADDING * 2));
  const width = Math.max(200, Math.ceil((bounds.width + PADDING * 2) * scale));
  const height = Math.max(120, Math.ceil((bounds.height + PADDING * 2) * scale));
  const vp = getViewportForBounds(bounds, width, height, 0.05, 2, `${Math.round(PADDING * scale)}px`);
  const { toPng } = await import("html-to-image");
  return toPng(viewportEl, {
    backgroundColor: "#ffffff",
    width,
    height,
    pixelRatio,
    // Fonts are the system's; fetching and inlining stylesheets' web fonts is not needed.
    skipFonts: true,
    style: { width: `${width}px`, height: `${height}px`, transform: `translate(${vp.x}px, ${vp.y}px) scale(${vp.zoom})` },
    filter: (el) => !(el instanceof HTMLElement && el.classList?.contains("react-flow__handle")),
  });
}
