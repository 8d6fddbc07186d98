import { parsePipeline } from "../format/parse.js";
import { FORMAT_V1, type Pipeline, type PipelineEdge, type PipelineNode, PipelineSchema } from "../format/schema.js";
import { decodeEmbedded, findEmbedded } from "./embed.js";
import { KIND_CLASS_PREFIX } from "./export.js";
import { type ParsedFlowchart, type ParsedNode, parseFlowchart, type ShapeName } from "./flowchart-parse.js";

export type MermaidImportResult = { ok: true; pipeline: Pipeline; warnings: string[] } | { ok: false; errors: string[] };

/**
 * Reads a pipeline back from Mermaid. A Braid export carries the pipeline in `%% braid:pipeline`
 * comments and comes back exactly. Any other flowchart is read best-effort: kinds from shapes,
 * branches from edge labels, placeholder config; every such guess is one entry in `warnings`.
 */
export function fromMermaid(text: string): MermaidImportResult {
  if (typeof text !== "string") return { ok: false, errors: ["expected Mermaid text"] };
  const embedded = findEmbedded(text);
  if (embedded !== undefined) return importEmbedded(embedded);
  const parsed = parseFlowchart(text);
  return parsed.ok ? inferPipeline(parsed.chart) : parsed;
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

const BUILTIN_KINDS = new Set(["input", "output", "generate", "critique", "route", "merge"]);
const SHAPE_KIND: Partial<Record<ShapeName, string>> = {
  none: "generate",
  rect: "generate",
  round: "generate",
  rhombus: "route",
  hexagon: "critique",
  trapezoid: "merge",
  circle: "merge",
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
const CRITIQUE_BRANCHES: Record<string, "pass" | "fail" | "exhausted"> = {
  pass: "pass",
  passed: "pass",
  ok: "pass",
  yes: "pass",
  valid: "pass",
  good: "pass",
  accept: "pass",
  fail: "fail",
  failed: "fail",
  no: "fail",
  retry: "fail",
  invalid: "fail",
  bad: "fail",
  revise: "fail",
  reject: "fail",
  exhausted: "exhausted",
  "give up": "exhausted",
  "max attempts": "exhausted",
  timeout: "exhausted",
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

function inferPipeline(chart: ParsedFlowchart): MermaidImportResult {
  const warnings = [...chart.warnings];
  const parsed = [...chart.nodes.values()];
  // Braid's exporter prefixes every id with `n_` and marks the file; undo the prefix for it only.
  const braidStyle = chart.braidFormat && parsed.every((n) => n.id.startsWith("n_") && n.id.length > 2);
  const used = new Set<string>();
  const ids = new Map(parsed.map((n) => [n.id, braidId(n.id, braidStyle, used, warnings)] as const));
  const drafts = parsed.map((n) => draftOf(n, ids.get(n.id) ?? n.id, braidStyle));
  const byId = new Map(drafts.map((d) => [d.id, d] as const));

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

  // Stadiums: the first with no incoming edge is the input, the last reachable one the output.
  const stadiums = drafts.filter((d) => d.kind === undefined && d.shape === "stadium");
  if (!drafts.some((d) => d.kind === "input")) {
    const pick = stadiums.find((d) => count(d.id, "to") === 0);
    if (pick) {
      pick.kind = "input";
      notes.set(pick.id, `${describe(pick)}: stadium with no incoming edge read as the input`);
    }
  }
  if (!drafts.some((d) => d.kind === "output")) {
    const reached = stadiums.filter((d) => d.kind === undefined && count(d.id, "to") > 0);
    const pick = reached.filter((d) => count(d.id, "from") === 0).at(-1) ?? reached.at(-1);
    if (pick) {
      pick.kind = "output";
      notes.set(pick.id, `${describe(pick)}: stadium read as the output`);
    }
  }
  for (const d of drafts) {
    if (d.kind !== undefined) continue;
    d.kind = SHAPE_KIND[d.shape] ?? "generate";
    if (SHAPE_KIND[d.shape] === undefined) {
      const why = d.shape === "stadium" ? "stadium, but the input and output are already chosen" : `${shapeWord(d)} has no Braid kind`;
      d.fallback = `${why}; imported as a generate node`;
    }
  }

  addTerminal("input", drafts, edges, used, warnings);
  addTerminal("output", drafts, edges, used, warnings);

  // Critiques first: they decide which generate nodes are their correctors (`revises`).
  const order = [...drafts].sort((a, b) => Number(a.kind === "generate") - Number(b.kind === "generate"));
  for (const d of order) {
    const note = configure(d, edges, byId, edgeNotes);
    if (note !== undefined) notes.set(d.id, note);
  }
  for (const d of drafts) {
    const note = notes.get(d.id);
    if (note !== undefined) warnings.push(note);
  }
  warnings.push(...edgeNotes);
  for (const e of edges) {
    if (e.label !== undefined && e.branch === undefined && !["route", "critique"].includes(byId.get(e.from)?.kind ?? "")) {
      warnings.push(`edge ${q(e.from)} → ${q(e.to)}: label ${q(e.label)} dropped (only routes and critiques have branches)`);
    }
  }

  const pipeline = {
    format: FORMAT_V1,
    name: chart.title ?? "Imported flowchart",
    nodes: drafts.map(
      (d): PipelineNode => ({
        id: d.id,
        kind: d.kind ?? "generate",
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

function draftOf(n: ParsedNode, id: string, braidStyle: boolean): Draft {
  // An export's extra label lines are backend and prompt excerpt; a hand-written `<br>` is part of the label.
  const text = n.label === undefined ? undefined : braidStyle ? n.label[0] : n.label.join(" ").trim();
  const label = text === undefined || text === "" || text === n.id || text === id ? undefined : text;
  const hint = n.classes.find((c) => c.startsWith(KIND_CLASS_PREFIX) && BUILTIN_KINDS.has(c.slice(KIND_CLASS_PREFIX.length)));
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

/** Adds the input or output the graph lacks, wired to every source (or from every sink). */
function addTerminal(kind: "input" | "output", drafts: Draft[], edges: DraftEdge[], used: Set<string>, warnings: string[]): void {
  if (drafts.some((d) => d.kind === kind)) return;
  const id = unique(kind, used);
  const other = kind === "input" ? "output" : "input";
  const side = kind === "input" ? "to" : "from";
  const candidates = drafts.filter((d) => d.kind !== other);
  const open = candidates.filter((d) => !edges.some((e) => e[side] === d.id));
  const wired = open.length > 0 ? open : candidates.slice(kind === "input" ? 0 : -1).slice(0, 1);
  const ends = wired.length > 0 ? wired.map((d) => d.id) : drafts.filter((d) => d.kind === other).map((d) => d.id);
  const draft: Draft = { id, kind, shape: "stadium", hinted: false };
  if (kind === "input") {
    drafts.unshift(draft);
    edges.unshift(...ends.map((to) => ({ from: id, to })));
  } else {
    drafts.push(draft);
    edges.push(...ends.map((from) => ({ from, to: id })));
  }
  const where = ends.length > 0 ? ` ${kind === "input" ? "connected to" : "fed by"} ${ends.map((e) => q(e)).join(", ")}` : "";
  warnings.push(`no ${kind} node could be identified; added ${q(id)}${where}`);
}

/** Gives a node its placeholder config; returns the note describing the guess. */
function configure(d: Draft, edges: DraftEdge[], byId: Map<string, Draft>, edgeNotes: string[]): string | undefined {
  const how = d.fallback ?? (d.hinted ? `${d.kind} node` : `${shapeWord(d)} read as a ${d.kind} node`);
  const out = edges.filter((e) => e.from === d.id);
  if (d.kind === "route") {
    const branches: Array<{ id: string; label?: string }> = [];
    const byLabel = new Map<string, string>();
    const taken = new Set<string>();
    for (const e of out) {
      const existing = e.label === undefined ? undefined : byLabel.get(e.label);
      if (existing !== undefined) {
        e.branch = existing;
        continue;
      }
      const id = unique(e.label === undefined ? `branch_${branches.length + 1}` : branchId(e.label), taken);
      if (e.label !== undefined) byLabel.set(e.label, id);
      branches.push(e.label === undefined || e.label === id ? { id } : { id, label: e.label });
      e.branch = id;
    }
    d.config = { strategy: "rules", branches, ...(branches[0] ? { default: branches[0].id } : {}) };
    const list = branches.map((b) => q(b.id)).join(", ") || "none";
    return `${describe(d)}: ${how} with strategy "rules", branches ${list} without conditions${branches[0] ? `, default ${q(branches[0].id)}` : ""}`;
  } else if (d.kind === "critique") {
    for (const e of out) {
      const key = e.label?.toLowerCase().trim();
      const branch = key === undefined ? undefined : CRITIQUE_BRANCHES[key];
      if (branch !== undefined) e.branch = branch;
      if (branch === undefined || branch !== key) {
        const what = branch === undefined ? "has no pass/fail/exhausted label; left without a branch" : `label ${q(e.label)} read as ${q(branch)}`;
        edgeNotes.push(`edge ${q(e.from)} → ${q(e.to)}: ${what}`);
      }
    }
    const correctors = new Set(out.filter((e) => e.branch === "fail").map((e) => e.to));
    const preds = edges.filter((e) => e.to === d.id).map((e) => e.from);
    const target = preds.find((p) => !correctors.has(p)) ?? preds[0];
    d.config = { backend: "validator", ...(target ? { target } : {}), rubric: ["TODO"], threshold: 0.8, maxAttempts: 3 };
    const note = `${describe(d)}: ${how} ${target ? `checking ${q(target)}` : "with no target"}; placeholder backend "validator", rubric ["TODO"], threshold 0.8, maxAttempts 3`;
    // A generate node on the fail branch that feeds back into the critique is its corrector.
    for (const id of correctors) {
      const c = byId.get(id);
      if (c && c.kind === "generate" && target && id !== target && edges.some((e) => e.from === id && e.to === d.id)) {
        c.config = { ...c.config, revises: target };
      }
    }
    return note;
  } else if (d.kind === "merge") {
    d.config = { strategy: "object" };
    return `${describe(d)}: ${how} with strategy "object"`;
  } else if (d.kind === "generate") {
    const prompt = `TODO: ${d.label ?? d.id}`;
    d.config = { backend: "generator", prompt, ...d.config };
    const revises = typeof d.config.revises === "string" ? `, revising ${q(d.config.revises)}` : "";
    return `${describe(d)}: ${how}; placeholder backend "generator", prompt ${q(prompt)}${revises}`;
  }
  return undefined;
}

/** A branch id from an edge label: letters, digits, `_` and `-`, starting with a letter. */
function branchId(label: string): string {
  const base = label.replace(/[^A-Za-z0-9_-]+/g, "_").replace(/^_+|_+$/g, "");
  if (base === "") return "branch";
  return /^[A-Za-z]/.test(base) ? base : `b_${base}`;
}
