import type { Pipeline } from "@braid/core";
import { defaultRegistry as registry } from "@braid/nodes";
import { describe, expect, it } from "vitest";
import { blankPipeline } from "./blank.js";
import { COALESCE_MS, HISTORY_LIMIT, emptyHistory, record, redo, undo } from "./history.js";
import * as ops from "./ops.js";

/** A deterministic mix of every kind of edit. */
function step(doc: Pipeline, i: number): Pipeline {
  const kinds = ["generate", "critique", "route", "merge"];
  switch (i % 6) {
    case 0:
      return ops.addNode(doc, registry, kinds[i % 4] as string, { x: i * 10, y: i * 7 }).doc;
    case 1:
      return ops.moveNodes(doc, { [doc.nodes.at(-1)?.id ?? "in"]: { x: i, y: -i } });
    case 2:
      return ops.setLabel(doc, doc.nodes.at(-1)?.id ?? "in", `label ${i} <b>&amp;</b>`);
    case 3:
      return ops.addEdge(doc, { from: "in", to: doc.nodes.at(-1)?.id ?? "out" });
    case 4:
      return ops.setConfigField(doc, doc.nodes.at(-1)?.id ?? "in", "note", { i });
    default:
      return ops.setPipelineFields(doc, { name: `Pipeline ${i}` });
  }
}

describe("undo/redo", () => {
  it("restores the exact document after 150 steps, and redo gives back the final one", () => {
    let doc = blankPipeline();
    let h = emptyHistory();
    const snapshots = [JSON.stringify(doc)];
    for (let i = 0; i < 150; i++) {
      const next = step(doc, i);
      if (next === doc) continue;
      h = record(h, doc, undefined, i * 10_000);
      doc = next;
      snapshots.push(JSON.stringify(doc));
    }
    const final = doc;
    expect(h.past.length).toBe(snapshots.length - 1);
    for (let i = snapshots.length - 2; i >= 0; i--) {
      const r = undo(h, doc);
      if (!r) throw new Error("undo ran out");
      ({ doc, history: h } = r);
      expect(JSON.stringify(doc)).toBe(snapshots[i]);
    }
    expect(undo(h, doc)).toBeUndefined();
    for (let i = 1; i < snapshots.length; i++) {
      const r = redo(h, doc);
      if (!r) throw new Error("redo ran out");
      ({ doc, history: h } = r);
      expect(JSON.stringify(doc)).toBe(snapshots[i]);
    }
    expect(doc).toBe(final);
    expect(redo(h, doc)).toBeUndefined();
  });

  it("a new edit after undo drops the redo branch", () => {
    const a = blankPipeline();
    const b = ops.setPipelineFields(a, { name: "b" });
    let h = record(emptyHistory(), a, undefined, 0);
    const u = undo(h, b);
    expect(u?.doc).toBe(a);
    h = record(u?.history ?? h, a, undefined, 1);
    expect(h.future).toEqual([]);
  });

  it("coalesces quick edits with the same key (typing) into one step", () => {
    let h = emptyHistory();
    const docs = [blankPipeline()];
    for (let i = 1; i <= 5; i++) docs.push(ops.setPipelineFields(docs[i - 1] as Pipeline, { name: "x".repeat(i) }));
    for (let i = 1; i <= 5; i++) h = record(h, docs[i - 1] as Pipeline, "name", i * 100);
    expect(h.past).toHaveLength(1);
    h = record(h, docs[5] as Pipeline, "name", 500 + COALESCE_MS + 1);
    expect(h.past).toHaveLength(2);
    expect(undo(h, docs[5] as Pipeline)?.history.past[0]).toBe(docs[0]);
  });

  it(`keeps at most ${HISTORY_LIMIT} steps (well over 100)`, () => {
    let h = emptyHistory();
    let doc = blankPipeline();
    for (let i = 0; i < HISTORY_LIMIT + 20; i++) {
      const next = ops.setPipelineFields(doc, { name: `n${i}` });
      h = record(h, doc, undefined, i);
      doc = next;
    }
    expect(h.past).toHaveLength(HISTORY_LIMIT);
    expect(HISTORY_LIMIT).toBeGreaterThanOrEqual(100);
  });
});
