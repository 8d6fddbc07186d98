/**
 * The built web app served by the real server (a child process) and Debian's Chromium driven by
 * Playwright, for the browser scenarios. The same steps as live-event-latency.ts, as a reusable
 * helper: ensure apps/web/dist, start `braid serve` on a free port, wait for /healthz, launch.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./pipelines.js";

export const CHROMIUM = process.env.BRAID_CHROMIUM ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
export const WEB_DIR = join(ROOT, "apps", "web", "dist");

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export async function waitHealthy(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("the server did not start in time");
}

/** Playwright's types live in the e2e package, not the bench's. */
export type AnyBrowser = any;

/** Playwright is the e2e package's dependency; the bench borrows it from there. */
export async function loadChromium(): Promise<{ launch(opts: Record<string, unknown>): Promise<AnyBrowser> }> {
  const require = createRequire(join(ROOT, "e2e", "package.json"));
  const mod = (await import(require.resolve("@playwright/test"))) as { chromium?: unknown; default?: { chromium?: unknown } };
  return (mod.chromium ?? mod.default?.chromium) as { launch(opts: Record<string, unknown>): Promise<AnyBrowser> };
}

/** Builds the web app when apps/web/dist is missing. */
export function ensureWebBuilt(log: (m: string) => void): void {
  if (existsSync(join(WEB_DIR, "index.html"))) return;
  log("building the web app");
  execFileSync("pnpm", ["--filter", "@braid/web", "build"], { cwd: ROOT, stdio: "ignore" });
}

export interface AppSession {
  url: string;
  browser: AnyBrowser;
  /** The server's last output (stdout and stderr) and its exit, for error messages. */
  serverErr(): string;
  close(): Promise<void>;
}

/** Starts the server serving the built web app and launches headless Chromium. */
export async function startApp(opts: { prefix: string; env?: Record<string, string> }): Promise<AppSession> {
  const dataDir = mkdtempSync(join(tmpdir(), `braid-bench-${opts.prefix}-`));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = spawn(process.execPath, ["--import", "tsx", "apps/server/src/cli/main.ts", "serve"], {
    cwd: ROOT,
    env: { ...process.env, BRAID_PORT: String(port), BRAID_HOST: "127.0.0.1", BRAID_DATA_DIR: dataDir, BRAID_WEB_DIR: WEB_DIR, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  const keep = (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
  };
  server.stdout?.on("data", keep);
  server.stderr?.on("data", keep);
  server.on("exit", (code, signal) => keep(Buffer.from(`\n[server exited: code ${code}, signal ${signal}]`)));
  let browser: AnyBrowser;
  const close = async () => {
    await browser?.close().catch(() => {});
    server.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 300));
    if (server.exitCode === null) server.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitHealthy(url, server);
    browser = await (await loadChromium()).launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  } catch (e) {
    await close();
    throw new Error(`${(e as Error).message}${err ? `\nserver stderr: ${err}` : ""}`);
  }
  return { url, browser, serverErr: () => err, close };
}
