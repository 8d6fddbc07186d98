import type { RunEvent } from "../events.js";
import type { Pipeline, PipelineEdge, PipelineNode } from "../format/schema.js";
import { isPlainObject } from "../json.js";
import { redactSecrets } from "../share/secrets.js";
import type { DiagramShape, Registry } from "../kinds.js";
import { FORMAT_COMMENT, embedLines } from "./embed.js";
import { allocateMermaidIds, displayText, escapeLabel, excerpt, safeClassName } from "./escape.js";
import { edgeKey, isRunOverlay, overlayFromEvents, type RunOverlay } from "./overlay.js";

export interface MermaidExportOptions {
  direction?: "TD" | "LR";
  /** Adds the node's backend name as a second label line. */
  showBackends?: boolean;
  /** Adds the first ~40 characters of the node's prompt as a label line. */
  showPrompts?: boolean;
  /** Highlights what a run did: an overlay, or the run's events (derived with `overlayFromEvents`). */
  run?: RunOverlay | { events: readonly RunEvent[] };
  /** Carries the full pipeline JSON in `%% braid:pipeline` comments so `fromMermaid` is lossless. Default true. */
  embed?: boolean;
  /** Every node's shape and style come from its kind's `diagram`. */
  registry: Registry;
}

const BRACKETS: Record<DiagramShape, readonly [string, string]> = {
  stadium: ["([", "])"],
  rect: ["[", "]"],
  rhombus: ["{", "}"],
  hexagon: ["{{", "}}"],
  trapezoid: ["[/", "\\]"],
  circle: ["((", "))"],
  subroutine: ["[[", "]]"],
  parallelogram: ["[/", "/]"],
  asymmetric: [">", "]"],
};

const OTHER_STYLE = "fill:#f1f3f5,stroke:#868e96,color:#212529";
/** Class for kinds the exporter knows nothing about; `k_` classes always name a known kind. */
export const UNKNOWN_KIND_CLASS = "unknown_kind";
export const KIND_CLASS_PREFIX = "k_";
const VISITED_CLASS = "run_visited";
const FAILED_CLASS = "run_failed";
const RUN_STYLES: Record<string, string> = {
  [VISITED_CLASS]: "fill:#d3f9d8,stroke:#2f9e44,stroke-width:2px,color:#0b3d17",
  [FAILED_CLASS]: "fill:#ffe3e3,stroke:#e03131,stroke-width:3px,color:#5c0a0a",
};
const TAKEN_EDGE_STYLE = "stroke:#2f9e44,stroke-width:3px";

/**
 * Writes a pipeline as a Mermaid `flowchart`. All user text goes through `escapeLabel` inside
 * quotes, ids through `allocateMermaidIds`, so the result parses whatever the labels contain.
 * Output depends only on the arguments (no clocks, no randomness, insertion order only).
 */
export function toMermaid(source: Pipeline, options: MermaidExportOptions): string {
  // Diagrams get pasted into PRs and docs: secret-looking values never leave (see share/secrets.ts).
  const pipeline = redactSecrets(source).value;
  const direction = options.direction === "LR" ? "LR" : "TD";
  const nodeById = new Map(pipeline.nodes.map((n) => [n.id, n] as const));
  const missing = pipeline.edges.flatMap((e) => [e.from, e.to]).filter((id) => !nodeById.has(id));
  const ids = allocateMermaidIds([...pipeline.nodes.map((n) => n.id), ...missing]);
  const mid = (id: string): string => ids.get(id) ?? "";

  const lines: string[] = [FORMAT_COMMENT, `flowchart ${direction}`];
  const classMembers = new Map<string, string[]>();
  const classStyles = new Map<string, string>();
  const addToClass = (cls: string, id: string) => {
    const list = classMembers.get(cls) ?? [];
    list.push(id);
    classMembers.set(cls, list);
  };

  for (const node of pipeline.nodes) {
    const { shape, cls, style } = kindLook(node.kind, options.registry);
    const [open, close] = BRACKETS[shape];
    lines.push(`    ${mid(node.id)}${open}"${nodeLabel(node, options)}"${close}`);
    addToClass(cls, mid(node.id));
    classStyles.set(cls, style);
  }
  for (const id of new Set(missing)) {
    lines.push(`    ${mid(id)}[["${escapeLabel(id)}"]]`);
    addToClass(UNKNOWN_KIND_CLASS, mid(id));
  }

  const loops = backEdges(pipeline, options.registry);
  pipeline.edges.forEach((edge, i) => {
    const label = edgeLabel(edge, nodeById.get(edge.from));
    const arrow = loops.has(i) ? "-.->" : "-->";
    const text = label === undefined ? "" : `|"${escapeLabel(label)}"|`;
    lines.push(`    ${mid(edge.from)} ${arrow}${text} ${mid(edge.to)}`);
  });

  const run = options.run === undefined ? undefined : isRunOverlay(options.run) ? options.run : overlayFromEvents(options.run.events, pipeline);
  const usedStyles = new Map<string, string>();
  for (const cls of classMembers.keys()) usedStyles.set(cls, classStyles.get(cls) ?? OTHER_STYLE);
  if (run) {
    // Run classes come after kind classes: Mermaid applies a node's classes in order, so they win.
    for (const [cls, list] of [
      [VISITED_CLASS, run.visited],
      [FAILED_CLASS, run.failed],
    ] as const) {
      const members = [...new Set(list)].filter((id) => ids.has(id) && nodeById.has(id));
      if (members.length === 0) continue;
      usedStyles.set(cls, RUN_STYLES[cls] ?? OTHER_STYLE);
      for (const id of members) addToClass(cls, mid(id));
    }
  }
  for (const [cls, style] of usedStyles) lines.push(`    classDef ${cls} ${style}`);
  for (const [cls, members] of classMembers) lines.push(`    class ${members.join(",")} ${cls}`);

  if (run) {
    const taken = new Set(run.takenEdges.map(([from, to, branch]) => edgeKey(from, to, branch)));
    // linkStyle indices count links in the order they were written: one per pipeline edge.
    const indices = pipeline.edges.flatMap((e, i) => (taken.has(edgeKey(e.from, e.to, e.branch)) ? [i] : []));
    if (indices.length > 0) lines.push(`    linkStyle ${indices.join(",")} ${TAKEN_EDGE_STYLE}`);
  }

  if (options.embed !== false) lines.push(...embedLines(pipeline));
  return `${lines.join("\n")}\n`;
}

