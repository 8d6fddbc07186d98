/**
 * Defects: what a critic flags, and how a reviser fixes it. Shared rules keep the two in step,
 * so a simulated validation loop converges: fixDefects(v, findDefects(v, r)) passes findDefects.
 */
import { isPlainObject, stableStringify } from "@braid/core";
import { createRng, pick, type Rng } from "../rng.js";
import { genericProblem } from "./checks.js";
import { isEmailKey, norm } from "./keys.js";
import { plan, regenerate } from "./rules.js";
import { clone, collect, fmt, label, type Node, setSlot } from "./tree.js";
import type { Topic } from "./topic.js";
import { contactEmail, type FillCtx, newCtx, numberFor } from "./values.js";
import { DOMAINS } from "./words.js";

const distinctKeys = (nodes: readonly Node[]): string[] => [...new Set(nodes.map((n) => n.key).filter(Boolean))];

/**
 * Human-readable problems, one per field: a field breaking several rubric lines cites them all
 * (so one revision can satisfy every one), and a rubric citation replaces a generic complaint.
 */
export function findDefects(value: unknown, rubric: readonly string[] = []): string[] {
  const nodes = collect(value);
  const found = new Map<string, { node: Node; generic?: string; lines: string[] }>();
  for (const n of nodes) {
    const p = genericProblem(n.key, n.value);
    if (p) found.set(n.path, { node: n, generic: p, lines: [] });
  }
  const keys = distinctKeys(nodes);
  for (const raw of rubric) {
    if (typeof raw !== "string" || raw.trim() === "") continue;
    const line = raw.trim();
    for (const step of plan(line, keys)) {
      for (const n of nodes) {
        if (step.keys !== "all" && !step.keys.has(n.key)) continue;
        if (!step.rules.some((r) => r.check(n.key, n.value))) continue;
        const f = found.get(n.path);
        if (!f) found.set(n.path, { node: n, lines: [line] });
        else if (!f.lines.includes(line)) f.lines.push(line);
      }
    }
  }
  return [...found.values()].map(({ node, generic, lines }) =>
    lines.length > 0
      ? `${label(node.path)} is ${fmt(node.value)} (rubric: ${lines.map((l) => JSON.stringify(l)).join("; ")})`
      : `${label(node.path)} ${generic}`,
  );
}

/** A context whose person matches the object's own name fields, so a fixed email fits the name. */
function ctxFor(parent: Node["parent"], rng: Rng, topic: Topic | undefined, root: boolean): FillCtx {
  if (!isPlainObject(parent)) return newCtx(rng, [], topic);
  const c = newCtx(rng, Object.keys(parent), topic, root);
  let first: string | undefined;
  let last: string | undefined;
  for (const [k, v] of Object.entries(parent)) {
    if (typeof v !== "string" || !v.trim()) continue;
    const n = norm(k);
    if (/^(first|given)name$/.test(n)) first = v;
    else if (/^(last|family|sur)name$|^surname$/.test(n)) last = v;
    else if (/^(full|display|customer|contact)?name$/.test(n) && c.kind !== "product" && /^\S+\s+\S+/.test(v))
      [first, last] = [v.split(/\s+/)[0], v.split(/\s+/).slice(1).join(" ")];
  }
  if (first && last) c.person = { first, last, domain: pick(rng, DOMAINS) };
  return c;
}

function genericFix(key: string, v: unknown, c: FillCtx): unknown {
  if (typeof v === "number") return Number.isFinite(v) ? Math.abs(v) : numberFor(key, c);
  if (typeof v === "string" && v.trim() !== "" && isEmailKey(key)) return contactEmail(c);
  return regenerate(key, v, c);
}

/**
 * A corrected deep copy: generic defects are always fixed, and each issue is read like a
 * rubric line (so `price is -3 (rubric: "price is positive")` fixes every non-positive price).
 * Deterministic: the replacement values are seeded by the input itself. With `topic` (the revision
 * prompt's), a regenerated name or text is about what the prompt says.
 */
export function fixDefects(value: unknown, issues: readonly string[] = [], topic?: Topic): unknown {
  const rng = createRng(`fix|${stableStringify(value)}`);
  let root = clone(value);
  for (let pass = 0; pass < 3; pass++) {
    const nodes = collect(root);
    const keys = distinctKeys(nodes);
    const steps = issues.flatMap((i) => (typeof i === "string" ? plan(i, keys) : []));
    const ctxs = new Map<unknown, FillCtx>();
    let changed = false;
    for (const n of nodes) {
      let c = ctxs.get(n.parent);
      if (!c) ctxs.set(n.parent, (c = ctxFor(n.parent, rng, topic, n.parent === root)));
      let v = n.value;
      if (genericProblem(n.key, v)) v = genericFix(n.key, v, c);
      for (const s of steps) {
        if (s.keys !== "all" && !s.keys.has(n.key)) continue;
        for (const r of s.rules) if (r.check(n.key, v)) v = r.fix(n.key, v, c);
      }
      if (v === n.value) continue;
      changed = true;
      if (n.parent) setSlot(n.parent, n.slot, v);
      else root = v;
    }
    if (!changed) break;
  }
  return root;
}
