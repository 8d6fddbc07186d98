import { BraidError } from "../errors.js";
import { getOwn } from "../json.js";
import { checkExpression, evaluateExpression, expressionLimits, expressionRoots, tooLarge } from "./expression.js";

/**
 * A template is text with `{{hole}}`s. A hole is either a path (`input.sku`, `gen.tags[0]`),
 * resolved by own-property lookup so it can be checked statically, or any other JSONata
 * expression (`$count(gen.tags)`), evaluated in the sandbox.
 */
export type Hole = { kind: "path"; source: string; head: string; segments: Array<string | number> } | { kind: "expr"; source: string };
export type Part = string | Hole;

const PATH = /^([A-Za-z][A-Za-z0-9_-]*)((?:\.[A-Za-z0-9_$-]+|\[\d+\])*)$/;
const SEGMENT = /\.([A-Za-z0-9_$-]+)|\[(\d+)\]/g;

export interface ParsedTemplate {
  parts: Part[];
  holes: Hole[];
  error?: string;
}

const cache = new Map<string, ParsedTemplate>();

export function parseTemplate(text: string): ParsedTemplate {
  const hit = cache.get(text);
  if (hit) return hit;
  const parts: Part[] = [];
  const holes: Hole[] = [];
  let error: string | undefined;
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf("{{", i);
    if (open < 0) {
      parts.push(text.slice(i));
      break;
    }
    if (open > i) parts.push(text.slice(i, open));
    const close = text.indexOf("}}", open + 2);
    if (close < 0) {
      error = `unclosed "{{" at position ${open}`;
      parts.push(text.slice(open));
      break;
    }
    const source = text.slice(open + 2, close).trim();
    const hole = parseHole(source);
    if (hole.kind === "expr") {
      const problem = source === "" ? "empty {{ }}" : checkExpression(source);
      if (problem && !error) error = `invalid expression {{${source}}}: ${problem}`;
    }
    parts.push(hole);
    holes.push(hole);
    i = close + 2;
  }
  const parsed: ParsedTemplate = error === undefined ? { parts, holes } : { parts, holes, error };
  if (cache.size > 5000) cache.clear();
  cache.set(text, parsed);
  return parsed;
}

function parseHole(source: string): Hole {
  const m = PATH.exec(source);
  if (!m) return { kind: "expr", source };
  const segments: Array<string | number> = [];
  for (const s of (m[2] ?? "").matchAll(SEGMENT)) segments.push(s[1] !== undefined ? s[1] : Number(s[2]));
  return { kind: "path", source, head: m[1] as string, segments };
}

/** The state roots a template refers to: path heads, plus best-effort roots of expressions. */
export function templateRoots(text: string): Array<{ root: string; source: string }> {
  const out: Array<{ root: string; source: string }> = [];
  for (const h of parseTemplate(text).holes) {
    if (h.kind === "path") out.push({ root: h.head, source: h.source });
    else for (const r of expressionRoots(h.source)) out.push({ root: r, source: h.source });
  }
  return out;
}

export function resolvePath(state: unknown, hole: Extract<Hole, { kind: "path" }>): unknown {
  let v = getOwn(state, hole.head);
  for (const seg of hole.segments) {
    if (v === undefined) return undefined;
    v = getOwn(v, seg);
  }
  return v;
}

export function stringifyValue(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === undefined) return "";
  return JSON.stringify(v) ?? "";
}

async function holeValue(hole: Hole, state: unknown, nodeId: string | undefined): Promise<unknown> {
  if (hole.kind === "path") {
    const v = resolvePath(state, hole);
    if (v === undefined) {
      throw new BraidError("E_TEMPLATE_RUNTIME", `{{${hole.source}}} resolved to nothing: "${hole.head}" has no such value in the state`, {
        ...(nodeId ? { nodeId } : {}),
        details: { path: hole.source },
      });
    }
    return v;
  }
  try {
    return await evaluateExpression(hole.source, state);
  } catch (err) {
    if (err instanceof BraidError) throw withNode(err, nodeId);
    throw new BraidError("E_TEMPLATE_RUNTIME", `{{${hole.source}}} failed: ${(err as Error).message}`, nodeId ? { nodeId } : {});
  }
}

/** Renders to text; whole objects render as compact JSON. */
export async function renderTemplate(text: string, state: unknown, nodeId?: string): Promise<string> {
  const t = parseTemplate(text);
  if (t.error) throw new BraidError("E_TEMPLATE_SYNTAX", t.error, nodeId ? { nodeId } : {});
  if (t.holes.length === 0) return text;
  let out = "";
  for (const p of t.parts) {
    out += typeof p === "string" ? p : stringifyValue(await holeValue(p, state, nodeId));
    // Checked per part: a template repeating a large hole must fail before it grows further.
    if (out.length > expressionLimits.maxStringLength) throw withNode(tooLarge("the rendered template", out.length), nodeId);
  }
  return out;
}

function withNode(err: BraidError, nodeId: string | undefined): BraidError {
  if (nodeId === undefined || err.nodeId !== undefined) return err;
  return new BraidError(err.code, `${nodeId}: ${err.message}`, { nodeId, ...(err.details ? { details: err.details } : {}), cause: err });
}

/** Like renderTemplate, but a template that is exactly one hole yields the raw value (object, number …). */
export async function resolveTemplateValue(text: string, state: unknown, nodeId?: string): Promise<unknown> {
  const t = parseTemplate(text);
  if (t.error) throw new BraidError("E_TEMPLATE_SYNTAX", t.error, nodeId ? { nodeId } : {});
  if (t.parts.length === 1 && typeof t.parts[0] !== "string") return holeValue(t.parts[0] as Hole, state, nodeId);
  return renderTemplate(text, state, nodeId);
}
