/**
 * A tolerant reader for hand-written Mermaid flowcharts: enough of the syntax to recover nodes,
 * their shapes and labels, and edges with their labels. It never runs Mermaid and never throws;
 * what it cannot read becomes a warning naming the line.
 */
import { decodeEntities } from "./escape.js";

export type ShapeName =
  | "none" // referenced but never declared with brackets: Mermaid draws a rectangle
  | "rect"
  | "round"
  | "stadium"
  | "subroutine"
  | "cylinder"
  | "circle"
  | "asymmetric"
  | "rhombus"
  | "hexagon"
  | "parallelogram"
  | "trapezoid"
  | "other";

export interface ParsedNode {
  id: string;
  shape: ShapeName;
  /** Raw Mermaid shape name when `shape` is "other" (from `@{ shape: ... }`). */
  shapeName?: string;
  /** Label lines as written, entities decoded; undefined when the node has no label of its own. */
  label?: string[];
  classes: string[];
}

export interface ParsedEdge {
  from: string;
  to: string;
  label?: string;
}

export interface ParsedFlowchart {
  direction?: string;
  title?: string;
  /** In order of first appearance. */
  nodes: Map<string, ParsedNode>;
  edges: ParsedEdge[];
  /** The source has the `%% braid:format` comment that Braid's exporter writes. */
  braidFormat: boolean;
  warnings: string[];
}

const HEADER = /^(?:flowchart(?:-elk|-v2)?|graph)\b\s*(\S+)?\s*$/i;
const IGNORED = /^(?:classDef|style|linkStyle|click|direction|accTitle|accDescr|subgraph|end)\b/;
const OPENERS: ReadonlyArray<readonly [string, readonly string[], ShapeName | "slash" | "backslash"]> = [
  ["(((", [")))"], "circle"],
  ["([", ["])"], "stadium"],
  ["((", ["))"], "circle"],
  ["[[", ["]]"], "subroutine"],
  ["[(", [")]"], "cylinder"],
  ["[/", ["\\]", "/]"], "slash"],
  ["[\\", ["/]", "\\]"], "backslash"],
  ["{{", ["}}"], "hexagon"],
  ["(", [")"], "round"],
  ["[", ["]"], "rect"],
  ["{", ["}"], "rhombus"],
  [">", ["]"], "asymmetric"],
];
/** Mermaid's `@{ shape: ... }` names, mapped onto the classic shapes they draw. */
const SHAPE_NAMES: Record<string, ShapeName> = {
  rect: "rect",
  rectangle: "rect",
  proc: "rect",
  process: "rect",
  rounded: "round",
  event: "round",
  stadium: "stadium",
  pill: "stadium",
  terminal: "stadium",
  diam: "rhombus",
  diamond: "rhombus",
  decision: "rhombus",
  question: "rhombus",
  hex: "hexagon",
  hexagon: "hexagon",
  prepare: "hexagon",
  "trap-b": "trapezoid",
  trapezoid: "trapezoid",
  priority: "trapezoid",
  circle: "circle",
  circ: "circle",
  "dbl-circ": "circle",
  "double-circle": "circle",
  subproc: "subroutine",
  subroutine: "subroutine",
};
const ID = /(?:[\p{L}\p{N}_$'?!*+/\\.]|-(?=[^>\-.\s]))+/uy;
const TEXT_LINK = /(<)?(--|==|-\.)(?![-=.xo>])/y;
const LINK = /(<)?(-{2,}|={2,}|-\.+-|~{3,})([>xo])?/y;
const TEXT_LINK_END: Record<string, RegExp> = { "--": /-{2,}[-xo>]/g, "==": /={2,}[=xo>]/g, "-.": /-?\.+-[xo>]?/g };

class Cursor {
  i = 0;
  constructor(readonly s: string) {}
  ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i] ?? "")) this.i++;
  }
  eof(): boolean {
    return this.i >= this.s.length;
  }
  take(re: RegExp): RegExpExecArray | null {
    re.lastIndex = this.i;
    const m = re.exec(this.s);
    if (m) this.i = re.lastIndex;
    return m;
  }
  takeText(t: string): boolean {
    if (!this.s.startsWith(t, this.i)) return false;
    this.i += t.length;
    return true;
  }
  /** A quoted (or markdown-quoted) string at the cursor, without its quotes. */
  quoted(): string | undefined {
    const md = this.s.startsWith('"`', this.i);
    if (!md && this.s[this.i] !== '"') return undefined;
    const close = this.s.indexOf(md ? '`"' : '"', this.i + (md ? 2 : 1));
    if (close < 0) return undefined;
    const text = this.s.slice(this.i + (md ? 2 : 1), close);
    this.i = close + (md ? 2 : 1);
    return text;
  }
}

