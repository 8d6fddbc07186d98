/** Human-readable progress and summary lines for a batch (the CLI prints these). */
import type { BatchProgress } from "./runner.js";
import type { BatchSummary } from "./stats.js";

const int = (n: number) => Math.round(n).toLocaleString("en-US");
export const duration = (ms: number): string => {
  if (!Number.isFinite(ms)) return "?";
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s % 60)).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
};
export const money = (usd: number): string => `$${usd < 0.01 ? usd.toFixed(6) : usd.toFixed(4)}`;

/** `1,234/10,000 (12.3%) · 512 rec/s · ETA 17s · 3 failed · 2 bad rows · $0.0123` */
export function progressLine(p: BatchProgress): string {
  const finished = p.ok + p.failed + p.badRows;
  const count =
    p.total !== undefined ? `${int(finished)}/${int(p.total)} (${p.total > 0 ? ((finished / p.total) * 100).toFixed(1) : "100.0"}%)` : int(finished);
  const parts = [count, `${p.rate.toFixed(p.rate < 10 ? 1 : 0)} rec/s`];
  if (p.etaMs !== undefined) parts.push(`ETA ${duration(p.etaMs)}`);
  parts.push(`${int(p.failed)} failed`);
  if (p.badRows > 0) parts.push(`${int(p.badRows)} bad row${p.badRows === 1 ? "" : "s"}`);
  if (p.resumed > 0) parts.push(`${int(p.resumed)} resumed`);
  parts.push(money(p.costUsd));
  return parts.join(" · ");
}

const lineList = (lines: number[], count: number) => `line${lines.length === 1 ? "" : "s"} ${lines.join(", ")}${count > lines.length ? ", …" : ""}`;

export function summaryText(s: BatchSummary, files: { pipeline: string; results: string; errors: string; simulated?: boolean }): string {
  const out: string[] = [];
  out.push(`Batch of "${files.pipeline}" ${s.status === "completed" ? "completed" : "interrupted"} in ${duration(s.elapsedMs)}`);
  const recs = [`${int(s.ok + s.failed + s.badRows)} records`, `${int(s.ok)} ok`, `${int(s.failed)} failed`, `${int(s.badRows)} bad rows`];
  if (s.resumed > 0) recs.push(`${int(s.resumed)} already done before this run`);
  out.push(`  records   ${recs.join(" · ")}`);
  out.push(`  rate      ${s.rate.toFixed(s.rate < 10 ? 1 : 0)} records/s (${int(s.ran)} ran now)`);
  out.push(
    `  cost      ${money(s.usage.costUsd)} · ${int(s.usage.inputTokens)} in + ${int(s.usage.outputTokens)} out tokens${s.usage.estimated ? " (estimated: a backend reported no usage)" : ""}${files.simulated ? " (simulated backends)" : ""}`,
  );
  out.push(`  run time  p50 ${duration(s.durationMs.p50)} · p95 ${duration(s.durationMs.p95)} · max ${duration(s.durationMs.max)}`);
  const ids = Object.keys(s.nodes);
  if (ids.length > 0) {
    const w = Math.max(4, ...ids.map((i) => i.length));
    out.push(`  per node  ${"node".padEnd(w)}  ${"p50".padStart(8)}  ${"p95".padStart(8)}  ${"max".padStart(8)}`);
    for (const id of ids) {
      const n = s.nodes[id] as BatchSummary["nodes"][string];
      out.push(`            ${id.padEnd(w)}  ${duration(n.p50).padStart(8)}  ${duration(n.p95).padStart(8)}  ${duration(n.max).padStart(8)}`);
    }
  }
  if (s.failures.length > 0) {
    out.push("  failures");
    for (const f of s.failures.slice(0, 10)) out.push(`    ${int(f.count)} × ${f.code}: ${f.message} (${lineList(f.lines, f.count)})`);
    if (s.failures.length > 10) out.push(`    … and ${s.failures.length - 10} more reasons (see the results file)`);
  }
  out.push(`  results   ${files.results}`);
  if (s.badRows > 0) out.push(`  bad rows  ${files.errors} (${lineList(s.badRowLines, s.badRows)})`);
  return out.join("\n");
}
