/**
 * Pruning candidates: a critique (with its corrector loop, and the best-effort path its
 * `exhausted` branch leads to) or a generate stage on a single path, removed from a copy of the
 * pipeline with its neighbours wired together. A removal that leaves the pipeline invalid (a later
 * template reads the removed node, say) is no candidate: lint says why. Whether a removal hurts
 * is for the ablation experiment to say (trials.ts), never guessed here.
 */
import { type BackendConfig, type Pipeline, type PipelineEdge, PipelineGraph, type Registry, isPlainObject, lint } from "@braid/engine";

export interface PruneCandidate {
  /** The node the suggestion is named after. */
  node: string;
  kind: "critique" | "stage";
  /** Every node removed with it (the critique's correctors and exhausted path). */
  removes: string[];
  /** USD per 1,000 input + 1,000 output tokens of the removed nodes' backends, summed: the order candidates are tried in. */
  price: number;
}

export interface Ablation extends PruneCandidate {
  pipeline: Pipeline;
}

const backendOf = (config: unknown): string | undefined => (isPlainObject(config) && typeof config.backend === "string" ? config.backend : undefined);

/** The pipeline without `removes`, edges into `node` re-pointed at `to`, and critique-pass evaluators of removed critiques dropped. */
function rewire(p: Pipeline, node: string, removes: ReadonlySet<string>, to: readonly string[]): Pipeline {
  const kept: PipelineEdge[] = [];
  const seen = new Set<string>();
  const add = (e: PipelineEdge) => {
    const key = `${e.from}\u0000${e.to}\u0000${e.branch ?? ""}`;
    if (!seen.has(key)) kept.push(e);
    seen.add(key);
  };
  for (const e of p.edges) {
    if (removes.has(e.from)) continue;
    if (e.to === node) for (const t of to) add({ ...e, to: t });
    else if (!removes.has(e.to)) add(e);
  }
  const out: Pipeline = { ...p, nodes: p.nodes.filter((n) => !removes.has(n.id)), edges: kept };
  if (p.evaluation) {
    const evaluators = (p.evaluation.evaluators ?? []).filter((ev) => !(ev.type === "critique-pass" && (typeof ev.node !== "string" || removes.has(ev.node))));
    out.evaluation = { ...p.evaluation, evaluators };
  }
  return out;
}

/** A critique and what exists only for it: the targets of its `fail` branch that loop straight back, and nodes reached only through `exhausted`. */
function critiqueRemoval(p: Pipeline, g: PipelineGraph, id: string): { removes: Set<string>; to: string[] } | string {
  const out = g.outgoing(id);
  const pass = out.filter((e) => e.branch === "pass").map((e) => e.to);
  if (pass.length === 0) return "its pass branch leads nowhere";
  const removes = new Set([id]);
  for (const e of out.filter((x) => x.branch === "fail")) {
    const fix = e.to;
    const loopsBack = g.outgoing(fix).every((x) => x.to === id) && g.incoming(fix).every((x) => x.from === id);
    if (!loopsBack) return `the node "${fix}" on its fail branch does more than correct and return`;
    removes.add(fix);
  }
  // What only the exhausted branch reaches (a best-effort fix) goes too; what the rest of the graph reaches stays.
  const input = p.nodes.find((n) => n.kind === "input")?.id;
  const reached = input ? g.reachable(input, (e) => !removes.has(e.from) || (e.from === id && e.branch === "pass")) : new Set<string>();
  for (const e of out.filter((x) => x.branch === "exhausted")) for (const n of g.downstream(e.to)) if (!reached.has(n) && !pass.includes(n)) removes.add(n);
  return { removes, to: pass };
}

function stageRemoval(g: PipelineGraph, id: string): { removes: Set<string>; to: string[] } | string {
  const inn = g.incoming(id);
  const out = g.outgoing(id);
  const next = out[0];
  // A node behind a branch (a route's, a critique's fail or exhausted) belongs to that decision, not to a path of its own.
  if (inn.length !== 1 || inn[0]?.branch !== undefined || out.length !== 1 || !next || next.branch !== undefined)
    return "it is not on a single path (one plain edge in, one plain edge out)";
  return { removes: new Set([id]), to: [next.to] };
}

/**
 * Every node whose removal leaves a valid pipeline, dearest first, and why the others cannot go
 * (`skipped`, by node id).
 */
export function ablations(p: Pipeline, registry: Registry, backends: readonly BackendConfig[]): { candidates: Ablation[]; skipped: Record<string, string> } {
  const g = new PipelineGraph(p);
  const prices = new Map(backends.map((b) => [b.name, b.pricing.input + b.pricing.output]));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const candidates: Ablation[] = [];
  const skipped: Record<string, string> = {};
  for (const n of p.nodes) {
    if (n.kind !== "critique" && n.kind !== "generate") continue;
    const way = n.kind === "critique" ? critiqueRemoval(p, g, n.id) : stageRemoval(g, n.id);
    if (typeof way === "string") {
      skipped[n.id] = way;
      continue;
    }
    const pipeline = rewire(p, n.id, way.removes, way.to);
    const errors = lint(pipeline, { registry }).filter((d) => d.severity === "error");
    if (errors.length > 0) {
      skipped[n.id] = `removing it leaves the pipeline invalid: ${errors[0]?.message}`;
      continue;
    }
    const removes = [...way.removes];
    const price = removes.reduce((t, r) => t + (prices.get(backendOf(byId.get(r)?.config) ?? "") ?? 0), 0);
    candidates.push({ node: n.id, kind: n.kind === "critique" ? "critique" : "stage", removes, price, pipeline });
  }
  candidates.sort((a, b) => b.price - a.price || a.node.localeCompare(b.node));
  return { candidates, skipped };
}
