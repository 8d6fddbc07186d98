import type { z } from "zod";
import type { LlmRequest } from "./backends/types.js";
import type { RunEventInit } from "./events.js";
import type { Pipeline, PipelineNode } from "./format/schema.js";

/** Per-node bookkeeping kept in the run state beside the outputs. */
export interface NodeMeta {
  /** Executions of this node so far in the run. */
  visits: number;
  /** Critique: evaluations so far. */
  attempts?: number;
  score?: number;
  passed?: boolean;
  /** Branching nodes: the branch taken on the latest execution, and why. */
  branch?: string;
  reason?: string;
}

/** The state a template or expression sees: `input` plus one key per node with its latest output. */
export type StateView = Record<string, unknown>;

export interface LlmCallResult {
  text: string;
  /** Parsed and validated JSON when the request asked for JSON. */
  json?: unknown;
  backend: string;
  model: string;
}

export interface NodeContext<C> {
  node: PipelineNode;
  config: C;
  pipeline: Pipeline;
  /** Source node ids of this node's incoming edges. */
  incoming: string[];
  state: StateView;
  meta: Readonly<Record<string, NodeMeta>>;
  /** This node's executions before this one (0 on the first). */
  visit: number;
  signal: AbortSignal;
  /** Deterministic random numbers for this execution, from the run seed. */
  random(): number;
  render(template: string): Promise<string>;
  value(template: string): Promise<unknown>;
  evaluate(expression: string): Promise<unknown>;
  /** Calls a backend through the pool: retries, fallback, usage and cost accounting, token events. */
  llm(backend: string, request: LlmRequest): Promise<LlmCallResult>;
  emit(event: NodeEventInit): void;
}

/** Events a node may emit itself; the runner adds runId, time, node id and span. */
export type NodeEventInit =
  Extract<RunEventInit, { type: "route_decided" | "loop_iteration" }> extends infer E
    ? E extends { nodeId: string; span: string }
      ? Omit<E, "nodeId" | "span">
      : never
    : never;

export interface NodeResult {
  output: unknown;
  /** For branching kinds: the branch to take. */
  branch?: string;
  reason?: string;
  /** Merged into this node's NodeMeta. */
  meta?: Partial<NodeMeta>;
  /** Other nodes whose latest output this result replaces (the corrector's `revises`). */
  replaces?: string[];
}

/** What a node will send, resolved before it starts: shown in `node_started`. */
export interface Prepared {
  prompt?: string;
  system?: string;
  backend?: string;
}

export type DiagramShape = "stadium" | "rect" | "rhombus" | "hexagon" | "trapezoid" | "circle" | "subroutine" | "parallelogram";

export interface ConfigRefs {
  /** Template strings, keyed by the config field they come from (for lint and autocomplete). */
  templates: Array<{ field: string; text: string }>;
  /** JSONata expressions, keyed by field. */
  expressions: Array<{ field: string; text: string }>;
  /** Node ids named by the config (critique `target`, generate `revises`). */
  nodes: Array<{ field: string; id: string }>;
  /** Backend names used by the config. */
  backends: Array<{ field: string; name: string }>;
}

/**
 * A node kind: everything about one kind lives in one file that exports one of these.
 * Nothing else in Braid switches on kind names.
 */
export interface NodeKind<C = unknown> {
  kind: string;
  title: string;
  /** One line for the palette. */
  description: string;
  configSchema: z.ZodType<C>;
  /** Config for a new node of this kind dropped on the canvas. */
  defaults(pipeline: Pipeline): Record<string, unknown>;
  /** Outgoing branch ids, or undefined for a kind whose outgoing edges are plain (all taken). */
  branches?(config: C): string[];
  /** Branches that can never be taken with this config, so they need no edge. */
  optionalBranches?(config: C): string[];
  /** Waits for every incoming branch before it runs (fan-in). */
  join?: boolean;
  /** Bounds a cycle through the given outgoing branch (critique `fail`, a route with maxIterations). */
  boundsCycleThrough?(config: C, branch: string | undefined): number | undefined;
  refs(config: C): ConfigRefs;
  /** Top-level keys of this node's output when they are known statically (for lint and autocomplete). */
  outputKeys?(config: C): string[] | undefined;
  prepare?(ctx: NodeContext<C>): Promise<Prepared>;
  execute(ctx: NodeContext<C>, prepared: Prepared): Promise<NodeResult>;
  diagram: { shape: DiagramShape; icon: string };
}

export type AnyNodeKind = NodeKind<any>;

export class Registry {
  private readonly kinds = new Map<string, AnyNodeKind>();

  constructor(kinds: AnyNodeKind[] = []) {
    for (const k of kinds) this.register(k);
  }

  register(kind: AnyNodeKind): this {
    if (this.kinds.has(kind.kind)) throw new Error(`node kind "${kind.kind}" is already registered`);
    this.kinds.set(kind.kind, kind);
    return this;
  }

  get(kind: string): AnyNodeKind | undefined {
    return this.kinds.get(kind);
  }

  has(kind: string): boolean {
    return this.kinds.has(kind);
  }

  list(): AnyNodeKind[] {
    return [...this.kinds.values()];
  }

  /** Parses a node's config with its kind's schema; undefined when the kind is unknown. */
  parseConfig(node: PipelineNode): { ok: true; config: unknown } | { ok: false; error: z.ZodError } | undefined {
    const kind = this.kinds.get(node.kind);
    if (!kind) return undefined;
    const r = kind.configSchema.safeParse(node.config ?? {});
    return r.success ? { ok: true, config: r.data } : { ok: false, error: r.error };
  }
}

export const emptyRefs = (): ConfigRefs => ({ templates: [], expressions: [], nodes: [], backends: [] });
