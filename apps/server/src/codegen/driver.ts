import { readFileSync } from "node:fs";
import { type AnyNodeKind, BraidError, type Pipeline, PipelineGraph, type Registry, lint } from "@braid/engine";
import { critiqueEmitter, generateEmitter } from "./emit-llm.js";
import { inputEmitter, mergeEmitter, outputEmitter, routeEmitter } from "./emit-flow.js";
import { type EmitNode, type KindEmitter, comment, indent, lit } from "./source.js";
import { projectFiles } from "./project.js";

/**
 * The per-kind emitters, keyed by kind name. A kind with no emitter is refused with
 * E_CODEGEN_UNSUPPORTED naming the node: exported code never silently drops a node.
 */
export const EMITTERS: Readonly<Record<string, KindEmitter>> = {
  input: inputEmitter,
  output: outputEmitter,
  generate: generateEmitter,
  critique: critiqueEmitter,
  route: routeEmitter,
  merge: mergeEmitter,
};

export const PROVIDERS = ["openai", "anthropic", "ollama"] as const;
export type CodegenProvider = (typeof PROVIDERS)[number];

export interface CodegenOptions {
  registry: Registry;
  /** Providers the generated backends.ts supports (default: openai only; each adds its @langchain package). */
  providers?: CodegenProvider[];
  emitters?: Readonly<Record<string, KindEmitter>>;
}

export interface GeneratedFile {
  path: string;
  content: string;
}

const template = (name: string): string => readFileSync(new URL(`./runtime/${name}.ts.tmpl`, import.meta.url), "utf8");

/** Keeps the `//@provider NAME` … `//@end` blocks of the included providers, without the marker lines. */
export function selectProviders(text: string, providers: readonly string[]): string {
  const out: string[] = [];
  let keep = true;
  for (const line of text.split("\n")) {
    const m = /^\s*\/\/@provider (\w+)\s*$/.exec(line);
    if (m) keep = providers.includes(m[1] as string);
    else if (/^\s*\/\/@end\s*$/.test(line)) keep = true;
    else if (keep) out.push(line);
  }
  return out.join("\n");
}

