import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { freePort } from "./queue-helpers.js";

/**
 * PostgreSQL tests run a real server from Debian's `postgresql` package in a data folder of their
 * own on a loopback port, and stop it after. Without the package they are skipped, so `pnpm test`
 * needs nothing but Node; CI installs it and sets BRAID_REQUIRE_POSTGRES=1, which turns a missing
 * PostgreSQL into a failure.
 */
export const pgBinDir = (() => {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], "bin") : undefined;
})();
if (!pgBinDir && process.env.BRAID_REQUIRE_POSTGRES === "1")
  throw new Error("BRAID_REQUIRE_POSTGRES=1 but PostgreSQL is not installed (apt-get install postgresql)");

// PostgreSQL refuses to run as root: as root, the server runs as the package's `postgres` user.
const asRoot = process.getuid?.() === 0;
const run = (bin: string, args: string[]) =>
  asRoot
    ? execFileSync("runuser", ["-u", "postgres", "--", join(pgBinDir as string, bin), ...args], { stdio: "pipe" })
    : execFileSync(join(pgBinDir as string, bin), args, { stdio: "pipe" });

export interface TestPostgres {
  /** postgres://braid@127.0.0.1:port/ with no database: add one with `database()`. */
  readonly port: number;
  /** A new, empty database; returns its URL. */
  database(name?: string): Promise<string>;
  /** Stops the server (fast shutdown, as a crash-free restart would). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data (after `stop`). */
  start(): Promise<void>;
  /** Stops it for good and deletes its data folder. */
  destroy(): Promise<void>;
}

let dbCount = 0;

export async function startPostgres(): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), "braid-pg-"));
  const data = join(dir, "data");
  if (asRoot) {
    chmodSync(dir, 0o755);
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    chownSync(dir, uid, gid);
  }
  run("initdb", ["-D", data, "-U", "braid", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  const port = await freePort();
  // pg_ctl waits for the server to accept connections and, on stop, for it to exit.
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  let running = false;
  const start = async () => {
    run("pg_ctl", ["-D", data, "-l", join(dir, "log"), "-o", opts, "-w", "-t", "30", "start"]);
    running = true;
  };
  const stop = async () => {
    if (!running) return;
    run("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
    running = false;
  };
  await start();
  return {
    port,
    async database(name = `braid_test_${process.pid}_${++dbCount}`) {
      const c = new pg.Client({ host: "127.0.0.1", port, user: "braid", database: "postgres" });
      await c.connect();
      try {
        await c.query(`CREATE DATABASE ${name}`);
      } finally {
        await c.end();
      }
      return `postgres://braid@127.0.0.1:${port}/${name}`;
    },
    stop,
    start,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
