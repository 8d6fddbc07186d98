import { type RunEvent, type Usage, describeLoopIteration } from "@braid/engine";

const ms = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(2)}s` : `${Math.round(n)}ms`);
export const usd = (n: number) => `$${n < 0.01 ? n.toFixed(6) : n.toFixed(4)}`;
const tokens = (u: Usage) => `${u.inputTokens}+${u.outputTokens} tok${u.estimated ? " (est.)" : ""}`;

/** One human-readable line per event, or undefined for events too fine-grained to print (tokens). */
export function formatEvent(e: RunEvent, t0: number, simulated: ReadonlySet<string> = new Set()): string | undefined {
  const at = `${ms(e.at - t0).padStart(7)} `;
  switch (e.type) {
    case "run_started":
      return `${at}▶ run ${e.runId} of "${e.pipeline}" (seed ${e.seed})`;
    case "node_started":
      return `${at}  … ${e.nodeId} (${e.kind}${e.backend ? ` on ${e.backend}${simulated.has(e.backend) ? " [simulated]" : ""}` : ""}${e.attempt > 1 ? `, pass ${e.attempt}` : ""})`;
    case "token":
      return undefined;
    case "node_finished":
      return `${at}  ✓ ${e.nodeId} ${ms(e.durationMs)} ${tokens(e.usage)} ${usd(e.usage.costUsd)}${e.reused ? " (reused)" : ""}`;
    case "route_decided":
      return `${at}  ⑂ ${e.nodeId} → ${e.branch}: ${e.reason}`;
    case "loop_iteration":
      return `${at}  ↻ ${e.nodeId} ${describeLoopIteration(e)}`;
    case "retry":
      return `${at}  ⟳ ${e.nodeId} retry ${e.attempt} on ${e.backend} in ${ms(e.delayMs)}: ${e.error}`;
    case "fallback":
      return `${at}  ↪ ${e.nodeId} fallback ${e.from} → ${e.to}: ${e.reason}`;
    case "cache_hit":
      return `${at}  ≡ ${e.nodeId} cache hit on ${e.backend} (no call, $0)`;
    case "breaker":
      return `${at}  ⚡ ${e.nodeId} circuit breaker of ${e.backend}: ${e.from} → ${e.to}`;
    case "node_failed":
      return `${at}  ✗ ${e.nodeId} ${e.error.code}: ${e.error.message}`;
    case "run_finished":
      return `${at}✔ completed in ${ms(e.durationMs)} · ${tokens(e.usage)} · ${usd(e.usage.costUsd)}`;
    case "run_failed":
      return `${at}✘ failed${e.error.nodeId ? ` at node "${e.error.nodeId}"` : ""}: ${e.error.code}: ${e.error.message}`;
    case "run_cancelled":
      return `${at}■ cancelled: ${e.reason}`;
  }
}

export interface RunSummary {
  runId: string;
  status: "completed" | "failed" | "cancelled";
  output: unknown;
  durationMs: number;
  /** `estimated: true` when some provider reported no usage and the tokens are Braid's estimate. */
  usage: Usage;
  nodes: Record<string, { status: "ok" | "failed" | "running"; attempts: number; durationMs: number }>;
  error?: { code: string; message: string; nodeId?: string };
}

/** The `--json` summary, derived from the events alone. */
export function summarize(events: RunEvent[]): RunSummary {
  const last = events[events.length - 1];
  const nodes: RunSummary["nodes"] = {};
  for (const e of events) {
    if (e.type === "node_started") {
      const n = (nodes[e.nodeId] ??= { status: "running", attempts: 0, durationMs: 0 });
      n.attempts++;
      n.status = "running";
    } else if (e.type === "node_finished" || e.type === "node_failed") {
      const n = (nodes[e.nodeId] ??= { status: "running", attempts: 1, durationMs: 0 });
      n.status = e.type === "node_finished" ? "ok" : "failed";
      n.durationMs += e.durationMs;
    }
  }
  const base = { runId: last?.runId ?? "", nodes, output: null as unknown, durationMs: 0, usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 } };
  if (last?.type === "run_finished") return { ...base, status: "completed", output: last.output, durationMs: last.durationMs, usage: pickUsage(last.usage) };
  if (last?.type === "run_failed") return { ...base, status: "failed", durationMs: last.durationMs, usage: pickUsage(last.usage), error: last.error };
  if (last?.type === "run_cancelled") return { ...base, status: "cancelled", durationMs: last.durationMs, usage: pickUsage(last.usage) };
  return { ...base, status: "failed", error: { code: "E_INTERNAL", message: "the run ended without a final event" } };
}

const pickUsage = (u: Usage): Usage => ({
  inputTokens: u.inputTokens,
  outputTokens: u.outputTokens,
  costUsd: u.costUsd,
  ...(u.estimated ? { estimated: true } : {}),
});
