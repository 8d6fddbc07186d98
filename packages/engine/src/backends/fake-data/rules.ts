/**
 * Rubric rules: the checks a rubric clause (or an issue text) asks for, the fields it names, and how
 * each is fixed.
 */
import { isPlainObject, stableStringify } from "@braid/core";
import { pick } from "../rng.js";
import { invalid, isBlank, ISO_RE, unrealistic } from "./checks.js";
import { isDateKey, norm, splitWords } from "./keys.js";
import { fillValue } from "./shapes.js";
import { clone } from "./tree.js";
import { type FillCtx, guessByName, isoDate, numberFor, stringFor } from "./values.js";
import { NOUN } from "./words.js";

export function regenerate(key: string, v: unknown, c: FillCtx): unknown {
  if (typeof v === "number") return numberFor(key, c);
  if (typeof v === "boolean") return v;
  if (Array.isArray(v)) return v.length > 0 ? v : fillValue(key, ["string"], c, 0);
  if (isPlainObject(v)) return v;
  if (typeof v === "string" && !isDateKey(key) && ISO_RE.test(v)) return isoDate(c.rng, v.length === 10);
  return v === null || v === undefined ? guessByName(key, c) : stringFor(key, c);
}

interface Rule {
  check(key: string, v: unknown): boolean;
  fix(key: string, v: unknown, c: FillCtx): unknown;
}

const NUM = "(-?\\d+(?:\\.\\d+)?)";
const UNIT = "\\s*(characters?|chars?|letters?|items?|elements?|entries|values|tags)?";
const RANGES: Array<[RegExp, "min" | "xmin" | "max" | "xmax" | "between"]> = [
  [new RegExp(`(?:between|from)\\s+${NUM}\\s+(?:and|to)\\s+${NUM}${UNIT}`), "between"],
  [new RegExp(`(?:at least|minimum(?: of)?|no less than|>=|≥)\\s*${NUM}${UNIT}`), "min"],
  [new RegExp(`(?:greater than|more than|above|over|>)\\s*${NUM}${UNIT}`), "xmin"],
  [new RegExp(`(?:at most|maximum(?: of)?|no more than|up to|<=|≤)\\s*${NUM}${UNIT}`), "max"],
  [new RegExp(`(?:less than|fewer than|under|below|<)\\s*${NUM}${UNIT}`), "xmax"],
];

/** Bounds on a number, a string's length or an array's length, per the unit word after it. */
function rangeRule(lo: number, hi: number, unit: string | undefined, exclusive: "lo" | "hi" | "" = ""): Rule {
  const kind = !unit ? "number" : /^(char|letter)/.test(unit) ? "string" : "array";
  const measure = (v: unknown): number | undefined =>
    kind === "number"
      ? typeof v === "number" && Number.isFinite(v)
        ? v
        : undefined
      : kind === "string"
        ? typeof v === "string"
          ? v.length
          : undefined
        : Array.isArray(v)
          ? v.length
          : undefined;
  // Exclusive bounds step inward by one for whole measures and by a cent otherwise.
  const step = (x: number, v: unknown): number => (kind !== "number" || (Number.isInteger(x) && Number.isInteger(v)) ? 1 : 0.01);
  const inside = (m: number): boolean => m >= lo && m <= hi && !(exclusive === "lo" && m === lo) && !(exclusive === "hi" && m === hi);
  return {
    check: (_k, v) => {
      const m = measure(v);
      return m !== undefined && !inside(m);
    },
    fix: (key, v, c) => {
      const min = exclusive === "lo" ? lo + step(lo, v) : lo;
      const max = exclusive === "hi" ? hi - step(hi, v) : hi;
      if (typeof v === "number") return Math.min(max, Math.max(min, v));
      if (typeof v === "string") {
        let s = v;
        while (s.length < min) s += `${s ? " " : ""}${pick(c.rng, NOUN)}`;
        return s.slice(0, Math.max(0, max));
      }
      if (Array.isArray(v)) {
        const a = v.slice(0, Math.max(0, max));
        while (a.length < min) a.push(a.length > 0 ? clone(a[a.length % v.length]) : guessByName(key, c));
        return a;
      }
      return v;
    },
  };
}

