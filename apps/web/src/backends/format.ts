import type { Usage } from "@braid/core";

/** Formatting for the Backends page and monitor, and the cost figures the run view shows. */

export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

export function formatCount(n: number): string {
  if (n >= 10_000_000) return `${(n / 1_000_000).toFixed(1)}M`;
  return n.toLocaleString("en-US");
}

/** Success rate; "—" before the first call (a rate of nothing is not 100 %). */
export function formatRate(rate: number, calls: number): string {
  if (!calls) return "—";
  const pct = rate * 100;
  return `${pct === 100 || pct === 0 ? pct.toFixed(0) : pct.toFixed(1)} %`;
}

/** USD with enough digits to see small per-call costs: $0, $0.00042, $0.0123, $1.23. */
export function formatCost(usd: number): string {
  if (!usd) return "$0";
  const abs = Math.abs(usd);
  if (abs >= 1) return `$${usd.toFixed(2)}`;
  if (abs >= 0.01) return `$${usd.toFixed(4).replace(/0+$/, "")}`;
  return `$${Number(usd.toPrecision(2)).toFixed(Math.min(10, Math.max(5, 1 - Math.floor(Math.log10(abs)))))}`.replace(/(\.\d*?[1-9])0+$/, "$1");
}

export function formatUsage(u: Usage | undefined): string {
  if (!u) return "—";
  const tokens = u.inputTokens + u.outputTokens;
  return `${formatCount(tokens)} tokens (${formatCount(u.inputTokens)} in · ${formatCount(u.outputTokens)} out) · ${formatCost(u.costUsd)}${u.estimated ? " (estimated)" : ""}`;
}

export function timeAgo(at: number | undefined, now: number): string {
  if (at === undefined) return "";
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 5) return "just now";
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(at).toLocaleDateString();
}

export const clockTime = (at: number): string => new Date(at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });

// ---------------------------------------------------------------------------------------------
// Per-run and per-node cost (for the run panel and trace; pure, from the RunView)
// ---------------------------------------------------------------------------------------------

/** What the cost helpers read: the run summary's shape (run/runView.ts RunView fits it). */
export interface CostSource {
  usage?: Usage | undefined;
  /** Node ids in the order they first started. */
  order: readonly string[];
  nodes: Readonly<Record<string, { usage?: Usage | undefined; backend?: string | undefined } | undefined>>;
}

export interface NodeCost {
  nodeId: string;
  backend?: string;
  usage: Usage;
  /** This node's part of the run's cost, 0..1 (0 when the run cost nothing). */
  share: number;
}

const addTo = (a: Usage, b: Usage): Usage => {
  const r: Usage = {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    costUsd: Math.round((a.costUsd + b.costUsd) * 1e8) / 1e8,
  };
  if (a.estimated || b.estimated) r.estimated = true;
  return r;
};

/** The run's usage: the final figure once finished, else the sum of the nodes finished so far. */
export function runUsage(run: CostSource): Usage | undefined {
  if (run.usage) return run.usage;
  let total: Usage | undefined;
  for (const id of run.order) {
    const u = run.nodes[id]?.usage;
    if (u) total = total ? addTo(total, u) : { ...u };
  }
  return total;
}

/** What each node cost, most expensive first (nodes without usage are left out). */
export function nodeCosts(run: CostSource): NodeCost[] {
  const total = runUsage(run)?.costUsd ?? 0;
  const rows: NodeCost[] = [];
  for (const id of run.order) {
    const n = run.nodes[id];
    if (!n?.usage) continue;
    const row: NodeCost = { nodeId: id, usage: n.usage, share: total > 0 ? n.usage.costUsd / total : 0 };
    if (n.backend) row.backend = n.backend;
    rows.push(row);
  }
  return rows.sort((a, b) => b.usage.costUsd - a.usage.costUsd || a.nodeId.localeCompare(b.nodeId));
}

/** The run's usage per backend, for "where did the money go". */
export function costByBackend(run: CostSource): Array<{ backend: string; usage: Usage; nodes: number }> {
  const by = new Map<string, { backend: string; usage: Usage; nodes: number }>();
  for (const c of nodeCosts(run)) {
    const key = c.backend ?? "(none)";
    const cur = by.get(key);
    by.set(key, cur ? { ...cur, usage: addTo(cur.usage, c.usage), nodes: cur.nodes + 1 } : { backend: key, usage: { ...c.usage }, nodes: 1 });
  }
  return [...by.values()].sort((a, b) => b.usage.costUsd - a.usage.costUsd);
}
