import type { Pipeline } from "@braid/core";

/**
 * Undo/redo over whole documents. Operations share unchanged parts, so a step costs little,
 * and undo gives back the very object that was there before (exact by construction).
 */
export interface History {
  past: Pipeline[];
  future: Pipeline[];
  /** Edits with the same key within COALESCE_MS merge into one step (typing in a field). */
  lastKey?: string;
  lastAt?: number;
}

export const HISTORY_LIMIT = 250;
export const COALESCE_MS = 1200;

export const emptyHistory = (): History => ({ past: [], future: [] });

/** Records that `prev` was replaced by a new document. */
export function record(h: History, prev: Pipeline, key: string | undefined, now: number): History {
  const coalesce = key !== undefined && key === h.lastKey && h.lastAt !== undefined && now - h.lastAt < COALESCE_MS && h.future.length === 0;
  if (coalesce) return { ...h, lastAt: now };
  const past = h.past.length >= HISTORY_LIMIT ? [...h.past.slice(h.past.length - HISTORY_LIMIT + 1), prev] : [...h.past, prev];
  const next: History = { past, future: [] };
  if (key !== undefined) {
    next.lastKey = key;
    next.lastAt = now;
  }
  return next;
}

export function undo(h: History, current: Pipeline): { history: History; doc: Pipeline } | undefined {
  const doc = h.past[h.past.length - 1];
  if (!doc) return undefined;
  return { doc, history: { past: h.past.slice(0, -1), future: [current, ...h.future] } };
}

export function redo(h: History, current: Pipeline): { history: History; doc: Pipeline } | undefined {
  const doc = h.future[0];
  if (!doc) return undefined;
  return { doc, history: { past: [...h.past, current], future: h.future.slice(1) } };
}
