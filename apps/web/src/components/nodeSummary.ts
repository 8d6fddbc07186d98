import type { PipelineNode } from "@braid/core";

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/**
 * The essentials a node shows at a glance, read from whatever its config holds (prompt, target,
 * threshold and attempts, strategy …), so a new kind shows its fields without code here.
 */
export function nodeSummary(node: PipelineNode): { excerpt?: string; facts: string[] } {
  const c = node.config ?? {};
  const facts: string[] = [];
  const str = (k: string) => (typeof c[k] === "string" && c[k] !== "" ? (c[k] as string) : undefined);
  const num = (k: string) => (typeof c[k] === "number" ? (c[k] as number) : undefined);
  if (str("strategy")) facts.push(`strategy: ${str("strategy")}`);
  if (str("target")) facts.push(`checks ${str("target")}`);
  if (str("revises")) facts.push(`revises ${str("revises")}`);
  const threshold = num("threshold");
  const attempts = num("maxAttempts");
  if (threshold !== undefined || attempts !== undefined) {
    facts.push(
      [threshold !== undefined ? `pass ≥ ${threshold}` : "", attempts !== undefined ? `max ${attempts} attempt${attempts === 1 ? "" : "s"}` : ""]
        .filter(Boolean)
        .join(" · "),
    );
  }
  if (Array.isArray(c.rubric) && c.rubric.length) facts.push(`${c.rubric.length} rubric rule${c.rubric.length === 1 ? "" : "s"}`);
  if (c.schema !== undefined) facts.push("JSON Schema");
  if (c.shape !== undefined && c.shape !== null && typeof c.shape === "object") facts.push(`shape: ${clip(Object.keys(c.shape).join(", "), 40) || "[]"}`);
  if (num("count") !== undefined) facts.push(`${num("count")} items`);
  if (num("maxIterations") !== undefined) facts.push(`loop bound ${num("maxIterations")}`);
  const text = str("prompt") ?? str("value");
  const excerpt = text ? clip(text.replace(/\s+/g, " ").trim(), 90) : node.kind === "output" ? "returns every node's output" : undefined;
  return excerpt ? { excerpt, facts } : { facts };
}
