import { describe, expect, it } from "vitest";
import { addNode, setLabel } from "../doc/ops.js";
import { connect, deleteSelection, paste, copySelection } from "./canvas.js";
import { edit, isDirty, loadDocument, redo, undo, useEditor } from "./store.js";
import { blankPipeline } from "../doc/blank.js";
import { restoreWorkingCopy, writeWorkingCopy } from "./persist.js";

const s = () => useEditor.getState();

function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return {
    getItem: (k) => m.get(k) ?? null,
    setItem: (k, v) => void m.set(k, v),
    removeItem: (k) => void m.delete(k),
    clear: () => m.clear(),
    key: () => null,
    length: 0,
  };
}

describe("editor store", () => {
  it("edits, undoes and redoes the document; marks unsaved changes", () => {
    loadDocument(blankPipeline(), null);
    const start = s().doc;
    expect(isDirty(s())).toBe(false);
    edit((d) => addNode(d, s().registry, "generate", { x: 0, y: 200 }).doc);
    edit((d) => setLabel(d, "generate1", "Draft"));
    expect(connect({ source: "in", target: "generate1" })).toBe(true);
    expect(connect({ source: "generate1", target: "generate1" })).toBe(false);
    expect(s().status?.text).toMatch(/refused.*itself/);
    const end = s().doc;
    expect(isDirty(s())).toBe(true);
    expect(undo() && undo() && undo()).toBe(true);
    expect(s().doc).toBe(start);
    expect(isDirty(s())).toBe(false);
    expect(undo()).toBe(false);
    redo();
    redo();
    redo();
    expect(s().doc).toBe(end);
  });

  it("copies, pastes and deletes the selection as single undo steps", () => {
    loadDocument(blankPipeline(), null);
    edit((d) => addNode(d, s().registry, "generate", { x: 0, y: 200 }).doc, { select: { nodes: ["generate1"] } });
    expect(copySelection()).toBe(true);
    expect(paste()).toBe(true);
    expect(s().selection.nodes).toEqual(["generate2"]);
    deleteSelection();
    expect(s().doc.nodes.map((n) => n.id)).toEqual(["in", "out", "generate1"]);
    undo();
    expect(s().doc.nodes.map((n) => n.id)).toEqual(["in", "out", "generate1", "generate2"]);
  });

  it("persists the working copy and restores it with its unsaved state", () => {
    const storage = memoryStorage();
    loadDocument(blankPipeline("Kept"), { id: "kept", version: 2 });
    edit((d) => setLabel(d, "in", "Edited"));
    writeWorkingCopy(s().doc, s().saved, storage);
    loadDocument(blankPipeline("Other"), null);
    expect(restoreWorkingCopy(storage)).toBe(true);
    expect(s().doc.name).toBe("Kept");
    expect(s().doc.nodes[0]?.label).toBe("Edited");
    expect(s().saved).toMatchObject({ id: "kept", version: 2 });
    expect(isDirty(s())).toBe(true);
    storage.setItem("braid.working.v1", "{not json");
    expect(restoreWorkingCopy(storage)).toBe(false);
  });
});
