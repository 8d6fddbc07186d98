import { NODE_ID_PATTERN } from "@braid/core";

/** Turns any text into something that fits the node id pattern (`[A-Za-z][A-Za-z0-9_-]*`). */
export function sanitizeId(text: string, fallback = "node"): string {
  const cleaned = text.replace(/[^A-Za-z0-9_-]+/g, "");
  const id = /^[A-Za-z]/.test(cleaned) ? cleaned : `${fallback}${cleaned}`;
  return NODE_ID_PATTERN.test(id) ? id : fallback;
}

/** `base1`, `base2` … the first one not taken. */
export function nextId(taken: ReadonlySet<string>, base: string): string {
  const stem = sanitizeId(base).replace(/\d+$/, "") || "node";
  for (let i = 1; ; i++) {
    const id = `${stem}${i}`;
    if (!taken.has(id)) return id;
  }
}

/** Keeps `wanted` when it is free, otherwise numbers it like nextId. */
export function freeId(taken: ReadonlySet<string>, wanted: string): string {
  const id = sanitizeId(wanted);
  return taken.has(id) ? nextId(taken, id) : id;
}

/** A branch id is `[A-Za-z0-9][A-Za-z0-9_-]*`; this returns a free one. */
export function nextBranchId(taken: ReadonlySet<string>, base = "branch"): string {
  for (let i = taken.size + 1; ; i++) {
    const id = `${base}${i}`;
    if (!taken.has(id)) return id;
  }
}