/** Label text as lines: entities decoded, `<br>` split, surrounding space trimmed. */
function labelLines(raw: string): string[] {
  return raw.split(/<br\s*\/?>/i).map((l) => decodeEntities(l).replace(/\s+/g, " ").trim());
}

export function parseFlowchart(source: string): { ok: true; chart: ParsedFlowchart } | { ok: false; errors: string[] } {
  const chart: ParsedFlowchart = { nodes: new Map(), edges: [], braidFormat: false, warnings: [] };
  const classAssignments: Array<[string, string]> = [];
  let text = source.replace(/\r\n?/g, "\n");
  const front = /^\s*---\n([\s\S]*?)\n---[ \t]*(?:\n|$)/.exec(text);
  if (front) {
    const title = /^title:[ \t]*(.+)$/m.exec(front[1] ?? "");
    if (title?.[1]) chart.title = title[1].trim().replace(/^(["'])(.*)\1$/, "$2");
    text = text.slice(front[0].length);
  }
  text = text.replace(/%%\{[\s\S]*?\}%%/g, "");

  let header = false;
  let inAccDescr = false;
  const lines = text.split("\n");
  for (const [index, rawLine] of lines.entries()) {
    const where = `line ${index + 1}`;
    const line = rawLine.trim();
    if (inAccDescr) {
      if (line.includes("}")) inAccDescr = false;
      continue;
    }
    if (line === "") continue;
    if (line.startsWith("%%")) {
      if (/^%%\s*braid:format\b/.test(line)) chart.braidFormat = true;
      continue;
    }
    for (const stmt of splitStatements(line)) {
      if (!header) {
        const m = HEADER.exec(stmt);
        if (!m) return { ok: false, errors: [`${where}: expected a "flowchart" or "graph" header, found "${stmt.slice(0, 40)}"`] };
        header = true;
        chart.direction = (m[1] ?? "TD").toUpperCase();
        if (!/^(TB|TD|BT|RL|LR)$/.test(chart.direction)) chart.warnings.push(`${where}: unknown direction "${m[1]}"`);
        continue;
      }
      if (/^accDescr\s*\{/.test(stmt) && !stmt.includes("}")) {
        inAccDescr = true;
        continue;
      }
      const cls = /^class\s+(\S+)\s+(\S+)\s*$/.exec(stmt);
      if (cls) {
        for (const id of (cls[1] ?? "").split(",")) classAssignments.push([id, cls[2] ?? ""]);
        continue;
      }
      if (IGNORED.test(stmt)) continue;
      const error = parseChain(stmt, chart);
      if (error) chart.warnings.push(`${where}: could not read "${stmt.slice(0, 60)}" (${error}); ignored`);
    }
  }
  if (!header) return { ok: false, errors: ['expected a Mermaid "flowchart" or "graph" diagram'] };
  for (const [id, cls] of classAssignments) chart.nodes.get(id)?.classes.push(cls);
  if (chart.nodes.size === 0) return { ok: false, errors: ["the flowchart has no nodes"] };
  return { ok: true, chart };
}

/** Splits a line at `;` outside quotes, brackets and `|...|` edge labels. */
function splitStatements(line: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = false;
  let pipe = false;
  let start = 0;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') quote = !quote;
    else if (quote) continue;
    else if (ch === "[" || ch === "(" || ch === "{") depth++;
    else if (ch === "]" || ch === ")" || ch === "}") depth = Math.max(0, depth - 1);
    else if (ch === "|" && depth === 0) pipe = !pipe;
    else if (ch === ";" && depth === 0 && !pipe) {
      out.push(line.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(line.slice(start).trim());
  return out.filter((s) => s !== "");
}

/** `a & b --> c -->|x| d`: returns an error message, or undefined when the statement was read. */
function parseChain(stmt: string, chart: ParsedFlowchart): string | undefined {
  const c = new Cursor(stmt);
  let left = parseGroup(c, chart);
  if (!left) return "expected a node id";
  for (;;) {
    c.ws();
    if (c.eof()) return undefined;
    const link = parseLink(c);
    if (link === undefined) return `unexpected "${stmt.slice(c.i, c.i + 20)}"`;
    const right = parseGroup(c, chart);
    if (!right) return "expected a node after the link";
    for (const from of left) for (const to of right) chart.edges.push(link.label === undefined ? { from, to } : { from, to, label: link.label });
    left = right;
  }
}

function parseGroup(c: Cursor, chart: ParsedFlowchart): string[] | undefined {
  const ids: string[] = [];
  for (;;) {
    c.ws();
    const id = parseNode(c, chart);
    if (id === undefined) return undefined;
    ids.push(id);
    const save = c.i;
    c.ws();
    if (!c.takeText("&")) {
      c.i = save;
      return ids;
    }
  }
}

function parseNode(c: Cursor, chart: ParsedFlowchart): string | undefined {
  const m = c.take(ID);
  if (!m) return undefined;
  const id = m[0];
  let node = chart.nodes.get(id);
  if (!node) {
    node = { id, shape: "none", classes: [] };
    chart.nodes.set(id, node);
  }
  if (c.takeText("@{")) {
    const close = c.s.indexOf("}", c.i);
    const body = c.s.slice(c.i, close < 0 ? undefined : close);
    c.i = close < 0 ? c.s.length : close + 1;
    const shape = /(?:^|[\s,])shape\s*:\s*([\w-]+)/.exec(body)?.[1]?.toLowerCase();
    const label = /(?:^|[\s,])label\s*:\s*(?:"([^"]*)"|([^,}]*))/.exec(body);
    if (shape) {
      node.shape = SHAPE_NAMES[shape] ?? "other";
      if (node.shape === "other") node.shapeName = shape;
    }
    const raw = label?.[1] ?? label?.[2]?.trim();
    if (raw !== undefined) node.label = labelLines(raw);
  } else {
    for (const [open, closers, kind] of OPENERS) {
      const start = c.i;
      if (!c.takeText(open)) continue;
      const body = readShapeBody(c, closers);
      if (!body) {
        c.i = start;
        break;
      }
      node.label = labelLines(body.text);
      // `[/x\]` and `[\x/]` are trapezoids; `[/x/]` and `[\x\]` parallelograms.
      if (kind === "slash" || kind === "backslash") node.shape = body.closer === (kind === "slash" ? "\\]" : "/]") ? "trapezoid" : "parallelogram";
      else node.shape = kind;
      break;
    }
  }
  while (c.takeText(":::")) {
    const cls = c.take(/[\w-]+/y)?.[0];
    if (cls) node.classes.push(cls);
  }
  return id;
}

function readShapeBody(c: Cursor, closers: readonly string[]): { text: string; closer: string } | undefined {
  c.ws();
  const quoted = c.quoted();
  if (quoted !== undefined) {
    c.ws();
    const closer = closers.find((t) => c.takeText(t));
    return closer === undefined ? undefined : { text: quoted, closer };
  }
  let best: { at: number; closer: string } | undefined;
  for (const closer of closers) {
    const at = c.s.indexOf(closer, c.i);
    if (at >= 0 && (best === undefined || at < best.at)) best = { at, closer };
  }
  if (!best) return undefined;
  const text = c.s.slice(c.i, best.at);
  c.i = best.at + best.closer.length;
  return { text, closer: best.closer };
}

/** A link with its label (`-->|x|`, `-- x -->`, `-. x .->`, `== x ==>`); undefined when there is none. */
function parseLink(c: Cursor): { label?: string } | undefined {
  c.take(/[^\s"[\](){}|&@]+@(?=[<\-=.~])/y); // an edge id (`e1@-->`) names the edge; Braid has no use for it
  let label: string | undefined;
  const textStart = c.take(TEXT_LINK);
  if (textStart) {
    const end = TEXT_LINK_END[textStart[2] ?? "--"] as RegExp;
    c.ws();
    const quoted = c.quoted();
    end.lastIndex = c.i;
    const m = end.exec(c.s);
    if (!m) return undefined;
    label = quoted ?? c.s.slice(c.i, m.index);
    c.i = m.index + m[0].length;
  } else if (!c.take(LINK)) {
    return undefined;
  }
  const save = c.i;
  c.ws();
  if (c.takeText("|")) {
    c.ws();
    const quoted = c.quoted();
    const close = c.s.indexOf("|", c.i);
    if (close < 0) return undefined;
    label = quoted ?? c.s.slice(c.i, close);
    c.i = close + 1;
  } else {
    c.i = save;
  }
  if (label === undefined) return {};
  const text = labelLines(label).join(" ").trim();
  return text === "" ? {} : { label: text };
}
