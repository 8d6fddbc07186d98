import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { MachineInfo } from "./machine.js";
import type { Row, ScenarioResult } from "./types.js";

const mark = (met: boolean | null | undefined): string => (met === true ? "met" : met === false ? "MISSED" : "—");

/** A plain-text table; also valid Markdown, so it can be pasted into the README. */
export function table(title: string, rows: Row[]): string {
  const header = ["metric", "value", "target", "status"];
  const body = rows.map((r) => [r.metric + (r.note ? ` (${r.note})` : ""), r.value, r.target ?? "", mark(r.met)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(" | ")} |`;
  return [`### ${title}`, "", line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...body.map(line), ""].join("\n");
}

export interface StoredScenario extends ScenarioResult {
  title: string;
  quick: boolean;
  machine: MachineInfo;
  measuredAt: string;
}

export interface ResultsFile {
  updatedAt: string;
  machine: MachineInfo;
  scenarios: Record<string, StoredScenario>;
}

/** Merges scenarios into bench/results.json, keyed by scenario id; other scenarios are kept. */
export function mergeResults(file: string, machine: MachineInfo, scenarios: Record<string, StoredScenario>): ResultsFile {
  let doc: ResultsFile = { updatedAt: machine.date, machine, scenarios: {} };
  if (existsSync(file)) {
    try {
      const old = JSON.parse(readFileSync(file, "utf8")) as Partial<ResultsFile>;
      if (old && typeof old === "object" && old.scenarios && typeof old.scenarios === "object") doc.scenarios = old.scenarios;
    } catch {
      // An unreadable results file is replaced.
    }
  }
  doc = { updatedAt: machine.date, machine, scenarios: { ...doc.scenarios } };
  for (const [id, s] of Object.entries(scenarios)) {
    // A placeholder never overwrites real measurements that someone else added.
    const existing = doc.scenarios[id];
    if (s.placeholder && existing && !existing.placeholder) continue;
    doc.scenarios[id] = s;
  }
  writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
  return doc;
}
