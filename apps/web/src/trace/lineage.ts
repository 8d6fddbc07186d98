import { shortId } from "./format.js";

/** The fields of a run summary the history's lineage needs. */
export interface LineageRun {
  id: string;
  createdAt: number;
  parentRunId?: string;
  fromNode?: string;
  options?: { forkAtSeq?: number };
}

export interface LineageRow<R extends LineageRun> {
  run: R;
  depth: number;
  /** The parent is not in the list (filtered out, or older than the list's limit). */
  orphan: boolean;
  children: number;
}

/** Runs as a tree: newest roots first, each followed by its children (re-runs and forks), oldest first. */
export function lineageRows<R extends LineageRun>(runs: readonly R[]): LineageRow<R>[] {
  const byId = new Map(runs.map((r) => [r.id, r]));
  const kids = new Map<string, R[]>();
  for (const r of runs) {
    if (!r.parentRunId || !byId.has(r.parentRunId)) continue;
    const list = kids.get(r.parentRunId) ?? [];
    list.push(r);
    kids.set(r.parentRunId, list);
  }
  const out: LineageRow<R>[] = [];
  const seen = new Set<string>();
  const visit = (r: R, depth: number) => {
    if (seen.has(r.id)) return;
    seen.add(r.id);
    const children = (kids.get(r.id) ?? []).sort((x, y) => x.createdAt - y.createdAt);
    out.push({ run: r, depth, orphan: !!r.parentRunId && !byId.has(r.parentRunId), children: children.length });
    for (const c of children) visit(c, depth + 1);
  };
  const roots = runs.filter((r) => !r.parentRunId || !byId.has(r.parentRunId)).sort((x, y) => y.createdAt - x.createdAt);
  for (const r of roots) visit(r, 0);
  return out;
}

export function lineageText(r: LineageRun): string {
  if (!r.parentRunId) return "";
  const parent = shortId(r.parentRunId);
  if (r.fromNode) return `re-run from ${r.fromNode} of ${parent}`;
  if (r.options?.forkAtSeq !== undefined) return `fork at step ${r.options.forkAtSeq} of ${parent}`;
  return `child of ${parent}`;
}
