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
    // No `timeout`: jsonata's is wall-clock from the start, so on a busy process (hundreds of runs
    // interleaving) a three-step expression "times out". The time limit is paceAndLimit's instead.
    expr = jsonata(source, {
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
  expr.assign(Symbol.for("jsonata.__evaluate_entry") as unknown as string, paceAndLimit);
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

/** A gap between two steps of one evaluation longer than this was someone else's turn (a yield, other runs), not its own work. */
const OWN_STEP_GAP_MS = 2;

interface Pace {
  last: number;
  /** Time spent in this evaluation's own steps. */
  busy: number;
  sinceYield: number;
}
const paces = new WeakMap<object, Pace>();

/**
 * Hooked into every step of an evaluation (keyed by its own environment). The time limit counts
 * the evaluation's own work, not the wall clock: gaps between its steps longer than
 * OWN_STEP_GAP_MS are other work's. And after YIELD_EVERY_MS of continuous work it gives the event
 * loop a turn (jsonata never yields, so a 250 ms expression would hold it for 250 ms).
 */
function paceAndLimit(_expr: unknown, _input: unknown, env: { base?: object }): Promise<void> | undefined {
  const key = env.base ?? env;
  const now = performance.now();
  const p = paces.get(key);
  if (!p) {
    paces.set(key, { last: now, busy: 0, sinceYield: 0 });
    return undefined;
  }
  const gap = now - p.last;
  p.last = now;
  if (gap <= OWN_STEP_GAP_MS) {
    p.busy += gap;
    p.sinceYield += gap;
  }
  if (p.busy > EXPRESSION_TIME_LIMIT_MS)
    throw new ExpressionError(`Evaluation timeout after ${EXPRESSION_TIME_LIMIT_MS} milliseconds of evaluation. Check for infinite loop`);
  if (p.sinceYield < YIELD_EVERY_MS) return undefined;
  p.sinceYield = 0;
  return new Promise<void>((resolve) => setTimeout(resolve, 0)).then(() => {
    p.last = performance.now();
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

/** Evaluates over `state`; JSONata's guardrails enforce the depth and sequence limits, paceAndLimit the time limit. */
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
