import jsonata from "jsonata";

/**
 * Route conditions and non-path template holes are JSONata (>= 2.0.4): a query language that
 * cannot reach JavaScript objects, globals or prototypes. Its guardrails (time, stack depth,
 * sequence length) keep a hostile expression such as `$map([1..1e7], …)` from stalling the engine.
 */
export const EXPRESSION_TIME_LIMIT_MS = 250;
const MAX_DEPTH = 500;
const MAX_LENGTH = 4000;
const MAX_SEQUENCE = 1_000_000;

type Compiled = ReturnType<typeof jsonata>;
const cache = new Map<string, Compiled>();

export class ExpressionError extends Error {}

export function compileExpression(source: string): Compiled {
  const hit = cache.get(source);
  if (hit) return hit;
  if (source.length > MAX_LENGTH) throw new ExpressionError(`expression is longer than ${MAX_LENGTH} characters`);
  let expr: Compiled;
  try {
    // Options added in jsonata 2.1; the bundled typings predate them.
    expr = (jsonata as unknown as (s: string, o: object) => Compiled)(source, { timeout: EXPRESSION_TIME_LIMIT_MS, stack: MAX_DEPTH, sequence: MAX_SEQUENCE });
  } catch (err) {
    throw new ExpressionError(describeJsonataError(err));
  }
  // $eval would let text from the state become an expression; remove it.
  expr.registerFunction("eval", () => {
    throw new ExpressionError("$eval is not allowed");
  });
  if (cache.size > 2000) cache.clear();
  cache.set(source, expr);
  return expr;
}

export function describeJsonataError(err: unknown): string {
  const e = err as { message?: string; position?: number; token?: string };
  const at = typeof e.position === "number" ? ` at position ${e.position}` : "";
  return `${e.message ?? String(err)}${at}`;
}

/** Evaluates over `state`; JSONata's own guardrails enforce the time, depth and sequence limits. */
export async function evaluateExpression(source: string, state: unknown): Promise<unknown> {
  const expr = compileExpression(source);
  try {
    return await expr.evaluate(state);
  } catch (err) {
    if (err instanceof ExpressionError) throw err;
    throw new ExpressionError(describeJsonataError(err));
  }
}

/** JSONata-style truthiness: empty strings, zero, empty arrays, null and missing are false. */
export function isTruthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === "") return false;
  if (typeof v === "number" && Number.isNaN(v)) return false;
  if (Array.isArray(v)) return v.some(isTruthy);
  return true;
}

/** Syntax check for lint; returns an error message or undefined. */
export function checkExpression(source: string): string | undefined {
  try {
    compileExpression(source);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Names that start top-level paths in an expression (best effort, for lint). */
export function expressionRoots(source: string): string[] {
  let ast: unknown;
  try {
    ast = compileExpression(source).ast();
  } catch {
    return [];
  }
  const roots = new Set<string>();
  const visit = (n: unknown, top: boolean): void => {
    if (!n || typeof n !== "object") return;
    const node = n as Record<string, unknown>;
    if (node.type === "path" && Array.isArray(node.steps) && top) {
      const first = node.steps[0] as Record<string, unknown> | undefined;
      if (first?.type === "name" && typeof first.value === "string") roots.add(first.value);
      for (const s of node.steps) visit(s, false);
      return;
    }
    if (node.type === "name" && top && typeof node.value === "string") {
      roots.add(node.value);
      return;
    }
    for (const [k, v] of Object.entries(node)) {
      if (k === "steps" || k === "stages" || k === "predicate") {
        if (Array.isArray(v)) for (const x of v) visit(x, false);
        continue;
      }
      if (Array.isArray(v)) for (const x of v) visit(x, top);
      else if (v && typeof v === "object") visit(v, top);
    }
  };
  visit(ast, true);
  return [...roots];
}
