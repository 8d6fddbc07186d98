/**
 * Runs Mermaid's own parser in Node, for tests. Mermaid imports DOMPurify, which binds to
 * `window` when its module is first evaluated and otherwise lacks `addHook` ("DOMPurify.addHook
 * is not a function"), so jsdom globals must exist before mermaid is imported. `parse` alone
 * succeeds on some broken output (a label containing "direction TB" swallows its whole line
 * and yields no node), so the helper also returns what the parser actually built.
 */
type Mermaid = typeof import("mermaid")["default"];

export interface ParsedVertex {
  id: string;
  text: string;
  type: string | undefined;
  classes: string[];
}
export interface ParsedLink {
  start: string;
  end: string;
  text: string;
  stroke: string | undefined;
}
export interface ParsedDiagram {
  type: string;
  vertices: ParsedVertex[];
  edges: ParsedLink[];
  classDefs: string[];
}

interface FlowDbLike {
  getVertices(): Map<string, { id: string; text?: string; type?: string; classes?: string[] }>;
  getEdges(): Array<{ start: string; end: string; text?: string; stroke?: string }>;
  getClasses(): Map<string, unknown>;
}

let loading: Promise<Mermaid> | undefined;

/** jsdom ships no type declarations; this is the little of it used here. */
type JsdomModule = { JSDOM: new (html: string) => { window: Window & typeof globalThis } };

async function load(): Promise<Mermaid> {
  // A non-literal specifier keeps TypeScript from looking for jsdom's (missing) declarations.
  const jsdom: string = "jsdom";
  const { JSDOM } = (await import(jsdom)) as JsdomModule;
  const dom = new JSDOM("<!doctype html><html><body></body></html>");
  const g = globalThis as Record<string, unknown>;
  g.window ??= dom.window;
  g.document ??= dom.window.document;
  const { default: mermaid } = await import("mermaid");
  mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
  return mermaid;
}

/** Parses with Mermaid; throws Mermaid's parse error when the text is not a valid diagram. */
export async function parseMermaid(text: string): Promise<ParsedDiagram> {
  loading ??= load();
  const mermaid = await loading;
  await mermaid.parse(text);
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
  const db = diagram.db as unknown as FlowDbLike;
  return {
    type: diagram.type,
    vertices: [...db.getVertices().values()].map((v) => ({ id: v.id, text: v.text ?? "", type: v.type, classes: v.classes ?? [] })),
    edges: db.getEdges().map((e) => ({ start: e.start, end: e.end, text: e.text ?? "", stroke: e.stroke })),
    classDefs: [...db.getClasses().keys()],
  };
}

/** Mermaid's entity placeholders back to the characters a reader sees (Mermaid does this after rendering). */
export function shownText(text: string): string {
  return text
    .replace(/ﬂ°°(\d+)¶ß/g, (_m, n: string) => String.fromCodePoint(Number(n)))
    .replace(/ﬂ°quot¶ß/g, '"')
    .replace(/<br\s*\/?>/g, "\n");
}
