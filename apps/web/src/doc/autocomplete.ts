import { type Pipeline, type Registry, isPlainObject } from "@braid/core";

/** `{{` completion for prompt editors: paths from the example input and from upstream nodes. */
export interface Suggestion {
  path: string;
  detail: string;
}

/** Nodes from which `id` can be reached (its upstream), in document order, without itself. */
export function upstreamOf(doc: Pipeline, id: string): string[] {
  const incoming = new Map<string, string[]>();
  for (const e of doc.edges) incoming.set(e.to, [...(incoming.get(e.to) ?? []), e.from]);
  const seen = new Set<string>();
  const stack = [id];
  while (stack.length) {
    const cur = stack.pop() as string;
    for (const from of incoming.get(cur) ?? []) {
      if (seen.has(from)) continue;
      seen.add(from);
      stack.push(from);
    }
  }
  seen.delete(id);
  return doc.nodes.map((n) => n.id).filter((n) => seen.has(n));
}

function examplePaths(value: unknown, prefix: string, depth: number, out: Suggestion[]) {
  if (!isPlainObject(value) || depth > 2) return;
  for (const [k, v] of Object.entries(value)) {
    if (!/^[A-Za-z0-9_$-]+$/.test(k)) continue;
    const path = `${prefix}.${k}`;
    out.push({ path, detail: `example: ${preview(v)}` });
    examplePaths(v, path, depth + 1, out);
  }
}

function preview(v: unknown): string {
  const s = typeof v === "string" ? JSON.stringify(v) : (JSON.stringify(v) ?? "");
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
}

export function templateSuggestions(doc: Pipeline, registry: Registry, nodeId: string): Suggestion[] {
  const out: Suggestion[] = [{ path: "input", detail: "the run input" }];
  examplePaths(doc.input?.example, "input", 0, out);
  for (const id of upstreamOf(doc, nodeId)) {
    const node = doc.nodes.find((n) => n.id === id);
    const kind = node ? registry.get(node.kind) : undefined;
    if (!node || kind?.terminal === "start") continue;
    out.push({ path: id, detail: `${kind?.title ?? node.kind} output${node.label ? ` · ${node.label}` : ""}` });
    const parsed = kind?.configSchema.safeParse(node.config ?? {});
    const keys = parsed?.success ? kind?.outputKeys?.(parsed.data) : undefined;
    for (const k of keys ?? []) out.push({ path: `${id}.${k}`, detail: `field of ${id}` });
  }
  return out;
}

export interface CompletionContext {
  /** Index just after the `{{`. */
  start: number;
  query: string;
}

/** The open `{{` the caret is in, if any. */
export function completionContext(text: string, caret: number): CompletionContext | undefined {
  const before = text.slice(0, caret);
  const open = before.lastIndexOf("{{");
  if (open < 0 || before.indexOf("}}", open) >= 0) return undefined;
  const query = before.slice(open + 2).trimStart();
  if (!/^[A-Za-z0-9_.[\]$-]*$/.test(query)) return undefined;
  return { start: open + 2, query };
}

export function filterSuggestions(list: readonly Suggestion[], query: string, limit = 12): Suggestion[] {
  const q = query.toLowerCase();
  const starts = list.filter((s) => s.path.toLowerCase().startsWith(q));
  const contains = q ? list.filter((s) => !s.path.toLowerCase().startsWith(q) && s.path.toLowerCase().includes(q)) : [];
  return [...starts, ...contains].slice(0, limit);
}

/** Puts `path` into the open hole and closes it; returns the new text and caret. */
export function applyCompletion(text: string, ctx: CompletionContext, caret: number, path: string): { text: string; caret: number } {
  const after = text.slice(caret);
  const closes = /^\s*\}\}/.exec(after);
  const head = `${text.slice(0, ctx.start)}${path}}}`;
  const rest = closes ? after.slice(closes[0].length) : after;
  return { text: head + rest, caret: head.length };
}
