import { type LlmRequest, type NodeContext, type NodeEventInit, type Pipeline, evaluateExpression, renderTemplate, resolveTemplateValue } from "@braid/core";
import { describe, expect, it } from "vitest";
import { critiqueKind } from "./critique.js";
import { generateKind } from "./generate.js";
import { inputKind } from "./input.js";
import { mergeKind } from "./merge.js";
import { outputKind } from "./output.js";
import { routeKind } from "./route.js";

type Reply = (backend: string, req: LlmRequest) => string;

/** A NodeContext with a scripted LLM, so each kind is tested alone. */
function ctx<C>(
  config: C,
  state: Record<string, unknown>,
  opts: {
    id?: string;
    incoming?: string[];
    meta?: Record<string, { visits: number; attempts?: number; subject?: string }>;
    reply?: Reply;
    visit?: number;
    pipeline?: Pipeline;
    random?: number;
  } = {},
) {
  const calls: Array<{ backend: string; req: LlmRequest }> = [];
  const emitted: NodeEventInit[] = [];
  const c: NodeContext<C> = {
    node: { id: opts.id ?? "n", kind: "x" },
    config,
    pipeline: opts.pipeline ?? { format: "braid/pipeline@1", name: "t", nodes: [], edges: [] },
    incoming: opts.incoming ?? [],
    state,
    meta: opts.meta ?? {},
    visit: opts.visit ?? 0,
    signal: new AbortController().signal,
    random: () => opts.random ?? 0.5,
    render: (t) => renderTemplate(t, state),
    value: (t) => resolveTemplateValue(t, state),
    evaluate: (x) => evaluateExpression(x, state),
    async llm(backend, req) {
      calls.push({ backend, req });
      const text = opts.reply?.(backend, req) ?? "{}";
      return { text, ...(req.json ? { json: JSON.parse(text) } : {}), backend, model: "m" };
    },
    emit: (e) => emitted.push(e),
  };
  return { c, calls, emitted };
}

const parse = <C>(kind: { configSchema: { parse(v: unknown): C } }, v: unknown) => kind.configSchema.parse(v);

describe("input and output", () => {
  it("input passes the run input through", async () => {
    expect((await inputKind.execute(ctx({}, { input: { a: 1 } }).c, {})).output).toEqual({ a: 1 });
  });
  it("output renders its template, or returns every node output", async () => {
    const state = { input: { a: 1 }, g: { x: 2 }, h: "t" };
    expect((await outputKind.execute(ctx({ value: "{{g}}" }, state).c, {})).output).toEqual({ x: 2 });
    expect((await outputKind.execute(ctx({}, state, { id: "out" }).c, {})).output).toEqual({ g: { x: 2 }, h: "t" });
  });
});

describe("generate", () => {
  const config = parse(generateKind, { backend: "b", prompt: "Describe {{input.sku}}", system: "sys {{input.sku}}", shape: { name: "string" }, count: 1 });
  it("resolves prompts before starting, asks for JSON and returns the parsed value", async () => {
    const { c, calls } = ctx(config, { input: { sku: "S1" } }, { reply: () => '{"name":"N"}' });
    const prepared = await generateKind.prepare?.(c);
    expect(prepared).toEqual({ prompt: "Describe S1", system: "sys S1", backend: "b" });
    expect((await generateKind.execute(c, prepared ?? {})).output).toEqual({ name: "N" });
    expect(calls[0]?.req).toMatchObject({ json: { shape: { name: "string" }, count: 1 }, task: { type: "generate" } });
  });
  it("returns text without a shape", async () => {
    const { c } = ctx(parse(generateKind, { backend: "b", prompt: "hi" }), { input: {} }, { reply: () => "hello" });
    expect((await generateKind.execute(c, { prompt: "hi" })).output).toBe("hello");
  });
  it("as a corrector, revises the target with the critics' issues and replaces its output", async () => {
    const { c, calls } = ctx(
      parse(generateKind, { backend: "b", prompt: "fix", revises: "gen" }),
      { input: {}, gen: "old", check: { issues: ["too short"] } },
      { incoming: ["check"], reply: () => "new" },
    );
    const r = await generateKind.execute(c, { prompt: "fix" });
    expect(r).toEqual({ output: "new", replaces: ["gen"] });
    expect(calls[0]?.req.task).toEqual({ type: "revise", previous: "old", issues: ["too short"] });
  });
  it("rejects shape and schema together", () => {
    expect(generateKind.configSchema.safeParse({ backend: "b", prompt: "p", shape: {}, schema: {} }).success).toBe(false);
  });
});

