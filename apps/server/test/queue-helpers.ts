import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createServer } from "node:net";
import { SERVER_ROOT, waitFor } from "./helpers.js";

/**
 * Queue-mode tests run a real redis-server on a loopback port of their own. Without redis-server
 * installed they are skipped, so the embedded default's `pnpm test` needs nothing but Node; CI
 * installs it and sets BRAID_REQUIRE_REDIS=1, which turns a missing redis-server into a failure.
 */
export const redisBin = (() => {
  try {
    return execFileSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
})();
if (!redisBin && process.env.BRAID_REQUIRE_REDIS === "1") throw new Error("BRAID_REQUIRE_REDIS=1 but redis-server is not installed");

export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

/** A redis-server with no persistence: a restart comes back empty, the hardest case for what it carried. */
export async function startRedis(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(redisBin as string, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], {
    stdio: "ignore",
  });
  await waitFor(
    "redis-server",
    () =>
      new Promise<boolean | undefined>((r) => {
        const s = createServer();
        s.once("error", () => r(true));
        s.listen(port, "127.0.0.1", () => s.close(() => r(undefined)));
      }),
    10_000,
    50,
  );
  return child;
}

export function spawnWorker(env: Record<string, string>, concurrency = 4): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "worker", "--concurrency", String(concurrency)], {
    cwd: SERVER_ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("worker executing")) resolve();
    });
    child.stderr?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.once("exit", (code) => reject(new Error(`worker exited with ${code}: ${out}`)));
  });
  return { child, ready };
}
