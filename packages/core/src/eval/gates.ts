import { BraidError } from "../errors.js";

/**
 * Quality gates: one comparison over metrics, absolute or relative to a baseline.
 *
 *   gate    := sum ("<" | "<=" | ">" | ">=" | "==" | "!=") sum
 *   sum     := product (("+" | "-") product)*
 *   product := unary (("*" | "/") unary)*
 *   unary   := "-" unary | number | metric | "(" sum ")"
 *   metric  := ["baseline" "."] (name | "passRate" "(" string ")")
 *
 * `score >= 0.8`, `p95LatencyMs <= 800`, `score >= baseline.score - 0.03`,
 * `passRate("json-schema") >= 0.99`. A small grammar of its own (not JSONata) so that a name
 * that is no metric is an error that names it, never a silently false gate.
 */
/** Any metrics object: its number fields are the metric names, `passRates` feeds `passRate("x")` (ExperimentMetrics, or issue 15's live metrics). */
export type GateMetrics = object & { readonly passRates?: Readonly<Record<string, number>> };

export interface GateResult {
  expr: string;
  passed: boolean;
  /** The left side's value. */
  actual?: number;
  /** The right side's value. */
  threshold?: number;
  /** How far the left side is from passing, when the gate failed. */
  by?: number;
  error?: string;
}

type Node =
  | { t: "num"; v: number }
  | { t: "metric"; name: string; evaluator?: string; baseline: boolean; at: number }
  | { t: "neg"; x: Node }
  | { t: "bin"; op: "+" | "-" | "*" | "/"; a: Node; b: Node };
type Cmp = "<" | "<=" | ">" | ">=" | "==" | "!=";
export interface ParsedGate {
  expr: string;
  left: Node;
  cmp: Cmp;
  right: Node;
}

export class GateError extends BraidError {
  constructor(expr: string, message: string) {
    super("E_GATE", `gate "${expr}": ${message}`);
  }
}

