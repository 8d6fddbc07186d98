/** Reads and writes `branches[0].when`-style paths (as kinds report them in refs) immutably. */
type Seg = string | number;

export function parsePath(path: string): Seg[] {
  const out: Seg[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : (m[1] as string));
  return out;
}

export function getPath(obj: unknown, path: string): unknown {
  let v: unknown = obj;
  for (const seg of parsePath(path)) {
    if (v === null || typeof v !== "object" || !Object.hasOwn(v, seg)) return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

export function setPath<T>(obj: T, path: string, value: unknown): T {
  const segs = parsePath(path);
  const set = (cur: unknown, i: number): unknown => {
    const seg = segs[i] as Seg;
    const last = i === segs.length - 1;
    if (Array.isArray(cur)) {
      const copy = [...cur];
      copy[seg as number] = last ? value : set(copy[seg as number], i + 1);
      return copy;
    }
    const base = cur !== null && typeof cur === "object" ? { ...(cur as Record<string, unknown>) } : {};
    const next = last ? value : set(Object.hasOwn(base, seg) ? base[seg as string] : undefined, i + 1);
    Object.defineProperty(base, seg, { value: next, enumerable: true, writable: true, configurable: true });
    return base;
  };
  return segs.length ? (set(obj, 0) as T) : obj;
}
