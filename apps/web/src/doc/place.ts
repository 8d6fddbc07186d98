import type { Pipeline } from "@braid/core";
import { DEFAULT_SIZE } from "./derive.js";
import type { XY } from "./ops.js";

type Sizes = Readonly<Record<string, { width: number; height: number }>>;

const overlaps = (a: XY, b: XY, sa: { width: number; height: number }, sb: { width: number; height: number }, gap = 24) =>
  a.x < b.x + sb.width + gap && b.x < a.x + sa.width + gap && a.y < b.y + sb.height + gap && b.y < a.y + sa.height + gap;

/** The first spot at or below/right of `wanted` where a new node overlaps nothing. */
export function freePosition(doc: Pipeline, sizes: Sizes, wanted: XY, size = DEFAULT_SIZE): XY {
  const rects = doc.nodes.filter((n) => n.position).map((n) => ({ p: n.position as XY, s: sizes[n.id] ?? DEFAULT_SIZE }));
  for (let ring = 0; ring < 40; ring++) {
    for (let col = 0; col <= ring; col++) {
      const candidate = { x: Math.round(wanted.x + col * (size.width + 40)), y: Math.round(wanted.y + (ring - col) * (size.height + 40)) };
      if (!rects.some((r) => overlaps(candidate, r.p, size, r.s))) return candidate;
    }
  }
  return { x: Math.round(wanted.x), y: Math.round(wanted.y) };
}

export interface Area {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The free spot nearest `wanted` with the whole new node inside `within` (the visible part of the
 * canvas), or undefined when the view has no room. Candidates lie on a grid of at most ~40 × 40
 * steps, so a zoomed-out view of a large graph stays cheap.
 */
export function freePositionIn(doc: Pipeline, sizes: Sizes, wanted: XY, within: Area, size = DEFAULT_SIZE): XY | undefined {
  const rects = doc.nodes.filter((n) => n.position).map((n) => ({ p: n.position as XY, s: sizes[n.id] ?? DEFAULT_SIZE }));
  const stepX = Math.max(20, within.width / 40);
  const stepY = Math.max(20, within.height / 40);
  let best: XY | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (let y = within.y; y + size.height <= within.y + within.height; y += stepY) {
    for (let x = within.x; x + size.width <= within.x + within.width; x += stepX) {
      const d = (x - wanted.x) ** 2 + (y - wanted.y) ** 2;
      if (d >= bestD) continue;
      const c = { x, y };
      if (rects.some((r) => overlaps(c, r.p, size, r.s))) continue;
      best = c;
      bestD = d;
    }
  }
  return best && { x: Math.round(best.x), y: Math.round(best.y) };
}

/** True when two nodes' boxes overlap or come closer than `minGap` (positions made for smaller nodes than this canvas draws). */
export function hasOverlaps(doc: Pipeline, sizes: Sizes, minGap = 0, limit = 400): boolean {
  const rects = doc.nodes.filter((n) => n.position).map((n) => ({ p: n.position as XY, s: sizes[n.id] ?? DEFAULT_SIZE }));
  if (rects.length > limit) return false;
  for (let i = 0; i < rects.length; i++) {
    for (let j = i + 1; j < rects.length; j++) {
      const a = rects[i] as (typeof rects)[number];
      const b = rects[j] as (typeof rects)[number];
      if (overlaps(a.p, b.p, a.s, b.s, minGap)) return true;
    }
  }
  return false;
}
