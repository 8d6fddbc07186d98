/** Test harness: pipelines over real providers, and checks that a run's event log is whole. */
import { expect } from "vitest";
import { defaultRegistry } from "@braid/nodes";
import { type BackendConfigInput, BackendConfigSchema, type RunEvent, type Usage, type Pipeline } from "@braid/core";
import { type RunOptions, runToEnd } from "../../run/run.js";
import type { ProviderDeps } from "../chat.js";
import { createNodePool } from "../index.js";

export { defaultRegistry };

export const backend = (c: BackendConfigInput) => BackendConfigSchema.parse(c);

export const pool = (configs: BackendConfigInput[], deps: ProviderDeps = {}) => createNodePool({ latency: "zero", extra: configs.map(backend), deps });

/** in → one or more generate nodes (in parallel when several) → out. */
export function pipeline(nodes: Array<{ id: string; config: Record<string, unknown> }>): Pipeline {
  const merge = nodes.length > 1;
  return {
    format: "braid/pipeline@1",
    name: "provider test",
    input: { example: { topic: "otters" } },
    nodes: [
      { id: "in", kind: "input" },
      ...nodes.map((n) => ({ id: n.id, kind: "generate", config: n.config })),
      ...(merge ? [{ id: "join", kind: "merge", config: { strategy: "object" } }] : []),
      { id: "out", kind: "output" },
    ],
    edges: [
      ...nodes.map((n) => ({ from: "in", to: n.id })),
      ...(merge ? [...nodes.map((n) => ({ from: n.id, to: "join" })), { from: "join", to: "out" }] : nodes.map((n) => ({ from: n.id, to: "out" }))),
    ],
  } as Pipeline;
}

export async function run(p: Pipeline, opts: Partial<RunOptions> & Pick<RunOptions, "pool">) {
  const r = await runToEnd(p, { registry: defaultRegistry, seed: 1, ...opts });
  checkComplete(r.events);
  // The input, merge and output nodes start and finish too; the cases are about the LLM nodes.
  const plumbing = new Set(["in", "join", "out"]);
  const llmEvents = r.events.filter((e) => !("nodeId" in e) || !plumbing.has(e.nodeId));
  return {
    ...r,
    types: llmEvents.map((e) => e.type),
    of: <T extends RunEvent["type"]>(t: T) => llmEvents.filter((e): e is Extract<RunEvent, { type: T }> => e.type === t),
  };
}

/**
 * Nothing lost: one run_started first, one terminal event last, every started span ends exactly
 * once, times never go backwards, the tokens streamed after a span's last retry spell its raw
 * output, and the run's usage is the sum of what its nodes report (for nodes that finished).
 */
export function checkComplete(events: RunEvent[]): void {
  expect(events[0]?.type).toBe("run_started");
  const last = events[events.length - 1] as RunEvent;
  expect(["run_finished", "run_failed", "run_cancelled"]).toContain(last.type);
  expect(events.filter((e) => e.type === "run_finished" || e.type === "run_failed" || e.type === "run_cancelled")).toHaveLength(1);
  for (let i = 1; i < events.length; i++) expect((events[i] as RunEvent).at).toBeGreaterThanOrEqual((events[i - 1] as RunEvent).at);
  const started = new Set<string>();
  const ended = new Set<string>();
  for (const e of events) {
    if (e.type === "node_started") {
      expect(started.has(e.span)).toBe(false);
      started.add(e.span);
    }
    if (e.type === "node_finished" || e.type === "node_failed") {
      expect(started.has(e.span)).toBe(true);
      expect(ended.has(e.span)).toBe(false);
      ended.add(e.span);
    }
  }
  if (last.type !== "run_cancelled") expect([...started].filter((s) => !ended.has(s))).toEqual([]);
  for (const f of events) {
    if (f.type !== "node_finished" || f.raw === undefined) continue;
    const span = events.filter((e) => "span" in e && e.span === f.span);
    const lastRetry = span.map((e) => e.type === "retry" || e.type === "fallback").lastIndexOf(true);
    const tokens = span.slice(lastRetry + 1).flatMap((e) => (e.type === "token" ? [e.text] : []));
    if (tokens.length) expect(tokens.join("")).toContain(f.raw);
  }
  if (last.type === "run_finished") {
    const sum = events.reduce<Usage>(
      (u, e) =>
        e.type === "node_finished"
          ? { inputTokens: u.inputTokens + e.usage.inputTokens, outputTokens: u.outputTokens + e.usage.outputTokens, costUsd: u.costUsd + e.usage.costUsd }
          : u,
      { inputTokens: 0, outputTokens: 0, costUsd: 0 },
    );
    expect(last.usage.inputTokens).toBe(sum.inputTokens);
    expect(last.usage.outputTokens).toBe(sum.outputTokens);
    expect(last.usage.costUsd).toBeCloseTo(sum.costUsd, 8);
  }
}
