import type { z } from "zod";
import type { LlmRequest, SimulationTools } from "./backends/types.js";
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
  /** Judging nodes: the node whose output was judged (a vote takes that output, with this node's score). */
  subject?: string;
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
  /**
   * Pauses the run for a person (LangGraph's interrupt). The first call ends the run's current
   * stretch with status `waiting` and a node_waiting event showing `request`; when the run is
   * resumed the node executes again from its start and this returns the decision. Absent where a
   * run cannot pause (batch runs refuse such pipelines).
   */
  waitForReview?(request: ReviewRequest): ReviewAnswer;
}

/** What a pausing node shows its reviewer (becomes the node_waiting event). */
export interface ReviewRequest {
  message: string;
  reviews?: string;
  value: unknown;
  allowEdit: boolean;
  /** Decisions a person may send; each is also a branch of the node. */
  decisions: string[];
  /** The node takes its `timeout` branch after this long. */
  timeoutMs?: number;
}

/** A decision given to a paused node when its run resumes. */
export interface ReviewAnswer {
  decision: string;
  /** The reviewer's edited value, when the node allows editing and they edited it. */
  value?: unknown;
  reviewer?: string;
  comment?: string;
  /** Epoch milliseconds. */
  decidedAt: number;
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

/**
 * Inspector widgets a kind names for a config field with zod metadata, `.meta({ widget })`, when
 * the field's type cannot say it: a `{{path}}` template, a node id, one of the node's own branch
 * ids, a backend name, or the list of branches.
 */
export type FieldWidget = "template" | "nodeRef" | "branchRef" | "backend" | "branches";

export type DiagramShape = "stadium" | "rect" | "rhombus" | "hexagon" | "trapezoid" | "circle" | "subroutine" | "parallelogram" | "asymmetric";

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
  /**
   * The pipeline's fixed ends (pipeline-format: one input, one output): "start" takes the run
   * input and has no incoming edges, "end" gives the result and has no outgoing edges.
   */
  terminal?: "start" | "end";
  /** Pauses the run for a person (ctx.waitForReview); runs that cannot pause (batches) refuse the pipeline. */
  pauses?: true;
  /** Waits for every incoming branch before it runs (fan-in). */
  join?: boolean;
  /** Bounds a cycle through the given outgoing branch (critique `fail`, a route with maxIterations). */
  boundsCycleThrough?(config: C, branch: string | undefined): number | undefined;
  refs(config: C): ConfigRefs;
  /** The canvas node's summary. Reads the raw config: a node being edited may not parse yet. */
  summary?(config: Record<string, unknown>): NodeSummary;
  /** Top-level keys of this node's output when they are known statically (for lint and autocomplete). */
  outputKeys?(config: C): string[] | undefined;
  /**
   * Nodes whose output this node's output stands in for downstream (a corrector revising a draft).
   * Lint warns when their known output keys differ, since readers of the replaced node would break.
   */
  replaces?(config: C): string[];
  prepare?(ctx: NodeContext<C>): Promise<Prepared>;
  execute(ctx: NodeContext<C>, prepared: Prepared): Promise<NodeResult>;
  /** How the simulated backend answers this kind's LLM calls (the text a model would reply). */
  simulate?(request: LlmRequest, sim: SimulationTools): string;
  /** Its look: Mermaid shape, icon, the colour of its stripe on the canvas and palette, and its Mermaid style. */
  diagram: {
    shape: DiagramShape;
    icon: string;
    /** CSS hex colour: the kind's stripe on the canvas and palette. */
    colour: string;
    /** Mermaid `classDef` body for nodes of this kind, e.g. "fill:#e7f5ff,stroke:#1c7ed6,color:#0b2e4f". */
    style: string;
  };
  /** Plain-Mermaid shapes (no Braid class, no embedded pipeline) imported as this kind. */
  recognises?: DiagramShape[];
  /** Imports a node of an unrecognised shape as this kind (exactly one registered kind should say so). */
  diagramFallback?: true;
  /** Guesses a placeholder config for a node imported from plain Mermaid as this kind. */
  fromDiagram?(draft: DiagramDraft): DiagramGuess;
}

/** An edge of a flowchart being imported; `label` is the Mermaid edge text. */
export interface DiagramEdge {
  from: string;
  to: string;
  label?: string;
}

/** A node of a plain Mermaid flowchart being imported, as its kind's `fromDiagram` sees it. */
export interface DiagramDraft {
  id: string;
  label?: string;
  /** How notes name the node, e.g. `node "c" ("Check it")`. */
  name: string;
  /** How its kind was read, e.g. `hexagon read as a critique node`, for the note. */
  how: string;
  outgoing: readonly DiagramEdge[];
  incoming: readonly DiagramEdge[];
  /** The kind another draft was imported as. */
  kindOf(id: string): string | undefined;
  /** Config other nodes gave this one (`give` below), e.g. a critique's corrector gets `revises`. */
  given: Record<string, unknown>;
}

/** A kind's guess for an imported node. */
export interface DiagramGuess {
  config: Record<string, unknown>;
  /** One warning describing the guess. */
  note?: string;
  /** The branch of each outgoing edge, by index; undefined leaves the edge plain. */
  branches?: Array<string | undefined>;
  /** Warnings about its edges, reported after the node notes. */
  edgeNotes?: string[];
  /** Config merged into other nodes, by id; their kind's `fromDiagram` runs again with it as `given`. */
  give?: Record<string, Record<string, unknown>>;
}

/** What a canvas node shows at a glance: an excerpt of its main text and a few facts. */
export interface NodeSummary {
  excerpt?: string;
  facts: string[];
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

  /** The kind id of the pipeline's start or end node. */
  terminal(which: "start" | "end"): string {
    const kind = this.list().find((k) => k.terminal === which);
    if (!kind) throw new Error(`no registered node kind is the pipeline's ${which}`);
    return kind.kind;
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
