import { parsePipeline } from "../format/parse.js";
import { FORMAT_V1, type Pipeline, type PipelineEdge, type PipelineNode, PipelineSchema } from "../format/schema.js";
import type { DiagramDraft, DiagramEdge, DiagramGuess, DiagramShape, Registry } from "../kinds.js";
import { decodeEmbedded, findEmbedded } from "./embed.js";
import { KIND_CLASS_PREFIX } from "./export.js";
import { type ParsedFlowchart, type ParsedNode, parseFlowchart, type ShapeName } from "./flowchart-parse.js";

export type MermaidImportResult = { ok: true; pipeline: Pipeline; warnings: string[] } | { ok: false; errors: string[] };

/**
 * Reads a pipeline back from Mermaid. A Braid export carries the pipeline in `%% braid:pipeline`
 * comments and comes back exactly. Any other flowchart is read best-effort: kinds from shapes,
 * branches from edge labels, placeholder config; every such guess is one entry in `warnings`.
 * Which shape means which kind, and each kind's placeholder config, come from the registry.
 */
export function fromMermaid(text: string, registry: Registry): MermaidImportResult {
  if (typeof text !== "string") return { ok: false, errors: ["expected Mermaid text"] };
  const embedded = findEmbedded(text);
  if (embedded !== undefined) return importEmbedded(embedded);
  const parsed = parseFlowchart(text);
  return parsed.ok ? inferPipeline(parsed.chart, registry) : parsed;
}

function importEmbedded(data: string): MermaidImportResult {
  let doc: unknown;
  try {
    doc = decodeEmbedded(data);
  } catch (err) {
    return { ok: false, errors: [(err as Error).message] };
  }
  // parsePipeline also migrates: a diagram exported by an older Braid still imports.
  const result = parsePipeline(doc);
  if (!result.ok) return { ok: false, errors: result.diagnostics.map((d) => `the embedded pipeline is not valid: ${d.message}`) };
  return { ok: true, pipeline: result.pipeline, warnings: [] };
}

/** The kinds' shapes a parsed Mermaid shape counts as; a plain or rounded box is a rectangle. */
const AS_DIAGRAM_SHAPE: Partial<Record<ShapeName, DiagramShape>> = {
  none: "rect",
  rect: "rect",
  round: "rect",
  stadium: "stadium",
  subroutine: "subroutine",
  circle: "circle",
  rhombus: "rhombus",
  hexagon: "hexagon",
  parallelogram: "parallelogram",
  trapezoid: "trapezoid",
  asymmetric: "asymmetric",
};
const SHAPE_WORDS: Record<ShapeName, string> = {
  none: "plain node",
  rect: "rectangle",
  round: "rounded rectangle",
  stadium: "stadium",
  subroutine: "subroutine",
  cylinder: "cylinder",
  circle: "circle",
  asymmetric: "flag shape",
  rhombus: "rhombus",
  hexagon: "hexagon",
  parallelogram: "parallelogram",
  trapezoid: "trapezoid",
  other: "shape",
};
interface Draft {
  id: string;
  kind?: string;
  label?: string;
  shape: ShapeName;
  shapeName?: string;
  /** The kind came from a `k_<kind>` class that Braid's exporter writes, not from the shape. */
  hinted: boolean;
  /** Why the node became a placeholder generate node, when its shape named no kind. */
  fallback?: string;
  config?: Record<string, unknown>;
}
interface DraftEdge {
  from: string;
  to: string;
  label?: string;
  branch?: string;
}

const q = JSON.stringify;
const describe = (d: Draft): string => `node ${q(d.id)}${d.label === undefined ? "" : ` (${q(d.label)})`}`;
const shapeWord = (d: Draft): string => (d.shape === "other" ? `shape ${q(d.shapeName ?? "?")}` : SHAPE_WORDS[d.shape]);

