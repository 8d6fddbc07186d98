import jsonata from "jsonata";
import { BraidError } from "../errors.js";
import { Re2RegExp, regexLiterals, toRe2 } from "./regex.js";

/**
 * Route conditions and non-path template holes are JSONata (>= 2.0.4): a query language that
 * cannot reach JavaScript objects, globals or prototypes. Its guardrails (time, stack depth,
 * sequence length) keep a hostile expression such as `$map([1..1e7], …)` from stalling the engine.
 */
export const EXPRESSION_TIME_LIMIT_MS = 250;
const MAX_DEPTH = 500;
const MAX_LENGTH = 4000;
const MAX_SEQUENCE = 1_000_000;
/** Continuous evaluation longer than this gives the event loop a turn (timers, I/O, other runs). */
const YIELD_EVERY_MS = 10;

/**
 * The largest string an expression step may produce (characters). Checked as each step returns and
 * before `$pad` builds its result, so `$pad("x", 1e8)` fails at once instead of filling memory.
 */
export const expressionLimits = { maxStringLength: 1_000_000 };

/** Sets the expression limits (for example from server configuration); returns the values in force. */
export function configureExpressionLimits(limits: Partial<typeof expressionLimits>): typeof expressionLimits {
  if (limits.maxStringLength !== undefined) {
    if (!Number.isInteger(limits.maxStringLength) || limits.maxStringLength < 1) throw new RangeError("maxStringLength must be a positive integer");
    expressionLimits.maxStringLength = limits.maxStringLength;
  }
  return { ...expressionLimits };
}

export function tooLarge(what: string, length: number): BraidError {
  return new BraidError("E_OUTPUT_TOO_LARGE", `${what} is ${length} characters long; the limit is ${expressionLimits.maxStringLength}`, {
    details: { length, limit: expressionLimits.maxStringLength },
  });
}

type Compiled = ReturnType<typeof jsonata>;
const cache = new Map<string, Compiled>();

export class ExpressionError extends Error {}

export function compileExpression(source: string): Compiled {
  const hit = cache.get(source);
  if (hit) return hit;
  if (source.length > MAX_LENGTH) throw new ExpressionError(`expression is longer than ${MAX_LENGTH} characters`);
  let expr: Compiled;
  try {
    expr = jsonata(source, {
      timeout: EXPRESSION_TIME_LIMIT_MS,
      stack: MAX_DEPTH,
      sequence: MAX_SEQUENCE,
      RegexEngine: Re2RegExp as unknown as RegExpConstructor,
    });
  } catch (err) {
    throw new ExpressionError(describeJsonataError(err));
  }
  // Refused here, so lint reports the node and field, rather than at run time.
  for (const re of regexLiterals(expr.ast())) {
    try {
      toRe2(re);
    } catch (err) {
      throw new ExpressionError((err as Error).message);
    }
  }
  // $eval would let text from the state become an expression; remove it.
  expr.registerFunction("eval", () => {
    throw new ExpressionError("$eval is not allowed");
  });
  expr.registerFunction("pad", boundedPad, "<s-ns?:s>");
  expr.assign(Symbol.for("jsonata.__evaluate_entry") as unknown as string, yieldWhenBusy);
  expr.assign(Symbol.for("jsonata.__evaluate_exit") as unknown as string, checkStepResult);
  if (cache.size > 2000) cache.clear();
  cache.set(source, expr);
  return expr;
}

type JsonataFunction = { implementation: (str: string, width: number, char?: string) => string };
let originalPad: JsonataFunction | undefined;

async function boundedPad(str: string | undefined, width: number, char?: string): Promise<string | undefined> {
  if (str === undefined) return undefined;
  const target = Math.abs(Math.trunc(width));
  if (target > expressionLimits.maxStringLength) throw tooLarge("$pad's result", target);
  originalPad ??= (await jsonata("$pad").evaluate({})) as JsonataFunction;
  return originalPad.implementation(str, width, char);
}

// jsonata's guardrails check the time limit between steps, but never yield: a 250 ms expression
// would hold the event loop for 250 ms. Hooked into every step (keyed by the evaluation's own
// environment); cheap unless this evaluation has been working for a while.
const lastYield = new WeakMap<object, number>();
function yieldWhenBusy(_expr: unknown, _input: unknown, env: { base?: object }): Promise<void> | undefined {
  const key = env.base ?? env;
  const now = Date.now();
  const last = lastYield.get(key);
  if (last === undefined) lastYield.set(key, now);
  if (last === undefined || now - last < YIELD_EVERY_MS) return undefined;
  return new Promise((resolve) => setTimeout(resolve, 0)).then(() => {
    lastYield.set(key, Date.now());
  });
}

function checkStepResult(_expr: unknown, _input: unknown, _env: unknown, result: unknown): void {
  if (typeof result === "string" && result.length > expressionLimits.maxStringLength) throw tooLarge("an expression's result", result.length);
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
    if (err instanceof ExpressionError || err instanceof BraidError) throw err;
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
