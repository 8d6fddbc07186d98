import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { RunEvent } from "../events.js";
import type { Pipeline } from "../format/schema.js";
import { type MermaidExportOptions, toMermaid as exportMermaid } from "./export.js";
// The real kinds: a test-only dependency (@braid/nodes itself depends on core).
import { defaultRegistry as registry } from "@braid/nodes";

const toMermaid = (p: Pipeline, options: Partial<MermaidExportOptions> = {}) => exportMermaid(p, { registry, ...options });
import { parseMermaid, shownText } from "./mermaid-parse.test-helper.js";
import { overlayFromEvents } from "./overlay.js";

const hostile = JSON.parse(readFileSync(new URL("../../../../test-fixtures/hostile-strings.json", import.meta.url), "utf8")) as {
  labels: string[];
};
const LABELS = [...hostile.labels, "direction TB", "a direction\tLR b", "style:#f00;", "ﬂ°°60¶ßscript", "tab\there\r\nand\u2028sep", "$$x^2$$", "end"];

/** What a reader should see for a label: one line, and the id when the label is blank. */
const expectedText = (label: string, fallback: string) => (label.trim() === "" ? fallback : label.replace(/[\p{Cc}\u2028\u2029]/gu, " "));

/** Every line an export may contain. User text only ever appears inside `"..."` with no `"` in it. */
const LINE =
  /^(?:%% braid:format braid\/pipeline@1|%% braid:pipeline [A-Za-z0-9_-]+|flowchart (?:TD|LR)| {4}n_\w+(?:\(\["[^"]*"\]\)|\["[^"]*"\]|\{\{"[^"]*"\}\}|\{"[^"]*"\}|\[\/"[^"]*"\\\]|\[\["[^"]*"\]\])| {4}n_\w+ (?:-->|-\.->)(?:\|"[^"]*"\|)? n_\w+| {4}classDef \w+ [\w:#,.-]+| {4}class [\w,]+ \w+| {4}linkStyle [\d,]+ [\w:#,-]+)$/;

function assertSafe(text: string): void {
  for (const line of text.trimEnd().split("\n")) {
    expect(line, "line shape").toMatch(LINE);
    expect(line.trim().toLowerCase()).not.toBe("end");
  }
  expect(text).not.toMatch(/<img|<script|%%\{|\}%%/i);
  // Inside labels, the only markup is our own line break.
  for (const [quoted] of text.matchAll(/"[^"]*"/g)) expect(quoted.replace(/<br\/>/g, "")).not.toMatch(/[<>]/);
}

const gen = (id: string, label: string, extra: Record<string, unknown> = {}) => ({
  id,
  kind: "generate",
  label,
  config: { backend: "generator", prompt: "p", ...extra },
});

function chain(nodes: Pipeline["nodes"]): Pipeline {
  const all = [{ id: "in", kind: "input" }, ...nodes, { id: "out", kind: "output" }];
  return { format: "braid/pipeline@1", name: "t", nodes: all, edges: all.slice(1).map((n, i) => ({ from: all[i]?.id ?? "", to: n.id })) };
}

describe("toMermaid escaping", () => {
  it("keeps every hostile node label as plain text that Mermaid parses", async () => {
    const pipeline = chain(LABELS.map((l, i) => gen(`g${i}`, l)));
    const text = toMermaid(pipeline);
    assertSafe(text);
    const parsed = await parseMermaid(text);
    expect(parsed.type).toBe("flowchart-v2");
    expect(parsed.vertices).toHaveLength(pipeline.nodes.length);
    expect(parsed.edges).toHaveLength(pipeline.edges.length);
    LABELS.forEach((label, i) => {
      const v = parsed.vertices.find((x) => x.id === `n_g${i}`);
      expect(shownText(v?.text ?? "").trim()).toBe(expectedText(label, `g${i}`).trim());
    });
  });

  it("keeps hostile route branch labels and branch ids as plain text", async () => {
    const branches = LABELS.map((label, i) => ({ id: `b${i}`, label }));
    const targets = LABELS.map((_, i) => gen(`t${i}`, `target ${i}`));
    const pipeline: Pipeline = {
      format: "braid/pipeline@1",
      name: "routes",
      nodes: [
        { id: "in", kind: "input" },
        { id: "r", kind: "route", config: { strategy: "rules", branches, default: "b0" } },
        ...targets,
        { id: "out", kind: "output" },
      ],
      edges: [
        { from: "in", to: "r" },
        ...LABELS.map((_, i) => ({ from: "r", to: `t${i}`, branch: `b${i}` })),
        ...LABELS.map((_, i) => ({ from: `t${i}`, to: "out" })),
        // Branch ids themselves are free text when no label is given.
        ...LABELS.filter((l) => l !== "").map((l, i) => ({ from: `t${i}`, to: "r", branch: l })),
      ],
    };
    const text = toMermaid(pipeline);
    assertSafe(text);
    const parsed = await parseMermaid(text);
    expect(parsed.edges).toHaveLength(pipeline.edges.length);
    LABELS.forEach((label, i) => {
      const e = parsed.edges.find((x) => x.start === "n_r" && x.end === `n_t${i}`);
      expect(shownText(e?.text ?? "").trim()).toBe(expectedText(label, `b${i}`).trim());
    });
  });

  it("keeps hostile prompts and backend names as plain text on extra label lines", async () => {
    const pipeline = chain(LABELS.map((l, i) => ({ id: `g${i}`, kind: "generate", config: { backend: l, prompt: l } })));
    const text = toMermaid(pipeline, { showBackends: true, showPrompts: true });
    assertSafe(text);
    const parsed = await parseMermaid(text);
    expect(parsed.vertices).toHaveLength(pipeline.nodes.length);
    const v = parsed.vertices.find((x) => x.id === "n_g0");
    expect(shownText(v?.text ?? "").split("\n")).toEqual(["g0", "end", "“end”"]);
    const long = parsed.vertices.find((x) => x.id === `n_g${hostile.labels.findIndex((l) => l.startsWith("a very long"))}`);
    expect(shownText(long?.text ?? "")).toContain("\n“a very long label that goes on and on an…”");
  });

  it("gives ids that differ only in punctuation different Mermaid ids, and never emits keywords as ids", async () => {
    const ids = [
      "a-b",
      "a_b",
      "a_b_2",
      "end",
      "subgraph",
      "graph",
      "flowchart",
      "click",
      "style",
      "class",
      "classDef",
      "linkStyle",
      "direction",
      "call",
      "href",
      "default",
    ];
    const text = toMermaid(chain(ids.map((id) => gen(id, ""))));
    assertSafe(text);
    const parsed = await parseMermaid(text);
    expect(new Set(parsed.vertices.map((v) => v.id)).size).toBe(ids.length + 2);
    expect(text).toContain('n_a_b["a-b"]');
    expect(text).toContain('n_a_b_2["a#95;b"]');
    expect(text).toContain('n_a_b_2_2["a#95;b#95;2"]');
  });
});

const loopPipeline = JSON.parse(`{
  "format": "braid/pipeline@1", "name": "loop",
  "nodes": [
    { "id": "in", "kind": "input" },
    { "id": "gen", "kind": "generate", "label": "Draft", "config": { "backend": "generator", "prompt": "Describe {{input.sku}}" } },
    { "id": "check", "kind": "critique", "config": { "backend": "validator", "target": "gen", "rubric": ["ok"], "threshold": 0.8, "maxAttempts": 3 } },
    { "id": "fix", "kind": "generate", "config": { "backend": "enricher", "revises": "gen", "prompt": "Fix {{gen}}" } },
    { "id": "r", "kind": "route", "config": { "strategy": "rules", "branches": [{ "id": "big", "label": "Big one" }, { "id": "small" }], "default": "small" } },
    { "id": "m", "kind": "merge", "config": { "strategy": "object" } },
    { "id": "x", "kind": "custom-thing" },
    { "id": "out", "kind": "output", "config": { "value": "{{gen}}" } }
  ],
  "edges": [
    { "from": "in", "to": "gen" },
    { "from": "gen", "to": "check" },
    { "from": "check", "to": "r", "branch": "pass" },
    { "from": "check", "to": "fix", "branch": "fail" },
    { "from": "check", "to": "out", "branch": "exhausted" },
    { "from": "fix", "to": "check" },
    { "from": "r", "to": "m", "branch": "big" },
    { "from": "r", "to": "x", "branch": "small" },
    { "from": "x", "to": "m" },
    { "from": "m", "to": "out" }
  ]
}`) as Pipeline;

describe("toMermaid structure", () => {
  it("draws each kind with its own shape and class, and dashes only the edge closing a loop", async () => {
    const text = toMermaid(loopPipeline, { direction: "LR" });
    assertSafe(text);
    expect(text.split("\n")[1]).toBe("flowchart LR");
    const parsed = await parseMermaid(text);
    const shape = Object.fromEntries(parsed.vertices.map((v) => [v.id, [v.type, v.classes.join(" ")]]));
    expect(shape).toEqual({
      n_in: ["stadium", "k_input"],
      n_gen: ["square", "k_generate"],
      n_check: ["hexagon", "k_critique"],
      n_fix: ["square", "k_generate"],
      n_r: ["diamond", "k_route"],
      n_m: ["trapezoid", "k_merge"],
      n_x: ["subroutine", "unknown_kind"],
      n_out: ["stadium", "k_output"],
    });
    expect(parsed.classDefs).toEqual(expect.arrayContaining(["k_input", "k_generate", "k_critique", "k_route", "k_merge", "k_output", "unknown_kind"]));
    const strokes = parsed.edges.map((e) => `${e.start}>${e.end}:${e.stroke}:${shownText(e.text)}`);
    expect(strokes).toEqual([
      "n_in>n_gen:normal:",
      "n_gen>n_check:normal:",
      "n_check>n_r:normal:pass",
      "n_check>n_fix:normal:fail",
      "n_check>n_out:normal:exhausted",
      "n_fix>n_check:dotted:",
      "n_r>n_m:normal:Big one",
      "n_r>n_x:normal:small",
      "n_x>n_m:normal:",
      "n_m>n_out:normal:",
    ]);
  });

  it("is deterministic and puts the embedded pipeline in short comment lines at the end", () => {
    const a = toMermaid(loopPipeline, { showBackends: true, showPrompts: true });
    expect(toMermaid(structuredClone(loopPipeline), { showBackends: true, showPrompts: true })).toBe(a);
    const lines = a.trimEnd().split("\n");
    expect(lines[0]).toBe("%% braid:format braid/pipeline@1");
    const first = lines.findIndex((l) => l.startsWith("%% braid:pipeline "));
    expect(first).toBeGreaterThan(1);
    for (const l of lines.slice(first)) {
      expect(l).toMatch(/^%% braid:pipeline [A-Za-z0-9_-]+$/);
      expect(l.length).toBeLessThanOrEqual(200);
    }
    expect(toMermaid(loopPipeline, { embed: false })).not.toContain("braid:pipeline");
    expect(a).toContain('n_gen["Draft<br/>generator<br/>“Describe #123;#123;input.sku#125;#125;”"]');
  });

  it("still parses with edges to nodes that do not exist", async () => {
    const broken: Pipeline = {
      format: "braid/pipeline@1",
      name: "b",
      nodes: [{ id: "a", kind: "input" }],
      edges: [
        { from: "a", to: "ghost-1" },
        { from: "ghost_1", to: "a" },
      ],
    };
    const parsed = await parseMermaid(toMermaid(broken));
    expect(parsed.vertices.map((v) => v.id).sort()).toEqual(["n_a", "n_ghost_1", "n_ghost_1_2"]);
  });
});

describe("run overlay", () => {
  let t = 0;
  const base = { runId: "r1", at: 0 };
  const span = (nodeId: string) => ({ ...base, nodeId, span: `${nodeId}#${++t}` });
  const usage = { inputTokens: 0, outputTokens: 0, costUsd: 0 };
  const ran = (nodeId: string): RunEvent[] => [
    { ...span(nodeId), type: "node_started", kind: "k", attempt: 1 },
    { ...span(nodeId), type: "node_finished", output: null, durationMs: 1, usage },
  ];
  const iteration = (branch: "pass" | "fail" | "exhausted", attempt: number): RunEvent => ({
    ...span("check"),
    type: "loop_iteration",
    attempt,
    maxAttempts: 3,
    metrics: { score: branch === "pass" ? 1 : 0 },
    passed: branch === "pass",
    branch,
  });
  const events: RunEvent[] = [
    { ...base, type: "run_started", pipeline: "loop", input: {}, seed: 1 },
    ...ran("in"),
    ...ran("gen"),
    ...ran("check"),
    iteration("fail", 1),
    ...ran("fix"),
    ...ran("check"),
    iteration("pass", 2),
    ...ran("r"),
    { ...span("r"), type: "route_decided", branch: "small", reason: "default" },
    { ...span("x"), type: "node_started", kind: "custom-thing", attempt: 1 },
    { ...span("x"), type: "node_failed", error: { code: "E_NODE_FAILED", message: "boom" }, durationMs: 1 },
  ];

  it("derives visited and failed nodes and the edges the run took", () => {
    const overlay = overlayFromEvents(events, loopPipeline);
    expect(overlay.visited).toEqual(["in", "gen", "check", "fix", "r"]);
    expect(overlay.failed).toEqual(["x"]);
    expect(overlay.takenEdges).toEqual([
      ["in", "gen"],
      ["gen", "check"],
      ["check", "r", "pass"],
      ["check", "fix", "fail"],
      ["fix", "check"],
      ["r", "x", "small"],
    ]);
  });

  it("highlights visited nodes, the failed node and the taken edges", async () => {
    const text = toMermaid(loopPipeline, { run: { events } });
    expect(text).toBe(toMermaid(loopPipeline, { run: overlayFromEvents(events, loopPipeline) }));
    assertSafe(text);
    expect(text).toContain("    class n_in,n_gen,n_check,n_fix,n_r run_visited\n");
    expect(text).toContain("    class n_x run_failed\n");
    expect(text).toMatch(/^ {4}linkStyle 0,1,2,3,5,7 stroke:#[0-9a-f]{6},stroke-width:3px$/m);
    expect(text).toMatch(/^ {4}classDef run_failed .*stroke:#e03131/m);
    const parsed = await parseMermaid(text);
    const classes = Object.fromEntries(parsed.vertices.map((v) => [v.id, v.classes]));
    expect(classes.n_gen).toEqual(["k_generate", "run_visited"]);
    expect(classes.n_x).toEqual(["unknown_kind", "run_failed"]);
    expect(classes.n_m).toEqual(["k_merge"]);
  });

  it("ignores overlay ids that are not in the pipeline", () => {
    const text = toMermaid(loopPipeline, { run: { visited: ['x"]) --> evil["', "in"], failed: ["nope"], takenEdges: [["a", "b"]] } });
    assertSafe(text);
    expect(text).toContain("    class n_in run_visited\n");
    expect(text).not.toContain("run_failed");
    expect(text).not.toContain("linkStyle");
  });
});
