import { BraidError, ERROR_CODES, type Pipeline, type RunEvent, PipelineInvalidError, createPool, startRun } from "../index.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defaultRegistry } from "@braid/nodes";

type Stage =
  | { t: "gen"; backend: number; shaped: boolean }
  | { t: "fan"; width: number; strategy: "object" | "concat" | "vote" | "synthesize" }
  | { t: "loop"; maxAttempts: number; impossible: boolean }
  | { t: "route"; strategy: "rules" | "complexity" | "weighted" | "classifier"; joinWithMerge: boolean };

const BACKENDS = ["generator", "enricher", "validator"];
const stage: fc.Arbitrary<Stage> = fc.oneof(
  fc.record({ t: fc.constant("gen" as const), backend: fc.nat(2), shaped: fc.boolean() }),
  fc.record({ t: fc.constant("fan" as const), width: fc.integer({ min: 2, max: 3 }), strategy: fc.constantFrom("object", "concat", "vote", "synthesize") }),
  fc.record({ t: fc.constant("loop" as const), maxAttempts: fc.integer({ min: 1, max: 4 }), impossible: fc.boolean() }),
  fc.record({ t: fc.constant("route" as const), strategy: fc.constantFrom("rules", "complexity", "weighted", "classifier"), joinWithMerge: fc.boolean() }),
);

/** Builds a well-formed pipeline from stages: each stage hangs off the previous stage's exits. */
function build(stages: Stage[]): Pipeline {
  const nodes: Pipeline["nodes"] = [{ id: "in", kind: "input" }];
  const edges: Pipeline["edges"] = [];
  let exits: Array<{ from: string; branch?: string }> = [{ from: "in" }];
  let n = 0;
  const id = (p: string) => `${p}${n++}`;
  const connect = (to: string) => {
    for (const e of exits) edges.push(e.branch ? { from: e.from, to, branch: e.branch } : { from: e.from, to });
  };
  const gen = (backend = "generator", shaped = true) => {
    const g = id("g");
    nodes.push({
      id: g,
      kind: "generate",
      config: { backend, prompt: "write about {{input.topic}}", ...(shaped ? { shape: { name: "string", price: 0.0 } } : {}) },
    });
    return g;
  };
  for (const s of stages) {
    if (s.t === "gen") {
      const g = gen(BACKENDS[s.backend], s.shaped);
      connect(g);
      exits = [{ from: g }];
    } else if (s.t === "fan") {
      const m = id("m");
      const branches = Array.from({ length: s.width }, () => gen());
      for (const b of branches) {
        connect(b);
        edges.push({ from: b, to: m });
      }
      nodes.push({ id: m, kind: "merge", config: { strategy: s.strategy, ...(s.strategy === "synthesize" ? { backend: "enricher" } : {}) } });
      exits = [{ from: m }];
    } else if (s.t === "loop") {
      const g = gen();
      const c = id("c");
      const fix = id("fix");
      connect(g);
      nodes.push({
        id: c,
        kind: "critique",
        config: { target: g, maxAttempts: s.maxAttempts, schema: s.impossible ? { type: "object", required: ["never"] } : { type: "object" } },
      });
      nodes.push({
        id: fix,
        kind: "generate",
        config: { backend: "enricher", revises: g, prompt: `fix {{${g}}}`, shape: { name: "string", price: 0.0 } },
      });
      edges.push({ from: g, to: c }, { from: c, to: fix, branch: "fail" }, { from: fix, to: c });
      exits = [
        { from: c, branch: "pass" },
        { from: c, branch: "exhausted" },
      ];
    } else {
      const r = id("r");
      nodes.push({
        id: r,
        kind: "route",
        config: {
          strategy: s.strategy,
          branches: [
            { id: "a", when: "$count($keys(input)) > 0", upTo: 3, weight: 1 },
            { id: "b", weight: 2 },
          ],
          default: "b",
          ...(s.strategy === "classifier" ? { backend: "generator" } : {}),
        },
      });
      connect(r);
      const a = gen();
      const b = gen("validator");
      edges.push({ from: r, to: a, branch: "a" }, { from: r, to: b, branch: "b" });
      if (s.joinWithMerge) {
        const m = id("m");
        nodes.push({ id: m, kind: "merge", config: { strategy: "object" } });
        edges.push({ from: a, to: m }, { from: b, to: m });
        exits = [{ from: m }];
      } else exits = [{ from: a }, { from: b }];
    }
  }
  nodes.push({ id: "out", kind: "output" });
  connect("out");
  return { format: "braid/pipeline@1", name: "generated", input: { example: { topic: "lamps" } }, nodes, edges };
}

async function drain(p: Pipeline, failureRate: number, seed: number): Promise<RunEvent[]> {
  const pool = createPool({
    latency: "zero",
    extra: BACKENDS.map((name) => ({
      name,
      provider: "simulated" as const,
      model: "sim",
      maxTokens: 100,
      temperature: 0,
      timeoutMs: 1000,
      retries: 1,
      circuitBreaker: false,
      weight: 1,
      enabled: true,
      pricing: { input: 0.001, output: 0.002 },
      simulation: { latencyMs: 0, jitterMs: 0, failureRate, defectRate: 0.5, streamChunks: 0 },
    })),
  });
  const handle = startRun(p, { registry: defaultRegistry, pool, seed, budget: { maxDurationMs: 10_000 } });
  const events: RunEvent[] = [];
  for await (const e of handle.events) events.push(e);
  return events;
}

