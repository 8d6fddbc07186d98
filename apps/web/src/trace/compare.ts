import { type Pipeline, type RunView, type SpanView, runViewAt, takenEdges } from "@braid/core";
import { type Change, diffJson, diffWordsWithSpace } from "diff";
import type { StoredItem } from "./session.js";

export interface RunSide {
  runId: string;
  pipeline: Pipeline;
  items: readonly StoredItem[];
}

export interface NodeSide {
  status: string;
  executions: number;
  durationMs: number;
  tokens: number;
  costUsd: number;
  reused: boolean;
  branch?: string;
  prompt?: string;
  output?: unknown;
}

export interface NodeComparison {
  nodeId: string;
  a?: NodeSide;
  b?: NodeSide;
  outputDiff: Change[];
  promptDiff: Change[];
  outputSame: boolean;
  promptSame: boolean;
}

export interface RunComparison {
  nodes: NodeComparison[];
  /** Each run's path: the edges it took, as "from → to (branch)". */
  pathA: string[];
  pathB: string[];
  pathSame: boolean;
  totals: { a: Totals; b: Totals };
  outputDiff: Change[];
  outputSame: boolean;
}

export interface Totals {
  status: string;
  durationMs: number;
  tokens: number;
  costUsd: number;
}

function side(view: RunView, nodeId: string): NodeSide | undefined {
  const n = view.nodes[nodeId];
  if (!n) return undefined;
  const spans = n.spans.map((id) => view.spans[id]).filter((s): s is SpanView => !!s);
  const last = spans[spans.length - 1];
  const s: NodeSide = {
    status: n.status,
    executions: spans.length,
    durationMs: n.durationMs,
    tokens: n.usage.inputTokens + n.usage.outputTokens,
    costUsd: n.usage.costUsd,
    reused: spans.length > 0 && spans.every((x) => x.reused),
  };
  if (n.branch !== undefined) s.branch = n.branch;
  if (last?.prompt !== undefined) s.prompt = last.prompt;
  if (n.lastOutput !== undefined) s.output = n.lastOutput;
  return s;
}

const path = (p: Pipeline, v: RunView) => takenEdges(p, v).map((t) => `${t.from} → ${t.to}${t.branch !== undefined ? ` (${t.branch})` : ""}`);

const json = (v: unknown) => (v === undefined ? "" : JSON.stringify(v));

/** Two runs node by node: outputs and prompts diffed, tokens, latency, cost, and the path each took. */
export function compareRuns(a: RunSide, b: RunSide): RunComparison {
  const va = runViewAt(a.items.map((i) => i.event));
  const vb = runViewAt(b.items.map((i) => i.event));
  const ids: string[] = [];
  for (const p of [a.pipeline, b.pipeline]) for (const n of p.nodes) if (!ids.includes(n.id)) ids.push(n.id);
  for (const v of [va, vb]) for (const id of Object.keys(v.nodes)) if (!ids.includes(id)) ids.push(id);
  const nodes = ids.map((nodeId): NodeComparison => {
    const sa = side(va, nodeId);
    const sb = side(vb, nodeId);
    const outputSame = json(sa?.output) === json(sb?.output);
    // A reused node sent nothing: only prompts both runs actually sent are compared.
    const promptSame = sa?.prompt === undefined || sb?.prompt === undefined || sa.prompt === sb.prompt;
    const c: NodeComparison = {
      nodeId,
      outputDiff: outputSame ? [] : diffJson((sa?.output ?? null) as object, (sb?.output ?? null) as object),
      promptDiff: promptSame ? [] : diffWordsWithSpace(sa?.prompt ?? "", sb?.prompt ?? ""),
      outputSame,
      promptSame,
    };
    if (sa) c.a = sa;
    if (sb) c.b = sb;
    return c;
  });
  const pathA = path(a.pipeline, va);
  const pathB = path(b.pipeline, vb);
  const totals = (v: RunView): Totals => ({
    status: v.status,
    durationMs: v.durationMs ?? 0,
    tokens: v.usage.inputTokens + v.usage.outputTokens,
    costUsd: v.usage.costUsd,
  });
  const outputSame = json(va.output) === json(vb.output);
  return {
    nodes,
    pathA,
    pathB,
    pathSame: pathA.join("\n") === pathB.join("\n"),
    totals: { a: totals(va), b: totals(vb) },
    outputDiff: outputSame ? [] : diffJson((va.output ?? null) as object, (vb.output ?? null) as object),
    outputSame,
  };
}
