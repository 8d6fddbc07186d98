/**
 * Live event latency, server → browser: how long after the server created a run event (`event.at`)
 * the browser has it rendered. The server runs as a child process with realistic simulated
 * latencies; Chromium (Debian's, driven by Playwright) opens the web app with `?bench=1`, which
 * makes the app record, after each committed render of newly applied events,
 * `performance.timeOrigin + performance.now() - event.at` into `window.__braidEventLatency`.
 * The parallel example is run from the UI several times (after one warm-up run that is not
 * counted); p50/p95 are over every event of the measured runs.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHROMIUM, freePort, loadChromium, waitHealthy } from "../lib/browser.js";
import { ROOT } from "../lib/pipelines.js";
import { percentile } from "@braid/engine";
import { fmt } from "../lib/stats.js";
import type { Row, Scenario } from "../lib/types.js";

export const TARGETS = { p95Ms: 100 };

export const scenario: Scenario = {
  id: "live-event-latency",
  title: "Live event latency, server → browser (parallel example, realistic simulated latency)",
  async run({ quick, log }) {
    if (!existsSync(CHROMIUM)) {
      return {
        rows: [{ metric: "event created → rendered in the browser", value: "skipped", met: null, note: `no Chromium at ${CHROMIUM}` }],
        data: { skipped: true },
      };
    }
    const webDir = join(ROOT, "apps", "web", "dist");
    if (!existsSync(join(webDir, "index.html"))) {
      log("building the web app");
      execFileSync("pnpm", ["--filter", "@braid/web", "build"], { cwd: ROOT, stdio: "ignore" });
    }
    const dataDir = mkdtempSync(join(tmpdir(), "braid-bench-live-"));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const server = spawn(process.execPath, ["--import", "tsx", "apps/server/src/cli/main.ts", "serve"], {
      cwd: ROOT,
      env: {
        ...process.env,
        BRAID_PORT: String(port),
        BRAID_HOST: "127.0.0.1",
        BRAID_DATA_DIR: dataDir,
        BRAID_SIM_LATENCY: "realistic",
        BRAID_WEB_DIR: webDir,
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let serverErr = "";
    server.stderr?.on("data", (d: Buffer) => {
      serverErr = (serverErr + d.toString()).slice(-4000);
    });
    let browser: any;
    try {
      await waitHealthy(url, server);
      const chromium = await loadChromium();
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
      });
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      await page.goto(`${url}/?bench=1`);
      await page.getByRole("button", { name: "▶ Run", exact: true }).waitFor();
      await page.getByRole("button", { name: "New / Open…" }).click();
      await page.getByRole("button", { name: "Template: Product enrichment (parallel)" }).click();
      const discard = page.getByRole("alertdialog").getByRole("button", { name: "Discard changes" });
      if (await discard.isVisible({ timeout: 500 }).catch(() => false)) await discard.click();
      await page.waitForTimeout(500);

      const runs = quick ? 3 : 10;
      const samples: number[] = [];
      const perRun: Array<{ events: number; p50: number; p95: number }> = [];
      // One warm-up run first (JIT, first paint of the run panel), not counted.
      for (let i = -1; i < runs; i++) {
        await page.evaluate(() => {
          (window as unknown as { __braidEventLatency: number[] }).__braidEventLatency = [];
        });
        await page.getByRole("button", { name: "▶ Run", exact: true }).click();
        await page.getByRole("status", { name: "Run status" }).getByText("Completed").waitFor({ timeout: 30_000 });
        await page.waitForTimeout(150);
        const got = (await page.evaluate(() => (window as unknown as { __braidEventLatency?: number[] }).__braidEventLatency ?? [])) as number[];
        if (i < 0) {
          log(`warm-up run: ${got.length} events, p50 ${fmt(percentile(got, 0.5), 1)} ms (not counted)`);
          continue;
        }
        samples.push(...got);
        perRun.push({ events: got.length, p50: percentile(got, 0.5), p95: percentile(got, 0.95) });
        log(`run ${i + 1}/${runs}: ${got.length} events, p50 ${fmt(percentile(got, 0.5), 1)} ms, p95 ${fmt(percentile(got, 0.95), 1)} ms`);
      }
      const p50 = percentile(samples, 0.5);
      const p95 = percentile(samples, 0.95);
      const rows: Row[] = [
        { metric: "event created → rendered in the browser: p50", value: `${fmt(p50, 1)} ms` },
        { metric: "event created → rendered in the browser: p95", value: `${fmt(p95, 1)} ms`, target: `< ${TARGETS.p95Ms} ms`, met: p95 < TARGETS.p95Ms },
        { metric: "events measured", value: `${samples.length} over ${runs} runs` },
        { metric: "max", value: `${fmt(Math.max(...samples), 1)} ms` },
      ];
      return { rows, data: { p50Ms: p50, p95Ms: p95, maxMs: Math.max(...samples), events: samples.length, runs, perRun, samples } };
    } catch (err) {
      throw new Error(`${(err as Error).message}${serverErr ? `\nserver stderr: ${serverErr}` : ""}`);
    } finally {
      await browser?.close().catch(() => {});
      server.kill("SIGTERM");
      await new Promise((r) => setTimeout(r, 300));
      if (server.exitCode === null) server.kill("SIGKILL");
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
