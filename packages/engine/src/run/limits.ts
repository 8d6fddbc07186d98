import { BraidError } from "@braid/core";

/** Per-run safety limits. Every field has a default; RunOptions.limits overrides any of them. */
export interface RunLimits {
  /** Node executions per run (all loops and branches together). */
  maxSteps: number;
  /** A node's output, measured as JSON characters. */
  maxOutputBytes: number;
  /** Any single event a node emits (its prepared prompt, a decision …), measured as JSON characters. */
  maxEventBytes: number;
}

export const DEFAULT_RUN_LIMITS: RunLimits = { maxSteps: 10_000, maxOutputBytes: 1_000_000, maxEventBytes: 2_000_000 };

export function resolveLimits(given: Partial<RunLimits> | undefined): RunLimits {
  const limits = { ...DEFAULT_RUN_LIMITS };
  for (const key of Object.keys(limits) as Array<keyof RunLimits>) {
    const v = given?.[key];
    if (v === undefined) continue;
    if (!Number.isInteger(v) || v < 1) throw new BraidError("E_INTERNAL", `run limit ${key} must be a positive integer, got ${String(v)}`);
    limits[key] = v;
  }
  return limits;
}

/**
 * The JSON length of `value`, or a number above `limit` as soon as it is known to be larger: a huge
 * value is never serialised just to be measured. Approximate for escapes, exact enough for a bound.
 */
export function jsonSizeOver(value: unknown, limit: number): number {
  let size = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === "string") size += v.length + 2;
    else if (typeof v === "number" || typeof v === "boolean") size += String(v).length;
    else if (v === null || v === undefined) size += 4;
    else if (Array.isArray(v)) {
      size += 2 + v.length;
      for (const x of v) stack.push(x);
    } else if (typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        size += k.length + 4;
        stack.push(x);
      }
      size += 2;
    }
    if (size > limit) return size;
  }
  return size;
}

export function assertSize(what: string, value: unknown, limit: number, nodeId: string): void {
  const size = jsonSizeOver(value, limit);
  if (size > limit) {
    throw new BraidError("E_OUTPUT_TOO_LARGE", `node "${nodeId}": ${what} is over ${limit} characters as JSON (at least ${size}); nothing of it was stored`, {
      nodeId,
      details: { limit },
    });
  }
}

/** One macrotask turn (Node's check phase), so timers, sockets and other runs are served between steps. */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
