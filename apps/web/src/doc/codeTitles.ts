import type { ErrorCode } from "@braid/core";

/**
 * Short human titles for the stable codes, shown first in the Problems list and the inspector;
 * the code stays beside them (it is what the README's table and the CLI print). A code without
 * a title here (one added to ERROR_CODES later) gets one made from its name.
 */
const TITLES: Partial<Record<ErrorCode, string>> = {
  E_PARSE: "Not valid JSON",
  E_FORMAT: "Not a valid pipeline document",
  E_FORMAT_VERSION: "Unknown format version",
  E_DUPLICATE_ID: "Duplicate node id",
  E_RESERVED_ID: "Reserved id",
  E_NO_INPUT: "No input node",
  E_MULTIPLE_INPUTS: "More than one input node",
  E_NO_OUTPUT: "No output node",
  E_MULTIPLE_OUTPUTS: "More than one output node",
  E_UNKNOWN_KIND: "Unknown node kind",
  E_UNKNOWN_NODE: "Unknown node",
  E_UNKNOWN_BACKEND: "Unknown backend",
  E_BACKEND_UNAVAILABLE: "Backend unavailable",
  E_EGRESS_REFUSED: "Backend host not allowed",
  E_KEY_ENV_REFUSED: "Key variable refused",
  E_UNKNOWN_BRANCH: "Unknown branch",
  E_BRANCH_REQUIRED: "Connection needs a branch",
  E_BRANCH_UNCONNECTED: "Branch not connected",
  E_INPUT_HAS_INCOMING: "Connection into the input",
  E_OUTPUT_HAS_OUTGOING: "Connection out of the output",
  E_UNREACHABLE: "Unreachable node",
  E_NO_PATH_TO_OUTPUT: "No path to the output",
  E_CYCLE_UNBOUNDED: "Loop without a bound",
  E_MERGE_SINGLE_INPUT: "Merge with one input",
  E_REPLACEMENT_SHAPE: "Corrector shape differs from the draft",
  E_SELF_EDGE: "Node connected to itself",
  E_CONFIG: "Invalid setting",
  E_TEMPLATE_PATH: "Unknown template path",
  E_TEMPLATE_SYNTAX: "Template syntax error",
  E_EXPRESSION: "Invalid expression",
  E_INPUT_SCHEMA: "Input does not match its schema",
  E_SCHEMA: "Invalid JSON Schema",
  E_TEMPLATE_RUNTIME: "Template path empty at run time",
  E_LLM_OUTPUT: "Model output not parseable",
  E_OUTPUT_SHAPE: "Model output has the wrong shape",
  E_BACKEND_FAILED: "Backend call failed",
  E_BACKEND_TIMEOUT: "Backend timed out",
  E_BUDGET_EXCEEDED: "Budget exceeded",
  E_STEP_LIMIT: "Step limit reached",
  E_OUTPUT_TOO_LARGE: "Too large",
  E_NODE_FAILED: "Node failed",
  E_NO_OUTPUT_PRODUCED: "Run produced no output",
  E_CANCELLED: "Cancelled",
  E_INTERNAL: "Internal error",
};

export function codeTitle(code: string): string {
  const known = TITLES[code as ErrorCode];
  if (known) return known;
  const words = code.replace(/^E_/, "").toLowerCase().replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}
