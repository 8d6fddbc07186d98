import { describe, expect, it } from "vitest";
import { READABLE_ZOOM, fitMinZoom, fitViewport } from "./fit.js";

const insets = { top: 60, right: 160, bottom: 20, left: 60 };
const pane = { width: 830, height: 510 };

describe("fit view", () => {
  it("keeps a small graph readable: never below the readable zoom, top-aligned, centred across", () => {
    const bounds = { x: 0, y: 0, width: 700, height: 1100 };
    const v = fitViewport(bounds, pane, insets, { min: fitMinZoom(6, 0.1), max: 1.1 });
    expect(v.zoom).toBe(READABLE_ZOOM);
    expect(v.y).toBe(insets.top);
    const left = v.x;
    const right = pane.width - (v.x + bounds.width * v.zoom);
    expect(left - insets.left).toBeCloseTo(right - insets.right);
  });
  it("fits a graph that fits, centred in the room left by the banner, buttons and minimap", () => {
    const bounds = { x: 100, y: 50, width: 300, height: 200 };
    const v = fitViewport(bounds, pane, insets, { min: 0.1, max: 1.1 });
    expect(v.zoom).toBe(1.1);
    const top = v.y + bounds.y * v.zoom;
    expect(top).toBeGreaterThanOrEqual(insets.top);
    expect(top + bounds.height * v.zoom).toBeLessThanOrEqual(pane.height - insets.bottom);
  });
  it("lets a large graph fit whole", () => {
    const v = fitViewport({ x: 0, y: 0, width: 6000, height: 4000 }, pane, insets, { min: fitMinZoom(300, 0.1), max: 1.1 });
    expect(v.zoom).toBeLessThan(0.2);
    expect(v.zoom).toBeGreaterThanOrEqual(0.1);
  });
});
