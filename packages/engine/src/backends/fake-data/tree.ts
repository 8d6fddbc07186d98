/**
 * Walking and copying JSON values: the nodes the defect checks and fixes visit.
 */
import { define, isPlainObject } from "@braid/core";

export interface Node {
  path: string;
  key: string;
  value: unknown;
  parent: Record<string, unknown> | unknown[] | undefined;
  slot: string | number;
}

export function collect(value: unknown, out: Node[] = [], path = "", key = "", parent?: Node["parent"], slot: string | number = "", depth = 0): Node[] {
  out.push({ path, key, value, parent, slot });
  if (depth > 64) return out;
  if (Array.isArray(value)) for (let i = 0; i < value.length; i++) collect(value[i], out, `${path}[${i}]`, key, value, i, depth + 1);
  else if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) collect(v, out, path ? `${path}.${k}` : k, k, value, k, depth + 1);
  return out;
}

export function setSlot(parent: NonNullable<Node["parent"]>, slot: string | number, v: unknown): void {
  if (Array.isArray(parent)) parent[slot as number] = v;
  else define(parent, String(slot), v);
}

export function clone(v: unknown, depth = 0): unknown {
  if (depth > 64) return null;
  if (Array.isArray(v)) return v.map((x) => clone(x, depth + 1));
  if (isPlainObject(v)) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) define(o, k, clone(x, depth + 1));
    return o;
  }
  return v;
}

export const label = (path: string): string => path || "value";
export const fmt = (v: unknown): string => {
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v);
  if (Array.isArray(v)) return `[${v.length} items]`;
  if (isPlainObject(v)) return "{...}";
  return v === undefined ? "missing" : String(v);
};
