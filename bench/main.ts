/**
 * `pnpm bench [--quick] [--only id,id] [--list]`: runs the benchmark scenarios, prints one table
 * each, and merges their results into bench/results.json (keyed by scenario, with the machine
 * they ran on). Targets are goals reported here, never asserted by unit tests.
 */
import { parseArgs } from "node:util";
import { describeMachine, machineInfo } from "./lib/machine.js";
import { type StoredScenario, mergeResults, table } from "./lib/report.js";
import { SCENARIOS } from "./scenarios/index.js";

const RESULTS = new URL("./results.json", import.meta.url).pathname;

const { values } = parseArgs({ options: { quick: { type: "boolean" }, only: { type: "string" }, list: { type: "boolean" } } });
if (values.list) {
  for (const s of SCENARIOS) console.log(`${s.id.padEnd(22)} ${s.title}`);
  process.exit(0);
}
const only = values.only ? new Set(values.only.split(",").map((s) => s.trim())) : undefined;
const unknown = [...(only ?? [])].filter((id) => !SCENARIOS.some((s) => s.id === id));
if (unknown.length) {
  console.error(`bench: unknown scenario ${unknown.join(", ")}; known: ${SCENARIOS.map((s) => s.id).join(", ")}`);
  process.exit(2);
}
const quick = values.quick ?? false;
const machine = machineInfo();
const started = performance.now();
console.log(`Braid benchmarks${quick ? " (--quick)" : ""} on ${describeMachine(machine)}, ${machine.date}\n`);

const stored: Record<string, StoredScenario> = {};
let failed = 0;
for (const s of SCENARIOS) {
  if (only && !only.has(s.id)) continue;
  const t0 = performance.now();
  try {
    const result = await s.run({ quick, log: (m) => process.stderr.write(`  [${s.id}] ${m}\n`) });
    console.log(table(s.title, result.rows));
    console.log(`(${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
    stored[s.id] = { ...result, title: s.title, quick, machine, measuredAt: new Date().toISOString() };
  } catch (err) {
    failed++;
    console.error(`bench: scenario ${s.id} failed: ${(err as Error)?.stack ?? err}`);
  }
}
mergeResults(RESULTS, machine, stored);
const missed = Object.values(stored).flatMap((s) => s.rows.filter((r) => r.met === false).map((r) => `${s.title}: ${r.metric}`));
console.log(`Wrote ${RESULTS} (${Object.keys(stored).length} scenarios) in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
if (missed.length) console.log(`Targets missed:\n${missed.map((m) => `  - ${m}`).join("\n")}`);
process.exitCode = failed ? 1 : 0;
