import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parsePipeline } from "../format/parse.js";
import type { Pipeline } from "../format/schema.js";
import { base64urlEncode } from "./embed.js";
import { type MermaidExportOptions, toMermaid as exportMermaid } from "./export.js";
import { fromMermaid as importMermaid } from "./import.js";
// The real kinds: a test-only dependency (@braid/nodes itself depends on core).
import { defaultRegistry as registry } from "@braid/nodes";

const toMermaid = (p: Pipeline, options: Partial<MermaidExportOptions> = {}) => exportMermaid(p, { registry, ...options });
const fromMermaid = (text: string) => importMermaid(text, registry);
import { parseMermaid } from "./mermaid-parse.test-helper.js";

const hostile = JSON.parse(readFileSync(new URL("../../../../test-fixtures/hostile-strings.json", import.meta.url), "utf8")) as {
  labels: string[];
  jsonPayloads: unknown[];
};
const examplesDir = new URL("../../../../examples/", import.meta.url);

function imported(text: string) {
  const r = fromMermaid(text);
  if (!r.ok) throw new Error(`import failed: ${r.errors.join("; ")}`);
  return r;
}

/** Export, check Mermaid accepts it and built every node and edge, import, compare. */
async function roundTrip(pipeline: Pipeline, options: Parameters<typeof toMermaid>[1] = {}): Promise<void> {
  const text = toMermaid(pipeline, options);
  const parsed = await parseMermaid(text);
  expect(parsed.vertices).toHaveLength(new Set([...pipeline.nodes.map((n) => n.id), ...pipeline.edges.flatMap((e) => [e.from, e.to])]).size);
  expect(parsed.edges).toHaveLength(pipeline.edges.length);
  const back = imported(text);
  expect(back.warnings).toEqual([]);
  expect(back.pipeline).toEqual(pipeline);
}

const L = (i: number) => hostile.labels[i % hostile.labels.length] ?? "";

/** Every kind, hostile text in every user-visible place, and added keys the format must keep. */
const everyKind = {
  format: "braid/pipeline@1",
  name: L(3),
  description: L(5),
  input: { example: hostile.jsonPayloads, schema: { type: "object" } },
  nodes: [
    { id: "in", kind: "input", label: L(0), position: { x: 0, y: -1.5 } },
    { id: "gen", kind: "generate", label: L(1), config: { backend: L(2), prompt: L(3), shape: { name: "string" }, temperature: 0.2 } },
    { id: "check", kind: "critique", label: L(4), config: { backend: "validator", target: "gen", rubric: hostile.labels, threshold: 0.8, maxAttempts: 3 } },
    { id: "fix", kind: "generate", label: L(6), config: { backend: "enricher", revises: "gen", prompt: L(7), system: L(8) } },
    {
      id: "route-1",
      kind: "route",
      label: L(9),
      config: {
        strategy: "rules",
        branches: [{ id: "a", when: 'input.tier = "premium"', label: L(10) }, { id: "b", label: L(11) }, { id: "c" }],
        default: "c",
      },
    },
    { id: "route_1", kind: "merge", label: L(12), config: { strategy: "synthesize", backend: "gpt" } },
    { id: "end", kind: "plugin-kind", label: L(13), config: { anything: [1, "two", null] }, extraKey: true },
    { id: "out", kind: "output", label: L(18), config: { value: "{{gen}}" } },
  ],
  edges: [
    { from: "in", to: "gen" },
    { from: "gen", to: "check" },
    { from: "check", to: "route-1", branch: "pass" },
    { from: "check", to: "fix", branch: "fail" },
    { from: "check", to: "out", branch: "exhausted" },
    { from: "fix", to: "check", note: "added key on an edge" },
    { from: "route-1", to: "route_1", branch: "a" },
    { from: "route-1", to: "end", branch: "b" },
    { from: "route-1", to: "out", branch: "c" },
    { from: "end", to: "route_1" },
    { from: "route_1", to: "out" },
  ],
  extraTopLevel: { kept: "yes" },
} as Pipeline;