describe("property: random well-formed pipelines", () => {
  it("run to completion or fail with a coded error; never throw raw, hang, or exceed loop bounds", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stage, { minLength: 1, maxLength: 5 }), fc.constantFrom(0, 0, 0.3, 1), fc.nat(1000), async (stages, failureRate, seed) => {
        const p = build(stages);
        let events: RunEvent[];
        try {
          events = await drain(p, failureRate, seed);
        } catch (err) {
          // Only a coded refusal is acceptable, and these pipelines are well-formed, so none is expected.
          throw new Error(`startRun threw for a well-formed pipeline: ${(err as Error).message}`);
        }
        const last = events.at(-1);
        expect(["run_finished", "run_failed"]).toContain(last?.type);
        if (last?.type === "run_failed") {
          expect(Object.keys(ERROR_CODES)).toContain(last.error.code);
          expect(last.error.code).not.toBe("E_RECURSION_LIMIT");
          expect(last.error.code).not.toBe("E_INTERNAL");
          if (failureRate === 0) expect(last.error.code).not.toBe("E_BACKEND_FAILED");
        } else if (failureRate === 0) expect(last?.type).toBe("run_finished");
        for (const e of events) if (e.type === "loop_iteration") expect(e.attempt).toBeLessThanOrEqual(e.maxAttempts ?? Number.POSITIVE_INFINITY);
        expect(events.filter((e) => e.type === "run_started")).toHaveLength(1);
      }),
      { numRuns: 60 },
    );
  }, 60_000);

  it("broken variants are refused with coded diagnostics, never a raw error", async () => {
    type How = "drop-edge" | "cycle" | "bad-backend" | "bad-branch";
    const refused: Record<How, number> = { "drop-edge": 0, cycle: 0, "bad-backend": 0, "bad-branch": 0 };
    const reachable = (p: Pipeline, from: string, to: string): boolean => {
      const seen = new Set([from]);
      const todo = [from];
      for (let cur = todo.pop(); cur !== undefined; cur = todo.pop()) {
        for (const x of p.edges) {
          if (x.from !== cur || seen.has(x.to)) continue;
          seen.add(x.to);
          todo.push(x.to);
        }
      }
      return seen.has(to);
    };
    await fc.assert(
      fc.asyncProperty(
        fc.array(stage, { minLength: 1, maxLength: 4 }),
        fc.nat(),
        fc.constantFrom<How>("drop-edge", "cycle", "bad-backend", "bad-branch"),
        async (stages, pick, how) => {
          const p = build(stages);
          const e = p.edges[pick % p.edges.length];
          if (!e) throw new Error("build() made a pipeline without edges");
          // Which refusal (if any) each breakage must cause; a diagnostic code of `null` means any error will do.
          let mustRefuse: { code: string | null; nodeId?: string } | undefined;
          if (how === "drop-edge") {
            p.edges = p.edges.filter((x) => x !== e);
            if (!reachable(p, "in", "out")) mustRefuse = { code: "E_NO_PATH_TO_OUTPUT" };
          }
          if (how === "cycle") {
            // Reversing an edge whose reverse already exists (a critique's fail edge) adds no new cycle.
            if (!p.edges.some((x) => x.from === e.to && x.to === e.from)) mustRefuse = { code: null };
            p.edges.push({ from: e.to, to: e.from });
          }
          if (how === "bad-backend") {
            const g = p.nodes.find((x) => x.kind === "generate");
            if (!g) throw new Error("build() made a pipeline without a generate node");
            (g.config as { backend: string }).backend = "nope";
            mustRefuse = { code: "E_UNKNOWN_BACKEND", nodeId: g.id };
          }
          if (how === "bad-branch") {
            e.branch = "zzz";
            mustRefuse = { code: "E_UNKNOWN_BRANCH" };
          }

          const pool = createPool({ latency: "zero" });
          let started: ReturnType<typeof startRun> | undefined;
          let refusal: unknown;
          try {
            started = startRun(p, { registry: defaultRegistry, pool, signal: AbortSignal.abort() });
          } catch (err) {
            refusal = err;
          }

          if (mustRefuse) expect(refusal, `${how} must be refused`).toBeInstanceOf(PipelineInvalidError);
          if (refusal !== undefined) {
            refused[how]++;
            expect(refusal).toBeInstanceOf(BraidError);
            if (refusal instanceof PipelineInvalidError) {
              expect(refusal.diagnostics.some((d) => d.severity === "error")).toBe(true);
              expect(refusal.diagnostics.map((d) => d.code).filter((c) => !(c in ERROR_CODES))).toEqual([]);
              expect(Object.keys(ERROR_CODES)).toContain(refusal.code);
              if (mustRefuse?.code)
                expect(refusal.diagnostics).toContainEqual(
                  expect.objectContaining({ severity: "error", code: mustRefuse.code, ...(mustRefuse.nodeId ? { nodeId: mustRefuse.nodeId } : {}) }),
                );
            }
          } else if (started) {
            // Not refused: the run, aborted before it began, ends cancelled rather than with a raw error.
            const events: RunEvent[] = [];
            for await (const ev of started.events) events.push(ev);
            expect(events.at(-1)?.type).toBe("run_cancelled");
          }
        },
      ),
      { numRuns: 200 },
    );
    // Every kind of breakage was actually exercised and refused at least once.
    expect(refused["drop-edge"]).toBeGreaterThan(0);
    expect(refused.cycle).toBeGreaterThan(0);
    expect(refused["bad-backend"]).toBeGreaterThan(0);
    expect(refused["bad-branch"]).toBeGreaterThan(0);
  });
});