function kindLook(kind: string, registry: Registry): { shape: DiagramShape; cls: string; style: string } {
  const diagram = registry.get(kind)?.diagram;
  if (diagram === undefined || !(diagram.shape in BRACKETS)) return { shape: "subroutine", cls: UNKNOWN_KIND_CLASS, style: OTHER_STYLE };
  return { shape: diagram.shape, cls: KIND_CLASS_PREFIX + safeClassName(kind), style: diagram.style };
}

function nodeLabel(node: PipelineNode, options: MermaidExportOptions): string {
  const parts = [escapeLabel(displayText(node.label, node.id))];
  const config = isPlainObject(node.config) ? node.config : {};
  if (options.showBackends && typeof config.backend === "string" && config.backend.trim() !== "") {
    parts.push(escapeLabel(config.backend));
  }
  if (options.showPrompts && typeof config.prompt === "string" && config.prompt.trim() !== "") {
    // Typographic quotes: they mark the excerpt without being Mermaid's string delimiter.
    parts.push(escapeLabel(`“${excerpt(config.prompt)}”`));
  }
  // `<br/>` is our own markup, never user text: every part above is escaped.
  return parts.join("<br/>");
}

/** A route branch shows its `label` when it has one; critique branches and the rest show the branch id. */
function edgeLabel(edge: PipelineEdge, from: PipelineNode | undefined): string | undefined {
  if (edge.branch === undefined) return undefined;
  const branches = from?.config?.branches;
  if (Array.isArray(branches)) {
    for (const b of branches) {
      if (isPlainObject(b) && b.id === edge.branch) return displayText(b.label, edge.branch);
    }
  }
  return edge.branch;
}

/**
 * Indices of edges that close a cycle (DFS back edges), drawn dashed. The walk starts at the start
 * (input) nodes and follows edges in file order, so the edge marked is the one a reader sees as "going
 * back" (the corrector's edge to its critique, a route's loop), and the choice is deterministic.
 */
function backEdges(pipeline: Pipeline, registry: Registry): Set<number> {
  const out = new Map<string, Array<[number, string]>>();
  pipeline.edges.forEach((e, i) => {
    const list = out.get(e.from) ?? [];
    list.push([i, e.to]);
    out.set(e.from, list);
  });
  const starts = [
    ...pipeline.nodes.filter((n) => registry.get(n.kind)?.terminal === "start").map((n) => n.id),
    ...pipeline.nodes.map((n) => n.id),
    ...pipeline.edges.map((e) => e.from),
  ];
  const state = new Map<string, "open" | "done">();
  const back = new Set<number>();
  for (const start of starts) {
    if (state.has(start)) continue;
    // Iterative DFS: a long chain of nodes must not overflow the call stack.
    const stack: Array<{ id: string; next: number }> = [{ id: start, next: 0 }];
    state.set(start, "open");
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { id: string; next: number };
      const edge = out.get(top.id)?.[top.next];
      if (edge === undefined) {
        state.set(top.id, "done");
        stack.pop();
        continue;
      }
      top.next++;
      const [index, to] = edge;
      const s = state.get(to);
      if (s === "open") back.add(index);
      else if (s === undefined) {
        state.set(to, "open");
        stack.push({ id: to, next: 0 });
      }
    }
  }
  return back;
}