/** Function names after node ids: valid identifiers, never a reserved word or a helper's name, unique. */
export function functionNames(ids: string[]): Map<string, string> {
  const names = new Map<string, string>();
  const used = new Set<string>();
  for (const id of ids) {
    const base = `${id.replace(/[^A-Za-z0-9_$]/g, "_").replace(/^(?=[0-9])/, "_")}Node`;
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base}${n}`;
    used.add(name);
    names.set(id, name);
  }
  return names;
}

/** Helpers from runtime.ts, backends.ts and judge.ts, imported by nodes.ts when a body uses them. */
const HELPERS: Record<string, string[]> = {
  "./runtime.js": [
    "PipelineError",
    "complexity",
    "deepMerge",
    "evaluate",
    "extractJson",
    "finish",
    "isPlainObject",
    "isTruthy",
    "render",
    "schemaProblems",
    "stableStringify",
    "stringify",
    "value",
    "visitOf",
  ],
  "./backends.js": ["llm"],
  "./judge.js": ["judgePrompt", "readJudgement"],
};

/**
 * Generates the project: lint first (an invalid pipeline is its lint error), then every node
 * must have an emitter, then nodes.ts, graph.ts and the fixed files.
 */
export function generateProject(pipeline: Pipeline, opts: CodegenOptions): GeneratedFile[] {
  const { registry } = opts;
  const emitters = opts.emitters ?? EMITTERS;
  const errors = lint(pipeline, { registry }).filter((d) => d.severity === "error");
  if (errors.length > 0) {
    const first = errors[0] as (typeof errors)[number];
    throw new BraidError(first.code, `the pipeline is invalid: ${errors.map((d) => d.message).join("; ")}`, first.nodeId ? { nodeId: first.nodeId } : {});
  }
  for (const node of pipeline.nodes) {
    if (!Object.hasOwn(emitters, node.kind))
      throw new BraidError("E_CODEGEN_UNSUPPORTED", `node "${node.id}": kind "${node.kind}" cannot be exported to code yet`, { nodeId: node.id });
  }
  const topology = new PipelineGraph(pipeline);
  const kindOf = (id: string) => registry.get(pipeline.nodes.find((n) => n.id === id)?.kind ?? "") as AnyNodeKind;
  const inputId = pipeline.nodes.find((n) => registry.get(n.kind)?.terminal === "start")?.id as string;
  const outputId = pipeline.nodes.find((n) => registry.get(n.kind)?.terminal === "end")?.id as string;
  const reachable = topology.reachable(inputId);
  const nodes: EmitNode[] = pipeline.nodes
    .filter((n) => reachable.has(n.id))
    .map((n) => {
      const parsed = registry.parseConfig(n);
      return {
        id: n.id,
        kind: n.kind,
        label: n.label,
        config: (parsed?.ok ? parsed.config : {}) as Record<string, unknown>,
        incoming: [...new Set(topology.incoming(n.id).map((e) => e.from))],
      };
    });
  const names = functionNames(nodes.map((n) => n.id));
  const emitterOf = (n: EmitNode) => emitters[n.kind] as KindEmitter;

  // ---- nodes.ts: one function per node
  const fns: string[] = [];
  const bodies = new Map(nodes.map((n) => [n.id, emitterOf(n).body(n)]));
  for (const n of nodes) {
    const body = bodies.get(n.id) as string[];
    const usesView = body.some((l) => /\bview\b/.test(l));
    fns.push(
      comment(`Node ${lit(n.id)} (${n.kind})${n.label !== undefined ? `, label ${lit(n.label)}` : ""}`),
      `export async function ${names.get(n.id)}(state: RunState): Promise<Update> {`,
      `  const ID = ${lit(n.id)};`,
      ...(usesView ? ["  const view = viewOf(state);"] : []),
      ...indent(body),
      "}",
      "",
    );
  }
  const text = fns.join("\n");
  const imports = Object.entries(HELPERS).flatMap(([from, list]) => {
    const used = list.filter((h) => new RegExp(`\\b${h.replace("$", "\\$")}\\b`).test(text));
    if (from === "./runtime.js") used.push("type RunState", "type Update", ...(/\bviewOf\(/.test(text) ? ["viewOf"] : []));
    return used.length ? [`import { ${used.sort((a, b) => a.replace("type ", "").localeCompare(b.replace("type ", ""))).join(", ")} } from "${from}";`] : [];
  });
  const nodesTs = [
    "// One function per pipeline node. Each reads the state (`input` plus one key per node with its",
    "// latest output), does its work and returns its output as a state update.",
    ...imports,
    "",
    text,
  ].join("\n");

  // ---- graph.ts: the StateGraph wiring
  const gname = (id: string) => lit(`node.${id}`);
  const wiring: string[] = [];
  for (const n of nodes) {
    const kind = kindOf(n.id);
    wiring.push(`builder.addNode(${gname(n.id)}, ${names.get(n.id)}${kind.join ? ", { defer: true }" : ""});`);
  }
  wiring.push("", `builder.addEdge(START, ${gname(inputId)});`);
  for (const n of nodes) {
    const kind = kindOf(n.id);
    const edges = topology.outgoing(n.id).filter((e) => reachable.has(e.to));
    const notes = emitterOf(n).wiring?.(n) ?? [];
    if (notes.length) wiring.push(...notes.map((l, i) => comment(`${i === 0 ? `${lit(n.id)}: ` : ""}${l}`)));
    if (n.id === outputId || edges.length === 0) {
      wiring.push(`builder.addEdge(${gname(n.id)}, END);`);
      continue;
    }
    if (kind.branches) {
      const table = new Map<string, string[]>();
      for (const e of edges) table.set(e.branch ?? "", [...(table.get(e.branch ?? "") ?? []), `node.${e.to}`]);
      const destinations = [...new Set(edges.map((e) => gname(e.to))), "END"];
      const entries = [...table].map(([b, to]) => `${lit(b)}: ${lit(to)}`).join(", ");
      wiring.push(
        "// The node records the branch it took in meta; a branch with no edge ends this path.",
        `builder.addConditionalEdges(${gname(n.id)}, (state: RunState) => branchTo(state, ${lit(n.id)}, { ${entries} }, END), [${destinations.join(", ")}]);`,
      );
      continue;
    }
    for (const e of edges) wiring.push(`builder.addEdge(${gname(n.id)}, ${gname(e.to)});`);
  }
  const graphTs = [
    "// The pipeline's StateGraph, spelled out: a node per pipeline node (named `node.<id>`, clear of",
    "// LangGraph's reserved names), its edges, and a conditional edge per branching node.",
    `import { END, START, StateGraph } from "@langchain/langgraph";`,
    `import { ${nodes.map((n) => names.get(n.id)).join(", ")} } from "./nodes.js";`,
    `import { type RunState, State, branchTo } from "./runtime.js";`,
    "",
    `export const outputId = ${lit(outputId)};`,
    "/** Used when main.ts gets no input. */",
    `export const exampleInput: unknown = ${lit(pipeline.input?.example ?? {})};`,
    "/** LangGraph counts supersteps: a step per node, times each bounded loop's bound + 1. */",
    `export const recursionLimit = ${recursionLimit(pipeline, registry)};`,
    "",
    "// Node names are plain strings here, which StateGraph's name generics cannot track.",
    "const builder = new StateGraph(State) as unknown as StateGraph<typeof State.spec, RunState, Partial<RunState>, string>;",
    ...wiring,
    "",
    "export const graph = builder.compile();",
    "",
  ].join("\n");

  const providers = [...new Set(opts.providers?.length ? opts.providers : (["openai"] as CodegenProvider[]))];
  const usesJudge = /\bjudgePrompt\(/.test(text);
  const backends = [...new Set(pipeline.nodes.flatMap((n) => (registry.get(n.kind)?.refs(configOf(registry, n)).backends ?? []).map((b) => b.name)))];
  return [
    ...projectFiles(pipeline, { providers, backends }),
    { path: "src/runtime.ts", content: template("runtime") },
    { path: "src/backends.ts", content: selectProviders(template("backends"), providers) },
    ...(usesJudge ? [{ path: "src/judge.ts", content: template("judge") }] : []),
    { path: "src/nodes.ts", content: nodesTs },
    { path: "src/graph.ts", content: graphTs },
    { path: "src/main.ts", content: template("main") },
  ];
}

function configOf(registry: Registry, node: Pipeline["nodes"][number]): unknown {
  const parsed = registry.parseConfig(node);
  return parsed?.ok ? parsed.config : {};
}

/** Braid's own bound (compile.ts): nodes + 2, times (bound + 1) for each edge that closes a bounded loop. */
function recursionLimit(pipeline: Pipeline, registry: Registry): number {
  let factor = 1;
  for (const e of pipeline.edges) {
    const node = pipeline.nodes.find((n) => n.id === e.from);
    const kind = node ? registry.get(node.kind) : undefined;
    const bound = node ? kind?.boundsCycleThrough?.(configOf(registry, node), e.branch) : undefined;
    if (bound !== undefined) factor *= Math.max(1, bound) + 1;
    if (factor > 1e5) break;
  }
  return Math.min(1_000_000, Math.max(25, (pipeline.nodes.length + 2) * factor));
}