describe("critique", () => {
  const base = { backend: "judge", target: "gen", rubric: ["price is positive"], threshold: 0.8, maxAttempts: 3 };
  const judge = (score: number) => () => JSON.stringify({ score, issues: score < 0.8 ? ["price is negative"] : [] });

  it("passes at or above the threshold", async () => {
    const { c, emitted } = ctx(parse(critiqueKind, base), { input: {}, gen: { price: 1 } }, { id: "check", reply: judge(0.9) });
    const r = await critiqueKind.execute(c, await critiqueKind.prepare!(c));
    expect(r).toMatchObject({ branch: "pass", output: { score: 0.9, passed: true, issues: [], attempt: 1 }, meta: { attempts: 1 } });
    expect(emitted[0]).toMatchObject({ type: "loop_iteration", attempt: 1, maxAttempts: 3, branch: "pass" });
  });

  it("fails while attempts remain, then takes exhausted", async () => {
    const state = { input: {}, gen: { price: -1 } };
    const fail = await critiqueKind.execute(
      ctx(parse(critiqueKind, base), state, { id: "check", meta: { check: { visits: 1, attempts: 1 } }, reply: judge(0.3) }).c,
      {},
    );
    expect(fail).toMatchObject({ branch: "fail", output: { attempt: 2, passed: false, issues: ["price is negative"] } });
    const last = await critiqueKind.execute(
      ctx(parse(critiqueKind, base), state, { id: "check", meta: { check: { visits: 2, attempts: 2 } }, reply: judge(0.3) }).c,
      {},
    );
    expect(last).toMatchObject({ branch: "exhausted", output: { attempt: 3 } });
  });

  it("checks a JSON Schema without any LLM", async () => {
    const config = parse(critiqueKind, {
      target: "gen",
      schema: { type: "object", required: ["price"], properties: { price: { type: "number", minimum: 0 } } },
    });
    const { c, calls } = ctx(config, { input: {}, gen: { price: -5 } }, { id: "check" });
    const r = await critiqueKind.execute(c, {});
    expect(calls).toHaveLength(0);
    expect(r).toMatchObject({ branch: "fail", output: { passed: false, issues: ["schema: /price must be >= 0"] } });
  });

  it("needs a rubric or a schema, and a backend for a rubric", () => {
    expect(critiqueKind.configSchema.safeParse({ target: "g" }).success).toBe(false);
    expect(critiqueKind.configSchema.safeParse({ target: "g", rubric: ["x"] }).success).toBe(false);
    expect(critiqueKind.boundsCycleThrough?.(parse(critiqueKind, base), "fail")).toBe(3);
    expect(critiqueKind.boundsCycleThrough?.(parse(critiqueKind, base), "pass")).toBeUndefined();
  });
});

