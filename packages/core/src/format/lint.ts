import type { BackendAvailability } from "../backends/types.js";
import { evaluationOf } from "../eval/pipeline.js";
import { PipelineGraph } from "../graph.js";
import type { ConfigRefs, Registry } from "../kinds.js";
import { checkExpression } from "../template/expression.js";
import { parseTemplate, templateRoots } from "../template/template.js";
import { checkJsonSchema } from "./json-schema.js";
import type { Diagnostic } from "./diagnostics.js";
import { issuePath, parsePipeline } from "./parse.js";
import type { Pipeline, PipelineNode } from "./schema.js";

export interface LintOptions {
  registry: Registry;
  /** When given, backend names are checked against it. */
  backends?: BackendAvailability[];
}

export interface LintResult {
  pipeline?: Pipeline;
  diagnostics: Diagnostic[];
}

/** Templates read the run input as `{{input}}`, so no node may take that id. */
const INPUT_ROOT = "input";

/** Parses (if needed) and checks a pipeline; never throws on bad input. */
export function lintDocument(doc: unknown, opts: LintOptions): LintResult {
  const parsed = parsePipeline(doc);
  if (!parsed.ok) return { diagnostics: parsed.diagnostics };
  return { pipeline: parsed.pipeline, diagnostics: lint(parsed.pipeline, opts) };
}

