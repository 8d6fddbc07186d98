import type { Pipeline, RunEvent } from "@braid/core";
import type { StoredItem } from "./session.js";

const usage = (t: number) => ({ inputTokens: t, outputTokens: t, costUsd: t / 1000 });

/** in → a, b (parallel) → m → out */
export const pipeline: Pipeline = {
  format: "braid/pipeline@1",
  name: "p",
  nodes: [
    { id: "in", kind: "input" },
    { id: "a", kind: "generate", config: { backend: "generator", prompt: "A {{input.x}}" } },
    { id: "b", kind: "generate", config: { backend: "enricher", prompt: "B {{input.x}}" } },
    { id: "m", kind: "merge", config: { strategy: "object" } },
    { id: "out", kind: "output", config: { value: "{{m}}" } },
  ],
  edges: [
    { from: "in", to: "a" },
    { from: "in", to: "b" },
    { from: "a", to: "m" },
    { from: "b", to: "m" },
    { from: "m", to: "out" },
  ],
} as Pipeline;

export function parallelRun(runId = "r1", opts: { aOutput?: unknown; prompt?: string; reuseA?: boolean } = {}): StoredItem[] {
  const e = (at: number, ev: Record<string, unknown>) => ({ runId, at, ...ev }) as RunEvent;
  const events: RunEvent[] = [
    e(1000, { type: "run_started", pipeline: "p", input: { x: 1 }, seed: 1 }),
    e(1001, { type: "node_started", nodeId: "in", span: "in#1", kind: "input", attempt: 1 }),
    e(1002, { type: "node_finished", nodeId: "in", span: "in#1", output: { x: 1 }, durationMs: 1, usage: usage(0) }),
    e(1003, { type: "node_started", nodeId: "a", span: "a#1", kind: "generate", attempt: 1, backend: "generator", prompt: opts.prompt ?? "A 1" }),
    e(1003, { type: "node_started", nodeId: "b", span: "b#1", kind: "generate", attempt: 1, backend: "enricher", prompt: "B 1" }),
    e(1050, { type: "token", nodeId: "b", span: "b#1", text: '{"y":' }),
    e(1060, { type: "token", nodeId: "a", span: "a#1", text: '{"a":' }),
    e(1090, { type: "token", nodeId: "b", span: "b#1", text: "2}" }),
    e(1100, { type: "node_finished", nodeId: "b", span: "b#1", output: { y: 2 }, durationMs: 97, usage: usage(10) }),
    e(1200, {
      type: "node_finished",
      nodeId: "a",
      span: "a#1",
      output: opts.aOutput ?? { a: 1 },
      durationMs: 197,
      usage: usage(opts.reuseA ? 0 : 20),
      ...(opts.reuseA ? { reused: true } : {}),
    }),
    e(1201, { type: "node_started", nodeId: "m", span: "m#1", kind: "merge", attempt: 1 }),
    e(1202, { type: "node_finished", nodeId: "m", span: "m#1", output: { ...((opts.aOutput as object) ?? { a: 1 }), y: 2 }, durationMs: 1, usage: usage(0) }),
    e(1203, { type: "node_started", nodeId: "out", span: "out#1", kind: "output", attempt: 1 }),
    e(1204, { type: "node_finished", nodeId: "out", span: "out#1", output: { done: true }, durationMs: 1, usage: usage(0) }),
    e(1205, { type: "run_finished", output: { done: true }, durationMs: 205, usage: usage(30) }),
  ];
  return events.map((event, i) => ({ seq: i + 1, event }));
}
