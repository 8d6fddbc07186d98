import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "@playwright/test";

// Runs against the real app: the web build served by the server, with a fresh data folder and
// instant simulated backends. `pnpm test` reads the JSON report from .braid-tmp/e2e.json.
const root = fileURLToPath(new URL("..", import.meta.url));
const port = Number(process.env.BRAID_E2E_PORT ?? 5217);
// Another port (BRAID_E2E_PORT) gets its own data folder, so suites run side by side never wipe each other's.
const dataDir = join(root, ".braid-tmp", process.env.BRAID_E2E_PORT ? `e2e-data-${port}` : "e2e-data");
const wipe = `node -e "require('fs').rmSync(process.argv[1], { recursive: true, force: true })" "${dataDir}"`;

export default defineConfig({
  testDir: ".",
  testMatch: "*.spec.ts",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  outputDir: join(root, ".braid-tmp", "e2e-results"),
  reporter: [["list"], ["json", { outputFile: join(root, ".braid-tmp", "e2e.json") }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    viewport: { width: 1440, height: 900 },
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.BRAID_CHROMIUM ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
  webServer: {
    command: `${wipe} && pnpm --filter @braid/web build && pnpm --filter @braid/server start`,
    cwd: root,
    env: { BRAID_PORT: String(port), BRAID_DATA_DIR: dataDir, BRAID_SIM_LATENCY: "zero", BRAID_HOST: "127.0.0.1" },
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 180_000,
    stdout: "ignore",
    stderr: "pipe",
  },
});
