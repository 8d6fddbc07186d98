/**
 * Stable error and diagnostic codes. The README's error-code table is generated from
 * ERROR_CODES (see `pnpm braid codes`), so a code documented here is a code users can rely on.
 */
export const ERROR_CODES = {
  // format and parsing
  E_PARSE: "The file is not valid JSON.",
  E_FORMAT: "The document does not match the pipeline format (a field is missing or has the wrong type).",
  E_FORMAT_VERSION: "The `format` value names a version this Braid cannot read.",
  // graph structure
  E_DUPLICATE_ID: "Two nodes share one id.",
  E_RESERVED_ID: "A node other than the input node uses the id `input`, which templates reserve for the run input.",
  E_NO_INPUT: "The pipeline has no `input` node.",
  E_MULTIPLE_INPUTS: "The pipeline has more than one `input` node.",
  E_NO_OUTPUT: "The pipeline has no `output` node.",
  E_MULTIPLE_OUTPUTS: "The pipeline has more than one `output` node.",
  E_UNKNOWN_KIND: "A node's `kind` is not a registered node kind.",
  E_UNKNOWN_NODE: "An edge or a config key names a node id that does not exist.",
  E_UNKNOWN_BACKEND: "A node names a backend that is not configured.",
  E_BACKEND_UNAVAILABLE: "A backend is configured but cannot be used here (disabled, or its provider is not available).",
  E_EGRESS_REFUSED: "A backend's base URL points at a host the egress policy refuses (with BRAID_TOKEN or BRAID_EGRESS_ALLOW, only the listed hosts).",
  E_KEY_ENV_REFUSED: "A backend's `apiKeyEnv` names no key-like variable (see BRAID_KEY_ENV_PATTERN) or one of Braid's own (BRAID_*).",
  E_UNKNOWN_BRANCH: "An edge's `branch` is not a branch its source node declares.",
  E_BRANCH_REQUIRED: "An edge leaving a branching node (route, critique) has no `branch`.",
  E_BRANCH_UNCONNECTED: "A declared branch has no outgoing edge; a run that takes it stops there.",
  E_INPUT_HAS_INCOMING: "An edge points into the `input` node.",
  E_OUTPUT_HAS_OUTGOING: "An edge leaves the `output` node.",
  E_UNREACHABLE: "A node cannot be reached from the input node.",
  E_NO_PATH_TO_OUTPUT: "No path leads from the input node to the output node.",
  E_CYCLE_UNBOUNDED: "A cycle passes through neither a critique's `fail` branch nor a route with `maxIterations`.",
  E_MERGE_SINGLE_INPUT: "A merge node has fewer than two incoming edges, so it has nothing to combine.",
  E_REPLACEMENT_SHAPE:
    "A node that replaces another's output (a corrector's `revises`) has a shape or schema with other top-level keys, so the nodes reading the replaced output would not find theirs.",
  E_SELF_EDGE: "An edge goes from a node to itself.",
  // config and expressions
  E_CONFIG: "A node's `config` fails its kind's schema; the message names the field.",
  E_TEMPLATE_PATH: "A `{{path}}` in a template names no node and is not `input`.",
  E_TEMPLATE_SYNTAX: "A template has an unclosed `{{` or an invalid expression inside `{{ }}` (including a regular expression RE2 cannot run).",
  E_EXPRESSION: "A route's `when` is not a valid JSONata expression, or uses a regular expression RE2 cannot run (backreferences, lookaround).",
  E_INPUT_SCHEMA: "The run input does not satisfy the pipeline's input schema.",
  E_SCHEMA: "A JSON Schema in the pipeline is itself invalid.",
  // run time
  E_TEMPLATE_RUNTIME: "At run time a template path resolved to nothing.",
  E_LLM_OUTPUT: "A model's output could not be parsed as the requested JSON, even after one repair attempt.",
  E_OUTPUT_SHAPE: "A model's JSON output does not satisfy the node's shape or schema.",
  E_BACKEND_FAILED: "A backend call failed after its retries and fallbacks.",
  E_BACKEND_TIMEOUT: "A backend call exceeded its timeout.",
  E_BUDGET_EXCEEDED: "The run exceeded its token, cost or wall-time budget and was stopped.",
  E_RECURSION_LIMIT: "The run took more steps than its loop bounds allow (an internal safeguard).",
  E_STEP_LIMIT: "The run executed more node steps than its step limit allows (the message names the node); raise the limit or shorten the loop.",
  E_OUTPUT_TOO_LARGE: "An expression, template, node output or event exceeded its size limit (the message names the node and the limit).",
  E_NODE_FAILED: "A node threw an unexpected error.",
  E_NODE_UPSTREAM_MISSING:
    "A single-node run cannot start: the chosen run (or the example input) lacks the outputs of the nodes feeding it; the message names them.",
  E_NO_OUTPUT_PRODUCED: "The run ended without reaching the output node (it took a branch that has no edge).",
  E_CANCELLED: "The run was cancelled.",
  E_INTERNAL: "An unexpected engine error; the message says what happened.",
  E_NOT_WAITING: "A resume was sent for a run that is not waiting for a review (it is running, finished or already resumed); HTTP 409.",
  E_REVIEW_INVALID:
    "A resume names a node that is not the waiting one, an unknown decision, or an edited value the node does not allow or that does not match the reviewed node's shape or schema; the message names the field; HTTP 400.",
  E_APPROVAL_UNSUPPORTED:
    "The pipeline has an approval node but this kind of run cannot pause for a person (batches and experiments); the message names the node.",
  E_EVALUATOR:
    "An evaluator in a pipeline's `evaluation` section or an evaluators file is invalid (unknown type, a missing or wrong field, a bad expression or regex); the message names the field.",
  E_GATE: "A quality gate cannot be parsed, names an unknown metric or evaluator, or uses `baseline.` without a baseline; the message names the gate.",
  E_DATASET:
    "An evaluation dataset has bad rows (not JSON, not an object, wrong cell count, a bad CSV quote, failing the input schema); the message lists line numbers, and nothing is imported.",
  E_DATASET_TOO_LARGE: "A dataset upload or version has more records than the server keeps in one version (100,000); split it; HTTP 413.",
  E_DATASET_IN_USE: "A dataset cannot be deleted while experiments that ran over it exist; delete them first; HTTP 409.",
  E_EXPERIMENT_STATE:
    "The experiment is not in a state that allows the request (resuming a running or completed one; gates or a comparison of one that has not completed); HTTP 409.",
  E_CODEGEN_UNSUPPORTED: "Code export (`braid codegen`) cannot express a node of this kind yet; the message names the node and its kind.",
  // input limits and the HTTP server's request checks
  E_TOO_DEEP: "A JSON value (request body, tRPC input, batch record) nests deeper than the limit (BRAID_MAX_JSON_DEPTH, default 100).",
  E_HOST_NOT_ALLOWED: "The Host is a name other than `localhost`, BRAID_HOST or a BRAID_ALLOWED_HOSTS entry (DNS rebinding); HTTP 421.",
  E_CROSS_ORIGIN: "A state-changing request came from a page on another origin (Origin or Sec-Fetch-Site); HTTP 403.",
  E_UNSUPPORTED_MEDIA_TYPE: "A JSON route or tRPC call got a body whose Content-Type is not application/json; HTTP 415.",
  E_RATE_LIMITED: "Too many failed logins from this address; retry after the Retry-After seconds; HTTP 429.",
  // deployments and the optimizer
  E_POLICY: "A deployment policy (or a quality gate change) fails validation; the message names the field, e.g. `canaryPercent` or `gates[0]`; HTTP 400.",
  E_VERSION_NOT_FOUND: "A pipeline version named by `?version=`, a tag or a restore does not exist; HTTP 404.",
  E_NO_CANDIDATE: "A promotion needs a version tagged `candidate`, and the pipeline has none; HTTP 409.",
  E_ACTION_STATE: "A pending optimizer action was already decided, or its candidate is no longer tagged; HTTP 409.",
  // queue mode
  E_QUEUE_UNAVAILABLE:
    "Queue mode: Redis (BRAID_REDIS_URL) is unreachable, so no new run can be queued; runs already queued are kept; retry after the Retry-After seconds; HTTP 503.",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error that carries a stable code and, when it concerns one, the node id. */
export class BraidError extends Error {
  readonly code: ErrorCode;
  readonly nodeId?: string;
  readonly details?: Record<string, unknown>;
  constructor(code: ErrorCode, message: string, opts: { nodeId?: string; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "BraidError";
    this.code = code;
    if (opts.nodeId !== undefined) this.nodeId = opts.nodeId;
    if (opts.details !== undefined) this.details = opts.details;
  }
}

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  nodeId?: string;
}

/** Turns anything thrown into a coded error, without leaking stacks or raw library classes. */
export function toErrorInfo(err: unknown, fallbackNodeId?: string): ErrorInfo {
  if (err instanceof BraidError) {
    const nodeId = err.nodeId ?? fallbackNodeId;
    return nodeId === undefined ? { code: err.code, message: err.message } : { code: err.code, message: err.message, nodeId };
  }
  const name = (err as { name?: string } | null)?.name;
  const message = err instanceof Error ? err.message : String(err);
  if (name === "GraphRecursionError") {
    return withNode({ code: "E_RECURSION_LIMIT", message: "the run exceeded the step limit derived from its loop bounds" }, fallbackNodeId);
  }
  if (name === "AbortError") return withNode({ code: "E_CANCELLED", message: "cancelled" }, fallbackNodeId);
  return withNode({ code: "E_NODE_FAILED", message }, fallbackNodeId);
}

function withNode(info: ErrorInfo, nodeId: string | undefined): ErrorInfo {
  return nodeId === undefined ? info : { ...info, nodeId };
}
