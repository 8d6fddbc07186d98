import type { GateResult } from "@braid/core";
/** Pure formatting and derivations for the Experiments page (charts, verdicts, gates), kept apart so they are unit-tested. */

export const shortHash = (h: string): string => h.slice(0, 8);
export const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
export const ms = (x: number): string => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${Math.round(x)} ms`);
export const usd = (x: number): string => `$${x < 0.01 && x > 0 ? x.toPrecision(2) : x.toFixed(2)}`;
export const num = (x: number, digits = 3): string => (Number.isInteger(x) ? String(x) : x.toFixed(digits));

/** Shows a value compactly in a table cell: strings as they are, anything else as one-line JSON, cut to `max` characters. */
export function brief(v: unknown, max = 120): string {
  const s = v === undefined ? "—" : typeof v === "string" ? v : JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

export interface Bin {
  label: string;
  count: number;
}

/**
 * Equal-width bins over [lo, hi] (hi inclusive in the last bin); `fmt` labels a bin by its lower
 * edge. With all values equal there is one bin.
 */
export function histogram(values: readonly number[], bins: number, fmt: (x: number) => string, range?: [number, number]): Bin[] {
  if (values.length === 0) return [];
  const lo = range ? range[0] : Math.min(...values);
  const hi = range ? range[1] : Math.max(...values);
  if (hi <= lo) return [{ label: fmt(lo), count: values.length }];
  const w = (hi - lo) / bins;
  const out = Array.from({ length: bins }, (_, i) => ({ label: fmt(lo + i * w), count: 0 }));
  for (const v of values) {
    const i = Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / w)));
    (out[i] as Bin).count++;
  }
  return out;
}

export type Verdict = "better" | "worse" | "no significant difference";
/** A metric's verdict as the page words it; `lowerIsBetter` metrics come from the library already oriented. */
export function verdictText(v: string): Verdict {
  if (v === "better" || v === "worse") return v;
  return "no significant difference";
}

/** "+0.125 (95 % CI −0.010 … +0.250)": a delta and its interval, signed. */
export function deltaText(delta: number, ci: [number, number]): string {
  const s = (x: number) => `${x > 0 ? "+" : x < 0 ? "−" : ""}${num(Math.abs(x))}`;
  return `${s(delta)} (95 % CI ${s(ci[0])} … ${s(ci[1])})`;
}

/** One gate's verdict in words: which condition and by how much it missed. */
export function gateText(g: GateResult): string {
  if (g.error) return `${g.expr}: could not be evaluated (${g.error})`;
  const vals = g.actual !== undefined && g.threshold !== undefined ? ` (${num(g.actual)} vs ${num(g.threshold)})` : "";
  if (g.passed) return `passed: ${g.expr}${vals}`;
  return `failed: ${g.expr}${vals}${g.by !== undefined ? `, missed by ${num(g.by)}` : ""}`;
}

/** Gate expressions typed one per line; blank lines dropped. */
export const parseGateLines = (text: string): string[] =>
  text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);

/** A file name without its extension: the default dataset name of an upload. */
export const baseName = (fileName: string): string => fileName.replace(/\.[^.]+$/, "") || fileName;

/** The upload format from a file name, or undefined when it is neither JSONL nor CSV. */
export function uploadFormat(fileName: string): "jsonl" | "csv" | undefined {
  const n = fileName.toLowerCase();
  if (n.endsWith(".csv")) return "csv";
  if (n.endsWith(".jsonl") || n.endsWith(".ndjson")) return "jsonl";
  return undefined;
}
