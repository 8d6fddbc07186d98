/** Formatting for the Batch page: pure, so it is easy to test. */

export type InputKind = "jsonl" | "csv";

/** CSV by extension or MIME type; anything else is sent as JSONL (the server also accepts a JSON array). */
export function inputKind(file: { name: string; type?: string }): InputKind {
  return /\.csv$/i.test(file.name) || /\bcsv\b/i.test(file.type ?? "") ? "csv" : "jsonl";
}

export const isAcceptedFile = (name: string): boolean => /\.(jsonl|ndjson|json|csv)$/i.test(name);

export function fmtDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${(ms / 1000).toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function fmtRate(perSecond: number | undefined): string {
  if (perSecond === undefined || !Number.isFinite(perSecond)) return "—";
  return `${perSecond >= 100 ? Math.round(perSecond).toLocaleString("en-US") : perSecond.toFixed(1)}/s`;
}

/** Four decimals below $1, so a figure never changes precision between the live count and the summary ($0.0098 → $0.0123, not $0.01). */
export function fmtCost(usd: number | undefined): string {
  if (usd === undefined || !Number.isFinite(usd)) return "—";
  if (usd === 0) return "$0.00";
  if (usd < 1) return `$${usd.toFixed(4)}`;
  return `$${usd.toFixed(2)}`;
}

/** Token counts: compact above a thousand (5,818 → 5.8k). */
export const fmtTokens = (n: number): string => (n < 1000 ? String(n) : n < 1_000_000 ? `${(n / 1000).toFixed(1)}k` : `${(n / 1_000_000).toFixed(1)}M`);

export const fmtCount = (n: number | undefined): string => (n === undefined ? "—" : n.toLocaleString("en-US"));

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

export function fmtTime(ms: number | undefined): string {
  if (ms === undefined) return "—";
  return new Date(ms).toLocaleString("en-GB", { day: "2-digit", month: "short", hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

/** A share of the total as a whole percentage, 0 while the total is unknown. */
export const percent = (done: number, total: number | undefined): number => (total && total > 0 ? Math.min(100, Math.round((done / total) * 100)) : 0);

export interface BadRowLine {
  line: number;
  endLine?: number;
  code: string;
  message: string;
}

/** Reads errors.jsonl (bad rows with line numbers), keeping at most `max` rows. */
export function parseErrorsFile(text: string, max = 100): BadRowLine[] {
  const out: BadRowLine[] = [];
  for (const raw of text.split("\n")) {
    if (out.length >= max) break;
    if (!raw.trim()) continue;
    try {
      const e = JSON.parse(raw) as Partial<BadRowLine>;
      if (typeof e.line !== "number") continue;
      out.push({
        line: e.line,
        ...(typeof e.endLine === "number" ? { endLine: e.endLine } : {}),
        code: String(e.code ?? "E_BAD_ROW"),
        message: String(e.message ?? ""),
      });
    } catch {
      // a torn last line while the batch is still writing
    }
  }
  return out;
}