export function lint(pipeline: Pipeline, opts: LintOptions): Diagnostic[] {
  const ds: Diagnostic[] = [];
  const { registry } = opts;
  const terminal = (n: { kind: string } | undefined) => (n ? registry.get(n.kind)?.terminal : undefined);
  const err = (d: Omit<Diagnostic, "severity">) => ds.push({ ...d, severity: "error" });
  const warn = (d: Omit<Diagnostic, "severity">) => ds.push({ ...d, severity: "warning" });

  // Ids and the single input/output.
  const byId = new Map<string, PipelineNode>();
  pipeline.nodes.forEach((n, i) => {
    if (byId.has(n.id)) err({ code: "E_DUPLICATE_ID", nodeId: n.id, path: `nodes[${i}].id`, message: `node id "${n.id}" is used more than once` });
    else byId.set(n.id, n);
    if (n.id === INPUT_ROOT && terminal(n) !== "start")
      err({
        code: "E_RESERVED_ID",
        nodeId: n.id,
        path: `nodes[${i}].id`,
        message: `"input" is reserved for the run input in templates; rename this ${n.kind} node`,
      });
  });
  const inputs = pipeline.nodes.filter((n) => terminal(n) === "start");
  const outputs = pipeline.nodes.filter((n) => terminal(n) === "end");
  if (inputs.length === 0) err({ code: "E_NO_INPUT", message: "the pipeline needs exactly one input node; it has none" });
  for (const n of inputs.slice(1)) err({ code: "E_MULTIPLE_INPUTS", nodeId: n.id, message: `only one input node is allowed; "${n.id}" is an extra one` });
  if (outputs.length === 0) err({ code: "E_NO_OUTPUT", message: "the pipeline needs exactly one output node; it has none" });
  for (const n of outputs.slice(1)) err({ code: "E_MULTIPLE_OUTPUTS", nodeId: n.id, message: `only one output node is allowed; "${n.id}" is an extra one` });

  // Kinds and configs.
  const configs = new Map<string, unknown>();
  pipeline.nodes.forEach((n, i) => {
    const kind = registry.get(n.kind);
    if (!kind) {
      err({
        code: "E_UNKNOWN_KIND",
        nodeId: n.id,
        path: `nodes[${i}].kind`,
        message: `unknown node kind "${n.kind}"; known kinds: ${registry
          .list()
          .map((k) => k.kind)
          .join(", ")}`,
      });
      return;
    }
    const r = registry.parseConfig(n);
    if (r && !r.ok) {
      for (const issue of r.error.issues) {
        const field = issuePath(issue.path);
        err({
          code: "E_CONFIG",
          nodeId: n.id,
          path: `nodes[${i}].config${field ? `.${field}` : ""}`,
          message: `${n.kind} "${n.id}": ${field || "config"}: ${issue.message}`,
        });
      }
    } else if (r?.ok && byId.get(n.id) === n) configs.set(n.id, r.config);
  });

  const graph = new PipelineGraph(pipeline);
  const branchesOf = (id: string): string[] | undefined => {
    const n = byId.get(id);
    const kind = n && registry.get(n.kind);
    if (!kind?.branches || !configs.has(id)) return undefined;
    return kind.branches(configs.get(id));
  };

  // Edges.
  pipeline.edges.forEach((e, i) => {
    const at = { edgeIndex: i, path: `edges[${i}]` };
    if (!byId.has(e.from)) err({ ...at, code: "E_UNKNOWN_NODE", message: `edge #${i} starts at unknown node "${e.from}"` });
    if (!byId.has(e.to)) err({ ...at, code: "E_UNKNOWN_NODE", message: `edge #${i} ends at unknown node "${e.to}"` });
    if (!byId.has(e.from) || !byId.has(e.to)) return;
    if (e.from === e.to) err({ ...at, nodeId: e.from, code: "E_SELF_EDGE", message: `edge #${i} goes from "${e.from}" to itself` });
    if (terminal(byId.get(e.to)) === "start")
      err({ ...at, nodeId: e.to, code: "E_INPUT_HAS_INCOMING", message: `edge #${i} points into the input node "${e.to}"` });
    if (terminal(byId.get(e.from)) === "end")
      err({ ...at, nodeId: e.from, code: "E_OUTPUT_HAS_OUTGOING", message: `edge #${i} leaves the output node "${e.from}"` });
    const branches = branchesOf(e.from);
    const fromKind = byId.get(e.from)?.kind;
    if (branches) {
      if (e.branch === undefined)
        err({
          ...at,
          nodeId: e.from,
          code: "E_BRANCH_REQUIRED",
          message: `edge #${i} leaves ${fromKind} "${e.from}" without a branch; choose one of: ${branches.join(", ")}`,
        });
      else if (!branches.includes(e.branch))
        err({
          ...at,
          nodeId: e.from,
          code: "E_UNKNOWN_BRANCH",
          message: `${fromKind} "${e.from}" has no branch "${e.branch}"; its branches are: ${branches.join(", ")}`,
        });
    } else if (e.branch !== undefined && registry.get(fromKind ?? "") && configs.has(e.from)) {
      err({ ...at, nodeId: e.from, code: "E_UNKNOWN_BRANCH", message: `edge #${i} has branch "${e.branch}", but ${fromKind} "${e.from}" does not branch` });
    }
  });
  for (const id of byId.keys()) {
    const branches = branchesOf(id);
    if (!branches) continue;
    const used = new Set(graph.outgoing(id).map((e) => e.branch));
    const n = byId.get(id) as PipelineNode;
    const optional = registry.get(n.kind)?.optionalBranches?.(configs.get(id)) ?? [];
    for (const b of branches) {
      if (!used.has(b) && !optional.includes(b))
        warn({ code: "E_BRANCH_UNCONNECTED", nodeId: id, message: `branch "${b}" of "${id}" has no edge; a run that takes it ends without output` });
    }
  }

  // Reachability and output.
  const input = inputs[0];
  if (input) {
    const reach = graph.reachable(input.id);
    for (const n of pipeline.nodes) {
      if (!reach.has(n.id) && byId.get(n.id) === n)
        warn({ code: "E_UNREACHABLE", nodeId: n.id, message: `node "${n.id}" cannot be reached from the input node "${input.id}"` });
    }
    const out = outputs[0];
    if (out && reach.has(out.id) === false)
      err({ code: "E_NO_PATH_TO_OUTPUT", nodeId: out.id, message: `no path leads from "${input.id}" to the output node "${out.id}"` });
  }

  // Cycles must pass through a bounding edge: remove those edges and whatever cycle is left is unbounded.
  const bounding = (e: { from: string; branch?: string | undefined }) => {
    const n = byId.get(e.from);
    const kind = n && registry.get(n.kind);
    return !!(kind?.boundsCycleThrough && configs.has(e.from) && kind.boundsCycleThrough(configs.get(e.from), e.branch) !== undefined);
  };
  for (const comp of graph.cycles((e) => !bounding(e))) {
    const first = comp[0] as string;
    err({
      code: "E_CYCLE_UNBOUNDED",
      nodeId: first,
      message: `the cycle ${[...comp, first].join(" → ")} has no bound: route it through a critique's "fail" branch or a route with maxIterations`,
    });
  }

  // A node that stands in for another must produce what that node's readers expect.
  const keysOf = (id: string): string[] | undefined => {
    const kind = registry.get(byId.get(id)?.kind ?? "");
    return configs.has(id) ? kind?.outputKeys?.(configs.get(id)) : undefined;
  };
  for (const n of pipeline.nodes) {
    const kind = registry.get(n.kind);
    if (!kind?.replaces || !configs.has(n.id)) continue;
    const own = keysOf(n.id);
    for (const target of kind.replaces(configs.get(n.id))) {
      const theirs = keysOf(target);
      if (!own || !theirs || sameKeys(own, theirs)) continue;
      warn({
        code: "E_REPLACEMENT_SHAPE",
        nodeId: n.id,
        message: `"${n.id}" replaces the output of "${target}" but produces ${own.join(", ")} where "${target}" produces ${theirs.join(", ")}; give it the same shape`,
      });
    }
  }

  // Merge fan-in.
  for (const n of pipeline.nodes) {
    if (registry.get(n.kind)?.join && graph.incoming(n.id).length < 2) {
      warn({
        code: "E_MERGE_SINGLE_INPUT",
        nodeId: n.id,
        message: `merge "${n.id}" has ${graph.incoming(n.id).length} incoming edge(s); it needs two or more to combine`,
      });
    }
  }

  // Templates, expressions, node and backend references.
  const knownRoots = new Set([...byId.keys(), INPUT_ROOT]);
  const backendByName = new Map<string, BackendAvailability>();
  const groups = new Set<string>();
  for (const b of opts.backends ?? []) {
    backendByName.set(b.name, b);
    if (b.group) groups.add(b.group);
  }
  pipeline.nodes.forEach((n, i) => {
    const kind = registry.get(n.kind);
    if (!kind || !configs.has(n.id)) return;
    const refs: ConfigRefs = kind.refs(configs.get(n.id));
    const p = (field: string) => `nodes[${i}].config.${field}`;
    for (const t of refs.templates) {
      const parsed = parseTemplate(t.text);
      if (parsed.error) err({ code: "E_TEMPLATE_SYNTAX", nodeId: n.id, path: p(t.field), message: `${n.id}.${t.field}: ${parsed.error}` });
      for (const hole of parsed.holes) {
        if (hole.kind !== "path") continue;
        if (!knownRoots.has(hole.head)) {
          err({
            code: "E_TEMPLATE_PATH",
            nodeId: n.id,
            path: p(t.field),
            message: `${n.id}.${t.field}: {{${hole.source}}} names no node; use input or one of: ${[...byId.keys()].join(", ")}`,
          });
          continue;
        }
        const keyProblem = checkFirstKey(hole.head, hole.segments[0], byId, registry, configs, pipeline);
        if (keyProblem) err({ code: "E_TEMPLATE_PATH", nodeId: n.id, path: p(t.field), message: `${n.id}.${t.field}: {{${hole.source}}}: ${keyProblem}` });
      }
      for (const r of templateRoots(t.text)) {
        if (!knownRoots.has(r.root) && !parsed.holes.some((h) => h.kind === "path" && h.source === r.source)) {
          warn({
            code: "E_TEMPLATE_PATH",
            nodeId: n.id,
            path: p(t.field),
            message: `${n.id}.${t.field}: {{${r.source}}} refers to "${r.root}", which is neither input nor a node id`,
          });
        }
      }
    }
    for (const x of refs.expressions) {
      const problem = checkExpression(x.text);
      if (problem) err({ code: "E_EXPRESSION", nodeId: n.id, path: p(x.field), message: `${n.id}.${x.field}: invalid expression "${x.text}": ${problem}` });
    }
    for (const r of refs.nodes) {
      if (!byId.has(r.id)) err({ code: "E_UNKNOWN_NODE", nodeId: n.id, path: p(r.field), message: `${n.id}.${r.field} names unknown node "${r.id}"` });
    }
    if (opts.backends) {
      for (const b of refs.backends) {
        const known = backendByName.get(b.name);
        if (!known && !groups.has(b.name)) {
          err({
            code: "E_UNKNOWN_BACKEND",
            nodeId: n.id,
            path: p(b.field),
            message: `${n.id}.${b.field}: no backend named "${b.name}"; configured: ${[...backendByName.keys()].join(", ") || "none"}`,
          });
        } else if (known && !known.available) {
          err({
            code: "E_BACKEND_UNAVAILABLE",
            nodeId: n.id,
            path: p(b.field),
            message: `${n.id}.${b.field}: ${known.reason ?? `backend "${b.name}" is not available`}`,
          });
        }
      }
    }
    const schema = (configs.get(n.id) as { schema?: unknown } | undefined)?.schema;
    if (schema !== undefined) {
      const problem = checkJsonSchema(schema);
      if (problem) err({ code: "E_SCHEMA", nodeId: n.id, path: p("schema"), message: `${n.id}.schema is not a valid JSON Schema: ${problem}` });
    }
  });
  if (pipeline.input?.schema) {
    const problem = checkJsonSchema(pipeline.input.schema);
    if (problem) err({ code: "E_SCHEMA", path: "input.schema", message: `input.schema is not a valid JSON Schema: ${problem}` });
  }
  // The optional evaluation section: evaluators and gates.
  ds.push(...evaluationOf(pipeline).diagnostics);
  return ds;
}

/** When a node's output keys are known (a shape, a critique), `{{gen.nmae}}` is a static error. */
function checkFirstKey(
  head: string,
  first: string | number | undefined,
  byId: Map<string, PipelineNode>,
  registry: Registry,
  configs: Map<string, unknown>,
  pipeline: Pipeline,
): string | undefined {
  if (typeof first !== "string") return undefined;
  if (head === INPUT_ROOT) {
    const schema = pipeline.input?.schema as { properties?: Record<string, unknown>; additionalProperties?: unknown } | undefined;
    if (schema?.properties && schema.additionalProperties === false && !Object.hasOwn(schema.properties, first)) {
      return `the input schema has no property "${first}"`;
    }
    return undefined;
  }
  const n = byId.get(head);
  const kind = n && registry.get(n.kind);
  if (!kind?.outputKeys || !configs.has(head)) return undefined;
  const keys = kind.outputKeys(configs.get(head));
  if (keys && !keys.includes(first)) return `"${head}" outputs ${keys.map((k) => `"${k}"`).join(", ")}, not "${first}"`;
  return undefined;
}

const sameKeys = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && [...a].sort().join("\u0000") === [...b].sort().join("\u0000");