describe("route strategies", () => {
  const branches = [
    { id: "fast", upTo: 3, weight: 1 },
    { id: "slow", weight: 3 },
  ];
  it("complexity scores the subject and explains the threshold", async () => {
    const { c, emitted } = ctx(parse(routeKind, { strategy: "complexity", branches, default: "slow" }), { input: { name: "string" } });
    expect(await routeKind.execute(c, {})).toMatchObject({ branch: "fast", output: { score: 1.2 } });
    expect(emitted[0]).toMatchObject({ type: "route_decided", branch: "fast", reason: expect.stringContaining("complexity 1.2 ≤ 3") });
  });
  it("weighted draws from the seeded random source", async () => {
    const pick = async (random: number) =>
      (await routeKind.execute(ctx(parse(routeKind, { strategy: "weighted", branches, default: "fast" }), { input: {} }, { random }).c, {})).branch;
    expect(await pick(0.1)).toBe("fast");
    expect(await pick(0.9)).toBe("slow");
  });
  it("classifier takes a valid label and defaults on an unknown one", async () => {
    const cfg = parse(routeKind, { strategy: "classifier", backend: "b", branches, default: "slow" });
    const label = (l: string) => () => JSON.stringify({ label: l, reason: "because" });
    expect((await routeKind.execute(ctx(cfg, { input: {} }, { reply: label("fast") }).c, {})).branch).toBe("fast");
    expect(await routeKind.execute(ctx(cfg, { input: {} }, { reply: label("huh") }).c, {})).toMatchObject({
      branch: "slow",
      reason: expect.stringContaining("not a branch"),
    });
  });
  it("rules reject a failing expression with a coded error", async () => {
    const cfg = parse(routeKind, { strategy: "rules", branches: [{ id: "a", when: "$undefinedFn(1)" }], default: "a" });
    await expect(routeKind.execute(ctx(cfg, { input: {} }).c, {})).rejects.toMatchObject({ code: "E_EXPRESSION" });
  });
  it("takes the exit branch once the loop bound is reached", async () => {
    const cfg = parse(routeKind, {
      strategy: "rules",
      branches: [{ id: "again", when: "true" }, { id: "done" }],
      default: "done",
      maxIterations: 2,
      exitBranch: "done",
    });
    expect((await routeKind.execute(ctx(cfg, { input: {} }, { visit: 2 }).c, {})).branch).toBe("done");
  });
});

describe("merge strategies", () => {
  const state = { input: {}, a: { x: 1, deep: { p: 1 } }, b: { y: 2, deep: { q: 2 } }, skipped: undefined };
  const run = async (config: unknown, incoming = ["a", "b", "skipped"], extra: Partial<Parameters<typeof ctx>[2]> = {}) =>
    (await mergeKind.execute(ctx(parse(mergeKind, config), state, { incoming, ...extra }).c, {})).output;

  it("object deep-merges what arrived, skipping branches a route did not take", async () => {
    expect(await run({ strategy: "object" })).toEqual({ x: 1, y: 2, deep: { p: 1, q: 2 } });
    expect(await run({ strategy: "object", keyed: true })).toEqual({ a: state.a, b: state.b });
  });
  it("concat joins arrays and texts", async () => {
    expect(await run({ strategy: "concat" })).toEqual([state.a, state.b]);
  });
  it("vote by score uses the subject each judge recorded", async () => {
    const s = { ...state, ja: { score: 0.4 }, jb: { score: 0.9 } };
    const meta = { ja: { visits: 1, subject: "a" }, jb: { visits: 1, subject: "b" } };
    const r = await mergeKind.execute(ctx(parse(mergeKind, { strategy: "vote" }), s, { incoming: ["ja", "jb"], meta }).c, {});
    expect(r.output).toEqual(state.b);
    expect(r.reason).toContain('highest score 0.9 from "b"');
  });
  it("synthesize asks its backend with every input", async () => {
    const { c, calls } = ctx(parse(mergeKind, { strategy: "synthesize", backend: "b" }), state, { incoming: ["a", "b"], reply: () => '{"merged":true}' });
    expect((await mergeKind.execute(c, {})).output).toEqual({ merged: true });
    expect(calls[0]?.req.task).toEqual({ type: "synthesize", inputs: { a: state.a, b: state.b } });
    expect(mergeKind.configSchema.safeParse({ strategy: "synthesize" }).success).toBe(false);
  });
});
