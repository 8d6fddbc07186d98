import type { NodeSummary } from "@braid/core";

// Building blocks for the kinds' `summary()`: each kind lists the facts that matter for it.

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const str = (c: Record<string, unknown>, k: string) => (typeof c[k] === "string" && c[k] !== "" ? (c[k] as string) : undefined);
const num = (c: Record<string, unknown>, k: string) => (typeof c[k] === "number" ? (c[k] as number) : undefined);
const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

type Fact = (c: Record<string, unknown>) => string | undefined;

export const fact = {
  strategy: (c) => (str(c, "strategy") ? `strategy: ${str(c, "strategy")}` : undefined),
  checks: (c) => (str(c, "target") ? `checks ${str(c, "target")}` : undefined),
  revises: (c) => (str(c, "revises") ? `revises ${str(c, "revises")}` : undefined),
  passBound: (c) => {
    const threshold = num(c, "threshold");
    const attempts = num(c, "maxAttempts");
    const parts = [threshold !== undefined ? `pass ≥ ${threshold}` : "", attempts !== undefined ? `max ${plural(attempts, "attempt")}` : ""];
    return parts.some(Boolean) ? parts.filter(Boolean).join(" · ") : undefined;
  },
  rubric: (c) => (Array.isArray(c.rubric) && c.rubric.length ? plural(c.rubric.length, "rubric rule") : undefined),
  schema: (c) => (c.schema !== undefined ? "JSON Schema" : undefined),
  shape: (c) => (c.shape !== null && typeof c.shape === "object" ? `shape: ${clip(Object.keys(c.shape).join(", "), 40) || "[]"}` : undefined),
  count: (c) => (num(c, "count") !== undefined ? `${num(c, "count")} items` : undefined),
  loopBound: (c) => (num(c, "maxIterations") !== undefined ? `loop bound ${num(c, "maxIterations")}` : undefined),
} satisfies Record<string, Fact>;

/** A summary from the text field `key` (clipped to one line) and the given facts, in order. */
export function summarise(c: Record<string, unknown>, key: string | undefined, facts: Fact[], empty?: string): NodeSummary {
  const text = key ? str(c, key) : undefined;
  const excerpt = text ? clip(text.replace(/\s+/g, " ").trim(), 90) : empty;
  const out = facts.map((f) => f(c)).filter((f): f is string => f !== undefined);
  return excerpt ? { excerpt, facts: out } : { facts: out };
}
