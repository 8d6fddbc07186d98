// `pnpm test:e2e`: the Playwright suite with the e2e package's own Playwright, from the repo root.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const cli = fileURLToPath(new URL("./node_modules/@playwright/test/cli.js", import.meta.url));
const r = spawnSync(process.execPath, [cli, "test", "-c", "e2e/playwright.config.ts", ...process.argv.slice(2)], { cwd: root, stdio: "inherit" });
process.exit(r.status ?? 1);
