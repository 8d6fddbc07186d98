import { defaultRegistry as registry } from "@braid/nodes";
import { describe, expect, it } from "vitest";
import { blankPipeline } from "./blank.js";
import { loopDoc } from "./fixtures.test-helper.js";
import { importPipeline } from "./importDoc.js";
import { routeDoc } from "./fixtures.test-helper.js";
import { autoLayout } from "./layout.js";
import { addNode, moveNodes } from "./ops.js";
import { freePosition, freePositionIn, hasOverlaps } from "./place.js";

describe("placing and arranging nodes", () => {
  it("finds a free spot that overlaps no node", () => {
    const doc = blankPipeline();
    const p = freePosition(doc, {}, { x: 0, y: 0 });
    expect(p).not.toEqual({ x: 0, y: 0 });
    const next = addNode(doc, registry, "generate", p).doc;
    expect(hasOverlaps(next, {})).toBe(false);
  });
  it("finds a free spot inside the visible area, nearest the wanted point", () => {
    let doc = blankPipeline();
    const view = { x: 0, y: 0, width: 900, height: 500 };
    for (let i = 0; i < 3; i++) {
      const p = freePositionIn(doc, {}, { x: 300, y: 150 }, view);
      expect(p).toBeDefined();
      const q = p as { x: number; y: number };
      expect(q.x).toBeGreaterThanOrEqual(0);
      expect(q.y + 110).toBeLessThanOrEqual(500);
      doc = addNode(doc, registry, "generate", q).doc;
      expect(hasOverlaps(doc, {})).toBe(false);
    }
    expect(freePositionIn(doc, {}, { x: 0, y: 0 }, { x: 0, y: 0, width: 100, height: 100 })).toBeUndefined();
  });
  it("auto-layout places every node without overlaps, top to bottom", () => {
    const doc = loopDoc();
    const crowded = moveNodes(doc, Object.fromEntries(doc.nodes.map((n) => [n.id, { x: 0, y: 0 }])));
    expect(hasOverlaps(crowded, {})).toBe(true);
    const laid = moveNodes(crowded, autoLayout(crowded, {}));
    expect(hasOverlaps(laid, {})).toBe(false);
    const y = (id: string) => laid.nodes.find((n) => n.id === id)?.position?.y ?? 0;
    expect(y("in")).toBeLessThan(y("gen"));
    expect(y("gen")).toBeLessThan(y("check"));
  });
  it("puts a route's branches left to right in handle order", () => {
    const doc = routeDoc();
    const p = autoLayout(doc, {}, registry);
    expect(p.a?.x).toBeLessThan(p.b?.x ?? 0);
  });
});

describe("import", () => {
  it("explains malformed input and accepts a valid pipeline", () => {
    expect(importPipeline("{ nope")).toMatchObject({ ok: false, message: expect.stringMatching(/not valid JSON/) });
    expect(importPipeline('{"format":"braid/pipeline@1","name":"x","nodes":[{"id":"1bad","kind":"input"}],"edges":[]}')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/not a valid Braid pipeline/),
      details: [expect.stringMatching(/nodes\[0\]\.id/)],
    });
    expect(importPipeline('{"format":"braid/pipeline@9","name":"x","nodes":[],"edges":[]}')).toMatchObject({ ok: false });
    expect(importPipeline("")).toMatchObject({ ok: false, message: expect.stringMatching(/Nothing to import/) });
    expect(importPipeline(JSON.stringify(loopDoc()))).toMatchObject({ ok: true, pipeline: { name: "Loop" } });
  });
});
