import { describe, expect, it } from "vitest";
import { interpretEdgeChanges, interpretNodeChanges } from "./flowChanges.js";

const state = { drag: null, measured: {}, selection: { nodes: ["a"], edges: ["e1"] } };

describe("React Flow changes → editor state", () => {
  it("keeps drags transient and commits them once, when the drag ends", () => {
    const during = interpretNodeChanges([{ type: "position", id: "a", position: { x: 5, y: 6 }, dragging: true }], state);
    expect(during).toEqual({ commit: null, patch: { drag: { a: { x: 5, y: 6 } } } });
    const end = interpretNodeChanges([{ type: "position", id: "a", dragging: false }], { ...state, drag: { a: { x: 5, y: 6 } } });
    expect(end).toEqual({ commit: { a: { x: 5, y: 6 } }, patch: { drag: null } });
  });
  it("records measured sizes and selection beside the document; ignores removals", () => {
    const r = interpretNodeChanges(
      [
        { type: "dimensions", id: "b", dimensions: { width: 200, height: 80 } },
        { type: "select", id: "a", selected: false },
        { type: "select", id: "b", selected: true },
        { type: "remove", id: "c" },
      ],
      state,
    );
    expect(r).toEqual({ commit: null, patch: { measured: { b: { width: 200, height: 80 } }, selection: { nodes: ["b"], edges: ["e1"] } } });
    expect(
      interpretNodeChanges([{ type: "dimensions", id: "b", dimensions: { width: 200, height: 80 } }], { ...state, measured: { b: { width: 200, height: 80 } } })
        .patch,
    ).toEqual({});
  });
  it("selects edges", () => {
    expect(interpretEdgeChanges([{ type: "select", id: "e2", selected: true }], state)).toEqual({ selection: { nodes: ["a"], edges: ["e1", "e2"] } });
    expect(interpretEdgeChanges([{ type: "remove", id: "e1" }], state)).toBeNull();
  });
});
