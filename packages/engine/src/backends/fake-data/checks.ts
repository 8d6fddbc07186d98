/**
 * Defect checks: generic problems (null, empty, invalid emails and dates, negative amounts) and what
 * "invalid" or "unrealistic" means for a field; and injecting exactly one defect.
 */
import { isPlainObject } from "@braid/core";
import { pick, type Rng } from "../rng.js";
import { isDateKey, isEmailKey, isPositiveKey, MONEY, norm, splitWords } from "./keys.js";
import { collect, fmt, label, setSlot } from "./tree.js";

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;
export const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const PLACEHOLDER =
  /^(string|text|test|todo|tbd|n\/?a|none|null|undefined|unknown|lorem ipsum.*|foo|bar|baz|asdf|x{2,}|\?+|-+|placeholder|example|sample|value|number)$/i;
const digitCount = (s: string): number => s.replace(/\D/g, "").length;

/** Strict for ISO strings (Date.parse accepts 2024-02-30); lenient Date.parse otherwise. */
function validDate(s: string): boolean {
  const m = ISO_RE.exec(s);
  if (!m) return !Number.isNaN(Date.parse(s));
  const [y, mo, d, hh, mi, ss] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x))) as number[];
  if (mo === undefined || d === undefined || y === undefined || mo < 1 || mo > 12) return false;
  return d >= 1 && d <= new Date(Date.UTC(y, mo, 0)).getUTCDate() && (hh ?? 0) < 24 && (mi ?? 0) < 60 && (ss ?? 0) < 60;
}

export function genericProblem(key: string, v: unknown): string | undefined {
  if (v === null) return "is null";
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return `is ${fmt(v)} (not a finite number)`;
    if (v < 0 && isPositiveKey(key)) return `is ${v} (must not be negative)`;
  }
  if (typeof v === "string") {
    if (v.trim() === "") return "is empty";
    if (isEmailKey(key) && !EMAIL_RE.test(v)) return `is ${fmt(v)} (not a valid email)`;
    if ((isDateKey(key) || ISO_RE.test(v)) && !validDate(v)) return `is ${fmt(v)} (not a valid date)`;
  }
  return undefined;
}

export const isBlank = (v: unknown): boolean =>
  v === null ||
  v === undefined ||
  (typeof v === "string" && v.trim() === "") ||
  (Array.isArray(v) && v.length === 0) ||
  (isPlainObject(v) && Object.keys(v).length === 0);

export function invalid(key: string, v: unknown): boolean {
  if (typeof v === "number") return !Number.isFinite(v);
  if (typeof v !== "string") return v === null;
  if (isEmailKey(key)) return !EMAIL_RE.test(v);
  if (isDateKey(key) || ISO_RE.test(v)) return !validDate(v);
  if (/url|website|homepage|link/.test(norm(key))) return !/^https?:\/\/[^\s/]+\.[^\s]+$/.test(v);
  if (/phone|mobile/.test(norm(key))) return digitCount(v) < 7;
  return v.trim() === "";
}

export function unrealistic(key: string, v: unknown): boolean {
  if (v === null || v === undefined) return true;
  const k = norm(key);
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return true;
    if (splitWords(key).includes("age")) return !Number.isInteger(v) || v < 0 || v > 120;
    if (isPositiveKey(key) && v < 0) return true;
    if (MONEY.test(k)) return v > 1e7;
    if (/rating|stars/.test(k)) return v > 10;
    if (/year/.test(k) && !/years/.test(k)) return v < 1900 || v > 2100;
    if (/percent|discount|pct/.test(k)) return v < 0 || v > 100;
    return false;
  }
  if (typeof v !== "string") return false;
  if (v.trim() === "" || PLACEHOLDER.test(v.trim())) return true;
  if (isEmailKey(key)) return !EMAIL_RE.test(v);
  if (isDateKey(key)) return !validDate(v) || (ISO_RE.test(v) && (Number(v.slice(0, 4)) < 1900 || Number(v.slice(0, 4)) > 2100));
  if (/phone|mobile/.test(k)) return digitCount(v) < 7;
  return false;
}

/**
 * Make exactly one field plausibly wrong: a positive-only number goes negative, or an email
 * becomes "not-an-email", or else a string goes empty. Mutates containers in place.
 */
export function injectDefect(value: unknown, rng: Rng): { value: unknown; path?: string } {
  const nodes = collect(value);
  const strong = nodes.filter(
    (n) => (typeof n.value === "number" && n.value > 0 && isPositiveKey(n.key)) || (typeof n.value === "string" && isEmailKey(n.key) && EMAIL_RE.test(n.value)),
  );
  const pool = strong.length > 0 ? strong : nodes.filter((n) => typeof n.value === "string" && n.value.trim() !== "");
  if (pool.length === 0) return { value };
  const n = pick(rng, pool);
  const bad = typeof n.value === "number" ? -n.value : isEmailKey(n.key) ? "not-an-email" : "";
  if (!n.parent) return { value: bad, path: label(n.path) };
  setSlot(n.parent, n.slot, bad);
  return { value, path: label(n.path) };
}
