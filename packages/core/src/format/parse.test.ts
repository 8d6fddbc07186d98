import { describe, expect, it } from "vitest";
import { parsePipeline } from "./parse.js";

const nested = (depth: number): unknown => {
  let v: unknown = { type: "string" };
  for (let i = 0; i < depth; i++) v = { type: "object", properties: { x: v } };
  return v;
};

describe("parsePipeline", () => {
  it("refuses a document nested thousands deep with E_TOO_DEEP instead of overflowing the stack", () => {
    const doc = {
      format: "braid/pipeline@1",
      name: "deep",
      nodes: [
        { id: "in", kind: "input" },
        { id: "g", kind: "generate", config: { prompt: "x", shape: nested(5000) } },
        { id: "out", kind: "output" },
      ],
      edges: [],
    };
    const r = parsePipeline(doc);
    expect(r.ok).toBe(false);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["E_TOO_DEEP"]);
    // The same as text (JSON.parse itself copes with the depth; what follows it would not).
    const text = `{"format":"braid/pipeline@1","name":"deep","nodes":${"[".repeat(5000)}${"]".repeat(5000)},"edges":[]}`;
    expect(parsePipeline(text).diagnostics.map((d) => d.code)).toEqual(["E_TOO_DEEP"]);
  });
  it("reads a document of ordinary depth", () => {
    const r = parsePipeline({ format: "braid/pipeline@1", name: "ok", nodes: [{ id: "in", kind: "input" }], edges: [] });
    expect(r.ok).toBe(true);
  });
});
