import { toMermaid } from "@braid/core";
import { defaultRegistry as registry } from "@braid/nodes";
import { describe, expect, it } from "vitest";
import { detectFormat, importText } from "./detect.js";

const doc = {
  format: "braid/pipeline@1" as const,
  name: "Tiny",
  nodes: [
    { id: "in", kind: "input", label: "Start", position: { x: 0, y: 0 } },
    { id: "out", kind: "output", label: "End", position: { x: 0, y: 100 } },
  ],
  edges: [{ from: "in", to: "out" }],
};

describe("import detection", () => {
  it("goes by the file's extension first", () => {
    expect(detectFormat("anything", "a.mmd")).toBe("mermaid");
    expect(detectFormat("anything", "a.MERMAID")).toBe("mermaid");
    expect(detectFormat("flowchart TD", "a.json")).toBe("json");
  });
  it("reads pasted text by its first statement", () => {
    expect(detectFormat('  {"format": "braid/pipeline@1"}')).toBe("json");
    expect(detectFormat("\uFEFF[1]")).toBe("json");
    expect(detectFormat("flowchart LR\n a-->b")).toBe("mermaid");
    expect(detectFormat("graph TD\n a-->b")).toBe("mermaid");
    expect(detectFormat("%% braid:format braid/pipeline@1\nflowchart TD")).toBe("mermaid");
    expect(detectFormat('%%{init: {"theme":"dark"}}%%\n\nflowchart TD')).toBe("mermaid");
    expect(detectFormat("---\ntitle: Hello\n---\nflowchart TD")).toBe("mermaid");
    expect(detectFormat("sequenceDiagram\n A->>B: hi")).toBeUndefined();
    expect(detectFormat("hello")).toBeUndefined();
    expect(detectFormat("")).toBeUndefined();
  });
});

describe("importing text", () => {
  it("imports a Braid Mermaid export losslessly and without guesses", () => {
    const r = importText(toMermaid(doc, { registry }), registry);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.format).toBe("mermaid");
    expect(r.pipeline).toEqual(doc);
    expect(r.warnings).toEqual([]);
  });
  it("imports a hand-written flowchart with a warning per guess", () => {
    const r = importText("flowchart TD\n  A([Start]) --> B[Draft]\n  B --> C([Done])\n", registry, "draft.mmd");
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.pipeline.nodes.map((n) => n.kind)).toEqual(["input", "generate", "output"]);
    expect(r.warnings.length).toBeGreaterThanOrEqual(3);
  });
  it("imports JSON through the editor's path", () => {
    const r = importText(JSON.stringify(doc), registry, "tiny.json");
    expect(r.ok && r.pipeline).toEqual(doc);
    expect(r.ok && r.warnings).toEqual([]);
  });
  it("explains what is wrong, for every kind of bad input", () => {
    const empty = importText("   ", registry);
    expect(empty.ok).toBe(false);
    expect(!empty.ok && empty.message).toMatch(/Nothing to import/);

    const notJson = importText('{"format": "braid/pipeline@1", "nodes": [}', registry);
    expect(!notJson.ok && notJson.message).toMatch(/not valid JSON/);

    const invalid = importText('{"format": "braid/pipeline@1", "name": 3, "nodes": [], "edges": []}', registry);
    expect(!invalid.ok && invalid.details.join("\n")).toMatch(/name/);

    const noNodes = importText("flowchart TD\n%% nothing here\n", registry, "x.mmd");
    expect(noNodes.ok).toBe(false);
    expect(!noNodes.ok && noNodes.format).toBe("mermaid");
    expect(!noNodes.ok && noNodes.details.join()).toMatch(/no nodes/);

    const notFlowchart = importText('pie title Pets\n  "Dogs" : 3\n', registry, "pets.mmd");
    expect(!notFlowchart.ok && notFlowchart.details.join()).toMatch(/flowchart/);

    // A Braid export whose embedded pipeline was damaged (a line cut short) is refused, not half-read.
    const damaged = toMermaid(doc, { registry }).replace(/(%% braid:pipeline \S{10})\S*/, "$1!!");
    const cut = importText(damaged, registry, "cut.mmd");
    expect(cut.ok).toBe(false);

    const other = importText("sequenceDiagram\n A->>B: hi", registry);
    expect(!other.ok && other.message).toMatch(/neither/);
  });
  it("does not let hostile JSON pollute prototypes", () => {
    const r = importText('{"format":"braid/pipeline@1","name":"x","nodes":[],"edges":[],"__proto__":{"polluted":true}}', registry);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(r.ok || r.message.length > 0).toBe(true);
  });
});
