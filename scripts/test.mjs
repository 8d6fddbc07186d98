// `pnpm test`: every test in the workspace (vitest, then the Playwright e2e suite), one closing
// count line. Exits non-zero when anything failed or when no test ran at all.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";

const out = ".braid-tmp";
mkdirSync(out, { recursive: true });
const totals = { passed: 0, failed: 0, skipped: 0 };
let ok = true;

function step(name, cmd, args, reportFile, count) {
  rmSync(reportFile, { force: true });
  console.log(`\n== ${name}: ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { stdio: "inherit", shell: false, env: process.env });
  if (r.status !== 0) ok = false;
  if (!existsSync(reportFile)) {
    console.error(`${name}: no report written (${reportFile})`);
    ok = false;
    return;
  }
  const c = count(JSON.parse(readFileSync(reportFile, "utf8")));
  totals.passed += c.passed;
  totals.failed += c.failed;
  totals.skipped += c.skipped;
}

const onlyUnit = process.argv.includes("--unit");
step("unit", "npx", ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile=${out}/vitest.json`], `${out}/vitest.json`, (j) => ({
  passed: j.numPassedTests ?? 0,
  failed: (j.numFailedTests ?? 0) + (j.numRuntimeErrorTestSuites ?? 0) + (j.numFailedTestSuites && !j.numFailedTests ? j.numFailedTestSuites : 0),
  skipped: (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0),
}));

if (!onlyUnit && existsSync("e2e/playwright.config.ts")) {
  step("e2e", process.execPath, ["e2e/run.mjs"], `${out}/e2e.json`, (j) => ({
    passed: j.stats?.expected ?? 0,
    failed: (j.stats?.unexpected ?? 0) + (j.stats?.flaky ?? 0) + (j.errors?.length ?? 0),
    skipped: j.stats?.skipped ?? 0,
  }));
}

if (totals.passed + totals.failed === 0) ok = false;
if (totals.failed > 0) ok = false;
const line = `${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`;
writeFileSync(`${out}/summary.txt`, `${line}\n`);
console.log(`\n${line}`);
process.exit(ok ? 0 : 1);