const TOKEN = /\s*(?:(\d+(?:\.\d+)?(?:e[+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(<=|>=|==|!=|<|>|[-+*/().]))/y;

export function parseGate(expr: string): ParsedGate {
  const tokens: Array<{ kind: "num" | "name" | "str" | "op"; text: string; at: number }> = [];
  let pos = 0;
  while (expr.slice(pos).trim() !== "") {
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(expr);
    if (!m) {
      const at = pos + expr.slice(pos).length - expr.slice(pos).trimStart().length;
      throw new GateError(expr, `unexpected "${expr[at]}" at position ${at}`);
    }
    const at = m.index + m[0].length - m[0].trimStart().length;
    if (m[1] !== undefined) tokens.push({ kind: "num", text: m[1], at });
    else if (m[2] !== undefined) tokens.push({ kind: "name", text: m[2], at });
    else if (m[3] !== undefined) tokens.push({ kind: "str", text: JSON.parse(m[3][0] === "'" ? `"${m[3].slice(1, -1).replace(/"/g, '\\"')}"` : m[3]), at });
    else tokens.push({ kind: "op", text: m[4] as string, at });
    pos = TOKEN.lastIndex;
  }
  let i = 0;
  const peek = () => tokens[i];
  const fail = (what: string): never => {
    const t = peek();
    throw new GateError(expr, `${what}${t ? ` at position ${t.at} ("${t.text}")` : " at the end"}`);
  };
  const eat = (text: string): boolean => {
    if (peek()?.kind !== "op" || peek()?.text !== text) return false;
    i++;
    return true;
  };
  const sum = (): Node => {
    let a = product();
    for (let op = peek(); op?.kind === "op" && (op.text === "+" || op.text === "-"); op = peek()) {
      i++;
      a = { t: "bin", op: op.text as "+" | "-", a, b: product() };
    }
    return a;
  };
  const product = (): Node => {
    let a = unary();
    for (let op = peek(); op?.kind === "op" && (op.text === "*" || op.text === "/"); op = peek()) {
      i++;
      a = { t: "bin", op: op.text as "*" | "/", a, b: unary() };
    }
    return a;
  };
  const unary = (): Node => {
    if (eat("-")) return { t: "neg", x: unary() };
    if (eat("(")) {
      const x = sum();
      if (!eat(")")) fail('expected ")"');
      return x;
    }
    const t = peek();
    if (t?.kind === "num") {
      i++;
      return { t: "num", v: Number(t.text) };
    }
    if (t?.kind !== "name") return fail("expected a number or a metric");
    i++;
    let baseline = false;
    let name = t.text;
    if (name === "baseline" && eat(".")) {
      const n = peek();
      if (n?.kind !== "name") return fail('expected a metric after "baseline."');
      i++;
      baseline = true;
      name = n.text;
    }
    if (name === "passRate" && eat("(")) {
      const s = peek();
      if (s?.kind !== "str") return fail('passRate needs an evaluator name in quotes: passRate("json-schema")');
      i++;
      if (!eat(")")) fail('expected ")"');
      return { t: "metric", name, evaluator: s.text, baseline, at: t.at };
    }
    return { t: "metric", name, baseline, at: t.at };
  };
  const left = sum();
  const c = peek();
  if (c?.kind !== "op" || !["<", "<=", ">", ">=", "==", "!="].includes(c.text)) return fail("expected a comparison (<, <=, >, >=, ==, !=)");
  i++;
  const right = sum();
  if (i < tokens.length) fail("unexpected text after the gate");
  return { expr, left, cmp: c.text as Cmp, right };
}

function metricsIn(n: Node, out: Array<Extract<Node, { t: "metric" }>> = []): Array<Extract<Node, { t: "metric" }>> {
  if (n.t === "metric") out.push(n);
  else if (n.t === "neg") metricsIn(n.x, out);
  else if (n.t === "bin") {
    metricsIn(n.a, out);
    metricsIn(n.b, out);
  }
  return out;
}

/**
 * Checks a gate before anything runs: every name must be one of `metrics`, every `passRate("x")`
 * one of `evaluators`, and `baseline.` needs a baseline. Throws a GateError naming the problem.
 */
export function checkGate(expr: string, known: { metrics: readonly string[]; evaluators?: readonly string[]; baseline: boolean }): ParsedGate {
  const g = parseGate(expr);
  for (const m of [...metricsIn(g.left), ...metricsIn(g.right)]) {
    if (m.baseline && !known.baseline) throw new GateError(expr, `"baseline.${m.name}" needs a baseline (--baseline)`);
    if (m.evaluator !== undefined) {
      if (known.evaluators && !known.evaluators.includes(m.evaluator))
        throw new GateError(expr, `no evaluator is named "${m.evaluator}"; evaluators: ${known.evaluators.join(", ") || "none"}`);
    } else if (!known.metrics.includes(m.name))
      throw new GateError(expr, `unknown metric "${m.name}"; metrics: ${known.metrics.join(", ")}, passRate("<evaluator>")`);
  }
  return g;
}

/** Evaluates a gate over metrics (and a baseline's); a gate that cannot be evaluated is an error result, never a pass. */
export function evaluateGate(expr: string, metrics: GateMetrics, baseline?: GateMetrics): GateResult {
  try {
    const g = parseGate(expr);
    const value = (n: Node): number => {
      switch (n.t) {
        case "num":
          return n.v;
        case "neg":
          return -value(n.x);
        case "bin": {
          const a = value(n.a);
          const b = value(n.b);
          return n.op === "+" ? a + b : n.op === "-" ? a - b : n.op === "*" ? a * b : a / b;
        }
        case "metric": {
          const source = n.baseline ? baseline : metrics;
          if (!source) throw new GateError(expr, `"baseline.${n.name}" needs a baseline`);
          const prefix = n.baseline ? "baseline." : "";
          if (n.evaluator !== undefined) {
            const rates = source.passRates ?? {};
            const v = Object.hasOwn(rates, n.evaluator) ? rates[n.evaluator] : undefined;
            if (v === undefined) throw new GateError(expr, `no evaluator is named "${n.evaluator}"; evaluators: ${Object.keys(rates).join(", ") || "none"}`);
            return v;
          }
          const fields = source as Readonly<Record<string, unknown>>;
          const v = Object.hasOwn(fields, n.name) ? fields[n.name] : undefined;
          if (typeof v !== "number") {
            const names = Object.keys(fields).filter((k) => typeof fields[k] === "number");
            throw new GateError(expr, `unknown metric "${prefix}${n.name}"; metrics: ${names.join(", ")}, passRate("<evaluator>")`);
          }
          return v;
        }
      }
    };
    const actual = value(g.left);
    const threshold = value(g.right);
    const ok = compare(actual, g.cmp, threshold);
    const result: GateResult = { expr, passed: ok, actual, threshold };
    // Rounded past float noise (0.046, not 0.04600000000000015).
    if (!ok) result.by = Math.round(Math.abs(actual - threshold) * 1e12) / 1e12;
    return result;
  } catch (err) {
    return { expr, passed: false, error: err instanceof Error ? err.message : String(err) };
  }
}

function compare(a: number, cmp: Cmp, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  switch (cmp) {
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    case "==":
      return a === b;
    case "!=":
      return a !== b;
  }
}