describe("fromMermaid with an embedded pipeline", () => {
  it("round-trips every kind with hostile labels exactly, whatever the display options", async () => {
    await roundTrip(everyKind);
    await roundTrip(everyKind, { direction: "LR", showBackends: true, showPrompts: true });
    await roundTrip(everyKind, { run: { visited: ["in", "gen"], failed: ["check"], takenEdges: [["in", "gen"]] } });
    // Lone surrogates survive too: JSON.stringify escapes them before UTF-8 encoding.
    await roundTrip({ ...everyKind, name: "\ud800 half \udfff" });
  });

  it("round-trips random pipelines built from hostile text", async () => {
    const text = fc.oneof(fc.constantFrom(...hostile.labels), fc.string({ maxLength: 24 }), fc.string({ unit: "binary", maxLength: 16 }));
    const id = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,6}$/);
    const kind = fc.constantFrom("input", "output", "generate", "critique", "route", "merge", "x-custom");
    const pipeline = fc.uniqueArray(id, { minLength: 1, maxLength: 7 }).chain((ids) =>
      fc
        .record({
          name: text,
          nodes: fc.tuple(
            ...ids.map((nodeId) =>
              fc
                .record({ kind, label: fc.option(text, { nil: undefined }), prompt: fc.option(text, { nil: undefined }), backend: text })
                .map((n) => ({ nodeId, ...n })),
            ),
          ),
          edges: fc.array(
            fc.record({
              from: fc.constantFrom(...ids),
              to: fc.constantFrom(...ids),
              branch: fc.option(
                fc.oneof(
                  fc.constantFrom("pass", "fail", "exhausted"),
                  text.filter((s) => s.length > 0),
                ),
                { nil: undefined },
              ),
              label: fc.option(text, { nil: undefined }),
            }),
            { maxLength: 10 },
          ),
        })
        .map(
          ({ name, nodes, edges }): Pipeline => ({
            format: "braid/pipeline@1",
            name,
            nodes: nodes.map((n) => {
              const branches = edges
                .filter((e) => e.from === n.nodeId && e.branch !== undefined)
                .map((e) => (e.label === undefined ? { id: e.branch } : { id: e.branch, label: e.label }));
              const config =
                n.kind === "route" ? { strategy: "rules", branches } : { backend: n.backend, ...(n.prompt === undefined ? {} : { prompt: n.prompt }) };
              return { id: n.nodeId, kind: n.kind, ...(n.label === undefined ? {} : { label: n.label }), config };
            }),
            edges: edges.map((e) => (e.branch === undefined ? { from: e.from, to: e.to } : { from: e.from, to: e.to, branch: e.branch })),
          }),
        ),
    );
    const options = fc.record({ direction: fc.constantFrom("TD" as const, "LR" as const), showBackends: fc.boolean(), showPrompts: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(pipeline, options, async (p, o) => {
        await roundTrip(p, o);
        // Without the embedded copy the import is a guess, but it must still be a valid pipeline.
        const guess = fromMermaid(toMermaid(p, { ...o, embed: false }));
        expect(guess.ok).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it("round-trips the shipped examples", async () => {
    // Throws (failing the test) when the examples folder is missing.
    const files = readdirSync(examplesDir).filter((f) => f.endsWith(".json") && !f.startsWith("backends"));
    let checked = 0;
    for (const file of files) {
      const loaded = parsePipeline(readFileSync(new URL(file, examplesDir), "utf8"));
      expect(loaded.ok, `${file} parses as a pipeline`).toBe(true);
      if (!loaded.ok) continue;
      await roundTrip(loaded.pipeline, { showBackends: true, showPrompts: true });
      checked++;
    }
    // Seven pipeline examples ship today; none may silently drop out.
    expect(checked).toBeGreaterThanOrEqual(7);
  });

  it("refuses corrupt embedded data with a clear message", () => {
    const text = toMermaid(everyKind);
    const lines = text.split("\n");
    const firstChunk = lines.findIndex((l) => l.startsWith("%% braid:pipeline "));
    const withLine = (i: number, line: string | undefined) => lines.flatMap((l, j) => (j === i ? (line === undefined ? [] : [line]) : [l])).join("\n");

    const badChar = fromMermaid(withLine(firstChunk, `${lines[firstChunk]?.slice(0, -3)}!!!`));
    expect(badChar).toEqual({ ok: false, errors: [expect.stringMatching(/not valid base64url/)] });

    const truncated = fromMermaid(withLine(firstChunk + 1, undefined));
    expect(truncated.ok).toBe(false);
    expect(!truncated.ok && truncated.errors[0]).toMatch(/embedded pipeline/);

    const embed = (s: string) => `flowchart TD\n  a --> b\n%% braid:pipeline ${base64urlEncode(new TextEncoder().encode(s))}\n`;
    expect(fromMermaid(embed("{not json"))).toEqual({ ok: false, errors: [expect.stringMatching(/not valid JSON/)] });
    const notPipeline = fromMermaid(embed('{"format":"braid/pipeline@1","name":"x"}'));
    expect(notPipeline.ok).toBe(false);
    expect(!notPipeline.ok && notPipeline.errors.join()).toMatch(/nodes/);
    const future = fromMermaid(embed('{"format":"braid/pipeline@99","name":"x","nodes":[],"edges":[]}'));
    expect(!future.ok && future.errors.join()).toMatch(/not supported/);
    expect(fromMermaid("flowchart TD\n%% braid:pipeline\n").ok).toBe(false);
  });
});

describe("fromMermaid with a hand-written flowchart", () => {
  it("infers kinds from shapes and lists every guess", async () => {
    const text = "flowchart LR\n A([Start]) --> B[Draft]\n B --> C{{Check}}\n C -->|pass| D([Done])\n C -->|fail| B";
    await parseMermaid(text);
    const { pipeline, warnings } = imported(text);
    expect(pipeline).toEqual({
      format: "braid/pipeline@1",
      name: "Imported flowchart",
      nodes: [
        { id: "A", kind: "input", label: "Start" },
        { id: "B", kind: "generate", label: "Draft", config: { backend: "generator", prompt: "TODO: Draft" } },
        { id: "C", kind: "critique", label: "Check", config: { backend: "validator", target: "B", rubric: ["TODO"], threshold: 0.8, maxAttempts: 3 } },
        { id: "D", kind: "output", label: "Done" },
      ],
      edges: [
        { from: "A", to: "B" },
        { from: "B", to: "C" },
        { from: "C", to: "D", branch: "pass" },
        { from: "C", to: "B", branch: "fail" },
      ],
    });
    expect(warnings).toHaveLength(4);
    for (const id of ["A", "B", "C", "D"]) expect(warnings.filter((w) => w.startsWith(`node "${id}"`))).toHaveLength(1);
    expect(warnings.find((w) => w.startsWith('node "A"'))).toMatch(/input/);
    expect(warnings.find((w) => w.startsWith('node "C"'))).toMatch(/critique.*"B"/);
  });

  it("reads the wider flowchart syntax and makes placeholders for unknown shapes", async () => {
    const text = [
      "---",
      "title: Support triage",
      "---",
      "graph TD",
      "  %% a comment",
      "  classDef hot fill:#f00",
      '  q[/"Ticket #quot;urgent#quot; #35;1"\\] & w((Both)) --> r{Is it big?}',
      "  r -- yes --> big[[Expert]]:::hot",
      '  r -->|"No way"| small(Quick answer)',
      "  r -. maybe .-> db[(Archive)]",
      "  big ==> m[/Merge\\]",
      "  small --> m; db --> m",
      "  subgraph S [Group]",
      "    m --> done>Finished]",
      "  end",
      "  style m fill:#0f0",
      "  linkStyle 0 stroke:red",
    ].join("\n");
    const mermaidView = await parseMermaid(text);
    const { pipeline, warnings } = imported(text);
    expect(pipeline.name).toBe("Support triage");
    const kinds = Object.fromEntries(pipeline.nodes.map((n) => [n.id, n.kind]));
    expect(kinds).toEqual({
      input: "input",
      q: "merge",
      w: "merge",
      r: "route",
      big: "generate",
      small: "generate",
      db: "generate",
      m: "merge",
      done: "approval",
      output: "output",
    });
    expect(pipeline.nodes.find((n) => n.id === "q")?.label).toBe('Ticket "urgent" #1');
    expect(pipeline.nodes.find((n) => n.id === "r")?.config).toEqual({
      strategy: "rules",
      branches: [{ id: "yes" }, { id: "No_way", label: "No way" }, { id: "maybe" }],
      default: "yes",
    });
    expect(pipeline.edges.filter((e) => e.from === "r").map((e) => [e.to, e.branch])).toEqual([
      ["big", "yes"],
      ["small", "No_way"],
      ["db", "maybe"],
    ]);
    // Same edges as Mermaid itself read, plus the added input and output.
    expect(pipeline.edges.length).toBe(mermaidView.edges.length + 3);
    expect(pipeline.edges.filter((e) => e.from === "input").map((e) => e.to)).toEqual(["q", "w"]);
    expect(pipeline.edges.filter((e) => e.to === "output").map((e) => e.from)).toEqual(["done"]);
    for (const id of ["big", "db"]) expect(warnings.find((w) => w.startsWith(`node "${id}"`))).toMatch(/no Braid kind.*placeholder/);
    expect(warnings.find((w) => w.startsWith('node "done"'))).toMatch(/flag shape read as an approval node with message "Finished"/);
    expect(warnings.filter((w) => w.startsWith("no input") || w.startsWith("no output"))).toHaveLength(2);
  });

  it("reads a Braid export made without the embedded copy back to the same graph", () => {
    const pipeline = JSON.parse(JSON.stringify(everyKind)) as Pipeline;
    const { pipeline: back, warnings } = imported(toMermaid(pipeline, { embed: false, showBackends: true, showPrompts: true }));
    expect(back.nodes.map((n) => [n.id, n.kind])).toEqual(
      pipeline.nodes
        .map((n) => [n.id.replace("-", "_"), n.kind === "plugin-kind" ? "generate" : n.kind])
        .map(([id, k]) => [id === "route_1" && k === "merge" ? "route_1_2" : id, k]),
    );
    expect(back.nodes.find((n) => n.id === "gen")?.label).toBe(L(1));
    expect(back.edges.filter((e) => e.from === "check").map((e) => e.branch)).toEqual(["pass", "fail", "exhausted"]);
    expect(warnings.length).toBeGreaterThan(0);
  });

  it("never throws and refuses what is not a flowchart", () => {
    expect(fromMermaid("sequenceDiagram\n  A->>B: hi")).toEqual({ ok: false, errors: [expect.stringMatching(/flowchart/)] });
    expect(fromMermaid("").ok).toBe(false);
    expect(fromMermaid("flowchart TD\n").ok).toBe(false);
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.constantFrom("", "flowchart TD\n", "graph LR;"), (s, head) => {
        const r = fromMermaid(head + s);
        if (r.ok) expect(r.pipeline.nodes.filter((n) => n.kind === "input")).toHaveLength(1);
      }),
      { numRuns: 300 },
    );
  });
});
