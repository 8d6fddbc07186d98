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