/** The checks a rubric clause (or an issue text) asks for. */
function rulesFor(t: string): Rule[] {
  const rules: Rule[] = [];
  const abs = (_k: string, v: unknown): unknown => Math.abs(v as number);
  if (/non-?negative|not (be )?negative|zero or (more|greater|above)|(>=|≥)\s*0(?![\d.])|at least (0|zero)(?![\d.])/.test(t))
    rules.push({ check: (_k, v) => typeof v === "number" && v < 0, fix: abs });
  else if (/\bpositive\b|(greater|more) than (0|zero)(?![\d.])|above (0|zero)(?![\d.])|>\s*0(?![\d.])/.test(t))
    rules.push({ check: (_k, v) => typeof v === "number" && v <= 0, fix: (_k, v) => ((v as number) < 0 ? -(v as number) : 1) });
  if (
    /non-?empty|not (be )?(empty|blank)|must (be )?(present|provided|filled|set)|\brequired\b|mandatory|\bmissing\b|must (have|include)|\bis (empty|null)\b/.test(
      t,
    )
  )
    rules.push({ check: (_k, v) => isBlank(v), fix: regenerate });
  if (/\bvalid\b|\binvalid\b|well-?formed|\bproper\b|\bformat/.test(t)) rules.push({ check: invalid, fix: regenerate });
  if (/realistic|plausible|reasonable|sensible|believable|placeholder|real-?world|implausible|too (high|low|large|small|big|old|young)/.test(t))
    rules.push({ check: unrealistic, fix: regenerate });
  if (/\binteger\b|whole number/.test(t))
    rules.push({ check: (_k, v) => typeof v === "number" && Number.isFinite(v) && !Number.isInteger(v), fix: (_k, v) => Math.round(v as number) });
  if (/unique|distinct|duplicate/.test(t))
    rules.push({
      check: (_k, v) => Array.isArray(v) && new Set(v.map(stableStringify)).size !== v.length,
      fix: (_k, v) => (v as unknown[]).filter((x, i, a) => a.findIndex((y) => stableStringify(y) === stableStringify(x)) === i),
    });
  for (const [re, kind] of RANGES) {
    const m = re.exec(t);
    if (!m) continue;
    const a = Number(m[1]);
    const b = Number(m[2]);
    if (kind === "between") rules.push(rangeRule(Math.min(a, b), Math.max(a, b), m[3]));
    else if (kind === "min") rules.push(rangeRule(a, Infinity, m[2]));
    else if (kind === "xmin") rules.push(rangeRule(a, Infinity, m[2], "lo"));
    else if (kind === "max") rules.push(rangeRule(-Infinity, a, m[2]));
    else rules.push(rangeRule(-Infinity, a, m[2], "hi"));
  }
  return rules;
}

const mentionCache = new Map<string, RegExp[]>();
function mentionRes(key: string): RegExp[] {
  let res = mentionCache.get(key);
  if (!res) {
    const variants = new Set([key.toLowerCase(), splitWords(key).join(" "), norm(key)]);
    res = [...variants].filter((v) => v.length >= 2).map((v) => new RegExp(`(^|[^a-z0-9])${v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(e?s)?(?![a-z0-9])`, "g"));
    if (mentionCache.size > 5000) mentionCache.clear();
    mentionCache.set(key, res);
  }
  return res;
}

/**
 * The fields a text talks about (`firstName` as "first name", "firstname", plurals). Longer
 * names claim their words first, so "unit price" names `unitPrice` and not also `price`.
 */
function namedIn(text: string, keys: readonly string[]): string[] {
  let rest = text;
  const out: string[] = [];
  for (const key of [...keys].sort((a, b) => splitWords(b).length - splitWords(a).length || b.length - a.length)) {
    for (const re of mentionRes(key)) {
      re.lastIndex = 0;
      if (!re.test(rest)) continue;
      re.lastIndex = 0;
      rest = rest.replace(re, "$1 ");
      out.push(key);
      break;
    }
  }
  return out;
}

const WHOLE =
  /\b(all|every|each|any|no|none|fields?|values?|numbers?|strings?|data|record|records|output|response|result|everything|it)\b|^\s*(must|should|be|is|are)\b/;

interface Step {
  rules: Rule[];
  keys: Set<string> | "all";
}

/**
 * Split a rubric line into clauses ("price is positive and email is valid") and pair each
 * clause's checks with the fields it names. A clause naming fields but no check passes them to
 * the next ("email and name must be non-empty"); a check naming no field reuses the previous
 * fields; a line naming no field at all applies to every field.
 */
export function plan(line: string, keys: readonly string[]): Step[] {
  const steps: Step[] = [];
  let pending: string[] = [];
  let last: string[] = [];
  for (const clause of line.toLowerCase().split(/[;,]|\.\s|\band\b(?!\s*-?\d)|\bbut\b|\bwhile\b/)) {
    const named = namedIn(clause, keys);
    const rules = rulesFor(clause);
    if (rules.length === 0) {
      pending.push(...named);
      continue;
    }
    let targets = [...pending, ...named];
    pending = [];
    if (targets.length === 0) targets = last;
    last = targets;
    if (targets.length > 0) steps.push({ rules, keys: new Set(targets) });
    // Naming no field applies to all of them only when the clause is about the whole record
    // ("no placeholder values", "must be realistic"); "price is positive" on a record without a
    // price checks nothing rather than every number.
    else if (WHOLE.test(clause)) steps.push({ rules, keys: "all" });
  }
  return steps;
}
