import { type Diagnostic, type Pipeline, createPool, lint, lintDocument } from "../index.js";
import { describe, expect, it } from "vitest";
import { defaultRegistry } from "@braid/nodes";
import { exampleNames, gen, loadExample, pipeline } from "./helpers.js";

const backends = createPool({ latency: "zero" }).availability();
const check = (p: Pipeline) => lint(p, { registry: defaultRegistry, backends });
const codes = (ds: Diagnostic[]) => ds.map((d) => `${d.severity}:${d.code}${d.nodeId ? `@${d.nodeId}` : ""}`);

describe("lint", () => {
  it("passes every shipped example without errors or warnings", () => {
    const names = exampleNames();
    // Seven pipeline examples ship today; none may silently drop out.
    expect(names.length).toBeGreaterThanOrEqual(7);
    for (const name of names) expect({ name, ds: check(loadExample(name)) }).toEqual({ name, ds: [] });
  });

  it("reports malformed documents with the field path", () => {
    const r = lintDocument(
      { format: "braid/pipeline@1", name: "x", nodes: [{ id: "1bad", kind: "input" }], edges: [{ from: "a" }] },
      { registry: defaultRegistry },
    );
    expect(r.pipeline).toBeUndefined();
    expect(r.diagnostics.map((d) => d.path)).toEqual(["nodes[0].id", "edges[0].to"]);
    expect(lintDocument("{not json", { registry: defaultRegistry }).diagnostics[0]?.code).toBe("E_PARSE");
    expect(lintDocument({ format: "braid/pipeline@9", name: "x", nodes: [], edges: [] }, { registry: defaultRegistry }).diagnostics[0]?.code).toBe(
      "E_FORMAT_VERSION",
    );
  });

  it("finds duplicate ids, missing and extra input/output, and the reserved id", () => {
    const p: Pipeline = {
      format: "braid/pipeline@1",
      name: "x",
      nodes: [
        gen("a"),
        gen("a"),
        { id: "input", kind: "generate", config: { backend: "generator", prompt: "x" } },
        { id: "o1", kind: "output" },
        { id: "o2", kind: "output" },
      ],
      edges: [],
    };
    expect(codes(check(p))).toEqual(
      expect.arrayContaining(["error:E_DUPLICATE_ID@a", "error:E_RESERVED_ID@input", "error:E_NO_INPUT", "error:E_MULTIPLE_OUTPUTS@o2"]),
    );
    const p2 = pipeline([], [["in", "out"]]);
    p2.nodes.push({ id: "in2", kind: "input" });
    expect(codes(check(p2))).toContain("error:E_MULTIPLE_INPUTS@in2");
    expect(codes(check({ ...pipeline([], []), nodes: [{ id: "in", kind: "input" }] }))).toContain("error:E_NO_OUTPUT");
  });

  it("finds unknown nodes, kinds, backends and branches", () => {
    const p = pipeline(
      [
        gen("g", { backend: "nope" }),
        { id: "w", kind: "wizard" },
        { id: "c", kind: "critique", config: { backend: "validator", target: "ghost", rubric: ["ok"] } },
      ],
      [
        ["in", "g"],
        ["g", "c"],
        ["c", "out", "maybe"],
        ["c", "out"],
        ["g", "missing"],
        ["in", "w"],
        ["w", "out"],
        ["g", "out", "pass"],
      ],
    );
    const ds = codes(check(p));
    expect(ds).toEqual(
      expect.arrayContaining([
        "error:E_UNKNOWN_BACKEND@g",
        "error:E_UNKNOWN_KIND@w",
        "error:E_UNKNOWN_NODE@c",
        "error:E_UNKNOWN_BRANCH@c",
        "error:E_BRANCH_REQUIRED@c",
        "error:E_UNKNOWN_NODE",
        "error:E_UNKNOWN_BRANCH@g",
      ]),
    );
  });

  it("explains backends whose provider is not available yet", () => {
    const pool = createPool({
      latency: "zero",
      extra: [
        {
          name: "gpt",
          provider: "openai",
          model: "gpt-4o",
          maxTokens: 10,
          temperature: 0,
          timeoutMs: 10,
          retries: 0,
          circuitBreaker: true,
          weight: 1,
          enabled: true,
          pricing: { input: 0, output: 0 },
        },
      ],
    });
    const ds = lint(
      pipeline(
        [gen("g", { backend: "gpt" })],
        [
          ["in", "g"],
          ["g", "out"],
        ],
      ),
      { registry: defaultRegistry, backends: pool.availability() },
    );
    expect(ds).toEqual([
      expect.objectContaining({ code: "E_BACKEND_UNAVAILABLE", nodeId: "g", message: expect.stringContaining("not available in this build yet") }),
    ]);
  });

  it("warns about unreachable nodes and errors when the output cannot be reached", () => {
    const ds = codes(check(pipeline([gen("g"), gen("island")], [["in", "g"]])));
    expect(ds).toEqual(expect.arrayContaining(["warning:E_UNREACHABLE@island", "warning:E_UNREACHABLE@out", "error:E_NO_PATH_TO_OUTPUT@out"]));
  });

  it("rejects cycles that no critique fail branch or route bound limits", () => {
    const bad = pipeline(
      [gen("a"), gen("b")],
      [
        ["in", "a"],
        ["a", "b"],
        ["b", "a"],
        ["b", "out"],
      ],
    );
    expect(check(bad)).toEqual([expect.objectContaining({ code: "E_CYCLE_UNBOUNDED", message: expect.stringContaining("→") })]);
    const viaPass = pipeline(
      [gen("a"), { id: "c", kind: "critique", config: { backend: "validator", target: "a", rubric: ["ok"] } }],
      [
        ["in", "a"],
        ["a", "c"],
        ["c", "a", "pass"],
        ["c", "out", "fail"],
        ["c", "out", "exhausted"],
      ],
    );
    expect(codes(check(viaPass))).toContain("error:E_CYCLE_UNBOUNDED@a");
    const bounded = pipeline(
      [
        gen("a"),
        {
          id: "r",
          kind: "route",
          config: { strategy: "rules", branches: [{ id: "again", when: "true" }, { id: "done" }], default: "done", maxIterations: 3, exitBranch: "done" },
        },
      ],
      [
        ["in", "a"],
        ["a", "r"],
        ["r", "a", "again"],
        ["r", "out", "done"],
      ],
    );
    expect(check(bounded)).toEqual([]);
  });

  it("checks template paths statically, including known output keys", () => {
    const p = pipeline(
      [gen("g", { shape: { name: "string" } }), gen("h", { prompt: "{{ghost.x}} {{g.nmae}} {{g.name}} {{input.anything}} {{ $count(g) }}" })],
      [
        ["in", "g"],
        ["g", "h"],
        ["h", "out"],
      ],
      "{{h}}",
    );
    const ds = check(p);
    expect(ds.map((d) => [d.code, d.nodeId, d.path])).toEqual([
      ["E_TEMPLATE_PATH", "h", "nodes[2].config.prompt"],
      ["E_TEMPLATE_PATH", "h", "nodes[2].config.prompt"],
    ]);
    expect(ds[1]?.message).toContain('"g" outputs "name", not "nmae"');
    expect(
      codes(
        check(
          pipeline(
            [gen("g", { prompt: "{{ oops" })],
            [
              ["in", "g"],
              ["g", "out"],
            ],
          ),
        ),
      ),
    ).toEqual(["error:E_TEMPLATE_SYNTAX@g"]);
  });

  it("checks input paths against a closed input schema", () => {
    const p = pipeline(
      [gen("g", { prompt: "{{input.sku}} {{input.nope}}" })],
      [
        ["in", "g"],
        ["g", "out"],
      ],
    );
    p.input = { example: { sku: "x" }, schema: { type: "object", properties: { sku: { type: "string" } }, additionalProperties: false } };
    expect(check(p).map((d) => d.message)).toEqual([expect.stringContaining('the input schema has no property "nope"')]);
  });

  it("warns when a corrector's shape differs from the draft it replaces, and not when they agree", () => {
    const loop = (fixShape: Record<string, unknown>) =>
      pipeline(
        [
          gen("draft", { shape: { name: "string", price: 0 } }),
          { id: "check", kind: "critique", config: { target: "draft", rubric: ["price is positive"], backend: "validator" } },
          gen("fix", { revises: "draft", prompt: "Fix {{draft}}", shape: fixShape }),
        ],
        [
          ["in", "draft"],
          ["draft", "check"],
          ["check", "out", "pass"],
          ["check", "out", "exhausted"],
          ["check", "fix", "fail"],
          ["fix", "check"],
        ],
      );
    const bad = check(loop({ title: "string", summary: "string" }));
    expect(codes(bad)).toContain("warning:E_REPLACEMENT_SHAPE@fix");
    expect(bad.find((d) => d.code === "E_REPLACEMENT_SHAPE")?.message).toContain('produces title, summary where "draft" produces name, price');
    expect(codes(check(loop({ price: 0, name: "string" })))).not.toContain("warning:E_REPLACEMENT_SHAPE@fix");
  });

  it("warns about a merge with a single input, and rejects invalid route expressions and configs", () => {
    const p = pipeline(
      [
        { id: "m", kind: "merge", config: { strategy: "object" } },
        { id: "r", kind: "route", config: { strategy: "rules", branches: [{ id: "a", when: "input.x = " }], default: "a" } },
        gen("g", { count: 0, temperature: 9 }),
      ],
      [
        ["in", "m"],
        ["m", "r"],
        ["r", "g", "a"],
        ["g", "out"],
      ],
    );
    const ds = check(p);
    expect(codes(ds)).toEqual(expect.arrayContaining(["warning:E_MERGE_SINGLE_INPUT@m", "error:E_EXPRESSION@r", "error:E_CONFIG@g"]));
    expect(ds.filter((d) => d.code === "E_CONFIG").map((d) => d.path)).toEqual(["nodes[3].config.count", "nodes[3].config.temperature"]);
  });

  it("rejects route configs whose default or exit branch is not declared", () => {
    const p = pipeline(
      [{ id: "r", kind: "route", config: { strategy: "rules", branches: [{ id: "a" }], default: "zzz", maxIterations: 2 } }],
      [
        ["in", "r"],
        ["r", "out", "a"],
      ],
    );
    expect(check(p).map((d) => d.path)).toEqual(["nodes[1].config.default", "nodes[1].config.exitBranch"]);
  });

  it("rejects invalid JSON Schemas", () => {
    const p = pipeline(
      [gen("g", { schema: { type: "banana" } })],
      [
        ["in", "g"],
        ["g", "out"],
      ],
    );
    expect(codes(check(p))).toEqual(["error:E_SCHEMA@g"]);
  });

  it("warns about unconnected branches, except fail when only one attempt is allowed", () => {
    const p = pipeline(
      [gen("g"), { id: "c", kind: "critique", config: { backend: "validator", target: "g", rubric: ["ok"], maxAttempts: 1 } }],
      [
        ["in", "g"],
        ["g", "c"],
        ["c", "out", "pass"],
      ],
    );
    expect(codes(check(p))).toEqual(["warning:E_BRANCH_UNCONNECTED@c"]);
  });
});