function inferPipeline(chart: ParsedFlowchart, registry: Registry): MermaidImportResult {
  const kinds = registry.list();
  const start = kinds.find((k) => k.terminal === "start");
  const end = kinds.find((k) => k.terminal === "end");
  const fallbackKind = kinds.find((k) => k.diagramFallback)?.kind;
  if (!start || !end) return { ok: false, errors: ["the node kinds registered have no pipeline start and end"] };
  /** The first registered kind that recognises a shape imports it. */
  const recognised = new Map<DiagramShape, string>();
  for (const k of kinds) for (const shape of k.recognises ?? []) if (!recognised.has(shape)) recognised.set(shape, k.kind);
  const kindOfShape = (shape: ShapeName): string | undefined => {
    const as = AS_DIAGRAM_SHAPE[shape];
    return as === undefined ? undefined : recognised.get(as);
  };
  const isShape = (d: Draft, shape: DiagramShape) => AS_DIAGRAM_SHAPE[d.shape] === shape;

  const warnings = [...chart.warnings];
  const parsed = [...chart.nodes.values()];
  // Braid's exporter prefixes every id with `n_` and marks the file; undo the prefix for it only.
  const braidStyle = chart.braidFormat && parsed.every((n) => n.id.startsWith("n_") && n.id.length > 2);
  const used = new Set<string>();
  const ids = new Map(parsed.map((n) => [n.id, braidId(n.id, braidStyle, used, warnings)] as const));
  const drafts = parsed.map((n) => draftOf(n, ids.get(n.id) ?? n.id, braidStyle, registry));

  const edges: DraftEdge[] = [];
  const seen = new Set<string>();
  for (const e of chart.edges) {
    const edge: DraftEdge = { from: ids.get(e.from) ?? e.from, to: ids.get(e.to) ?? e.to, ...(e.label === undefined ? {} : { label: e.label }) };
    const key = q([edge.from, edge.to, edge.label ?? null]);
    if (seen.has(key)) warnings.push(`edge ${q(edge.from)} → ${q(edge.to)} is written twice; kept once`);
    else edges.push(edge);
    seen.add(key);
  }
  const count = (id: string, dir: "from" | "to") => edges.filter((e) => e[dir] === id).length;
  /** One note per guessed node, reported in node order. */
  const notes = new Map<string, string>();
  const edgeNotes: string[] = [];

  // Nodes of the terminals' shape: the first with no incoming edge is the start, the last reachable one the end.
  if (!drafts.some((d) => d.kind === start.kind)) {
    const pick = drafts.find((d) => d.kind === undefined && isShape(d, start.diagram.shape) && count(d.id, "to") === 0);
    if (pick) {
      pick.kind = start.kind;
      notes.set(pick.id, `${describe(pick)}: ${shapeWord(pick)} with no incoming edge read as the ${start.kind}`);
    }
  }
  if (!drafts.some((d) => d.kind === end.kind)) {
    const reached = drafts.filter((d) => d.kind === undefined && isShape(d, end.diagram.shape) && count(d.id, "to") > 0);
    const pick = reached.filter((d) => count(d.id, "from") === 0).at(-1) ?? reached.at(-1);
    if (pick) {
      pick.kind = end.kind;
      notes.set(pick.id, `${describe(pick)}: ${shapeWord(pick)} read as the ${end.kind}`);
    }
  }
  for (const d of drafts) {
    if (d.kind !== undefined) continue;
    const kind = kindOfShape(d.shape);
    if (kind !== undefined) {
      d.kind = kind;
      continue;
    }
    if (fallbackKind === undefined) return { ok: false, errors: [`${describe(d)}: ${shapeWord(d)} has no Braid kind`] };
    d.kind = fallbackKind;
    const terminalShape = isShape(d, start.diagram.shape) || isShape(d, end.diagram.shape);
    const why = terminalShape ? `${shapeWord(d)}, but the ${start.kind} and ${end.kind} are already chosen` : `${shapeWord(d)} has no Braid kind`;
    d.fallback = `${why}; imported as a ${fallbackKind} node`;
  }

  addTerminal(start.kind, "start", end.kind, start.diagram.shape, drafts, edges, used, warnings);
  addTerminal(end.kind, "end", start.kind, end.diagram.shape, drafts, edges, used, warnings);
  const byId = new Map(drafts.map((d) => [d.id, d] as const));

  // Each kind guesses its node's config; config one node gives another (a critique's `revises` on
  // its corrector) makes the receiver guess again with it.
  const given = new Map<string, Record<string, unknown>>();
  const guess = (d: Draft): DiagramGuess | undefined => {
    const kind = d.kind === undefined ? undefined : registry.get(d.kind);
    if (!kind?.fromDiagram) return given.has(d.id) ? { config: given.get(d.id) ?? {} } : undefined;
    const draft: DiagramDraft = {
      id: d.id,
      ...(d.label === undefined ? {} : { label: d.label }),
      name: describe(d),
      how: d.fallback ?? (d.hinted ? `${d.kind} node` : `${shapeWord(d)} read as ${/^[aeiou]/i.test(d.kind ?? "") ? "an" : "a"} ${d.kind} node`),
      outgoing: edges.filter((e) => e.from === d.id).map(plainEdge),
      incoming: edges.filter((e) => e.to === d.id).map(plainEdge),
      kindOf: (id) => byId.get(id)?.kind,
      given: { ...given.get(d.id) },
    };
    return kind.fromDiagram(draft);
  };
  const guesses = new Map<string, DiagramGuess | undefined>(drafts.map((d) => [d.id, guess(d)] as const));
  const receivers = new Set<string>();
  for (const d of drafts) {
    for (const [id, config] of Object.entries(guesses.get(d.id)?.give ?? {})) {
      if (!byId.has(id)) continue;
      given.set(id, { ...given.get(id), ...config });
      receivers.add(id);
    }
  }
  for (const id of receivers) {
    const d = byId.get(id);
    if (d) guesses.set(id, guess(d));
  }
  for (const d of drafts) {
    const g = guesses.get(d.id);
    if (g === undefined) continue;
    d.config = g.config;
    if (g.note !== undefined) notes.set(d.id, g.note);
    edgeNotes.push(...(g.edgeNotes ?? []));
    edges
      .filter((e) => e.from === d.id)
      .forEach((e, i) => {
        const branch = g.branches?.[i];
        if (branch !== undefined) e.branch = branch;
      });
  }
  for (const d of drafts) {
    const note = notes.get(d.id);
    if (note !== undefined) warnings.push(note);
  }
  warnings.push(...edgeNotes);
  const branching = kinds.filter((k) => k.branches !== undefined).map((k) => `${k.kind}s`);
  for (const e of edges) {
    const from = byId.get(e.from)?.kind;
    if (e.label !== undefined && e.branch === undefined && (from === undefined || registry.get(from)?.branches === undefined)) {
      warnings.push(`edge ${q(e.from)} → ${q(e.to)}: label ${q(e.label)} dropped (only ${branching.join(" and ")} have branches)`);
    }
  }

  const pipeline = {
    format: FORMAT_V1,
    name: chart.title ?? "Imported flowchart",
    nodes: drafts.map(
      (d): PipelineNode => ({
        id: d.id,
        kind: d.kind ?? fallbackKind ?? "",
        ...(d.label === undefined ? {} : { label: d.label }),
        ...(d.config === undefined ? {} : { config: d.config }),
      }),
    ),
    edges: edges.map((e): PipelineEdge => ({ from: e.from, to: e.to, ...(e.branch === undefined ? {} : { branch: e.branch }) })),
  };
  const checked = PipelineSchema.safeParse(pipeline);
  if (!checked.success) return { ok: false, errors: checked.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`) };
  return { ok: true, pipeline: checked.data, warnings };
}

function braidId(mermaidId: string, strip: boolean, used: Set<string>, warnings: string[]): string {
  const raw = strip ? mermaidId.slice(2) : mermaidId;
  let base = raw.replace(/[^A-Za-z0-9_-]/g, "_");
  if (!/^[A-Za-z]/.test(base)) base = `n${base}`;
  const id = unique(base, used);
  if (id !== raw) warnings.push(`node id ${q(mermaidId)} is not a valid Braid id or is taken; renamed ${q(id)}`);
  return id;
}

function unique(base: string, used: Set<string>): string {
  let id = base;
  for (let n = 2; used.has(id); n++) id = `${base}_${n}`;
  used.add(id);
  return id;
}

function plainEdge(e: DraftEdge): DiagramEdge {
  return { from: e.from, to: e.to, ...(e.label === undefined ? {} : { label: e.label }) };
}

function draftOf(n: ParsedNode, id: string, braidStyle: boolean, registry: Registry): Draft {
  // An export's extra label lines are backend and prompt excerpt; a hand-written `<br>` is part of the label.
  const text = n.label === undefined ? undefined : braidStyle ? n.label[0] : n.label.join(" ").trim();
  const label = text === undefined || text === "" || text === n.id || text === id ? undefined : text;
  const hint = n.classes.find((c) => c.startsWith(KIND_CLASS_PREFIX) && registry.has(c.slice(KIND_CLASS_PREFIX.length)));
  const kind = hint?.slice(KIND_CLASS_PREFIX.length);
  return {
    id,
    shape: n.shape,
    hinted: kind !== undefined,
    ...(kind ? { kind } : {}),
    ...(n.shapeName ? { shapeName: n.shapeName } : {}),
    ...(label === undefined ? {} : { label }),
  };
}

/** Adds the start or end node the graph lacks, wired to every source (or from every sink). */
function addTerminal(
  kind: string,
  which: "start" | "end",
  other: string,
  shape: DiagramShape,
  drafts: Draft[],
  edges: DraftEdge[],
  used: Set<string>,
  warnings: string[],
): void {
  if (drafts.some((d) => d.kind === kind)) return;
  const id = unique(kind, used);
  const isStart = which === "start";
  const side = isStart ? "to" : "from";
  const candidates = drafts.filter((d) => d.kind !== other);
  const open = candidates.filter((d) => !edges.some((e) => e[side] === d.id));
  const wired = open.length > 0 ? open : candidates.slice(isStart ? 0 : -1).slice(0, 1);
  const ends = wired.length > 0 ? wired.map((d) => d.id) : drafts.filter((d) => d.kind === other).map((d) => d.id);
  const draft: Draft = { id, kind, shape, hinted: false };
  if (isStart) {
    drafts.unshift(draft);
    edges.unshift(...ends.map((to) => ({ from: id, to })));
  } else {
    drafts.push(draft);
    edges.push(...ends.map((from) => ({ from, to: id })));
  }
  const where = ends.length > 0 ? ` ${isStart ? "connected to" : "fed by"} ${ends.map((e) => q(e)).join(", ")}` : "";
  warnings.push(`no ${kind} node could be identified; added ${q(id)}${where}`);
}
