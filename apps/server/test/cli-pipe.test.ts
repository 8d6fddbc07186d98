/**
 * `braid run … | head`: the CLI as a child process whose stdout reader goes away after the first
 * chunk. It must stop quietly (status 0), without an EPIPE stack trace on stderr.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SERVER_ROOT = fileURLToPath(new URL("..", import.meta.url));
const EXAMPLES = fileURLToPath(new URL("../../../examples", import.meta.url));

function runUntilFirstChunk(args: string[]): Promise<{ code: number | null; signal: string | null; stderr: string; first: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { cwd: SERVER_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    let first = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    // What `head -c1` does: read one chunk, then close the pipe while the writer is still going.
    child.stdout.once("data", (d: Buffer) => {
      first = d.toString();
      child.stdout.destroy();
    });
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ code, signal, stderr, first }));
  });
}

describe("the CLI when its stdout reader closes early", () => {
  it("run --events | head: exits 0 with nothing on stderr", async () => {
    // Realistic simulated latency keeps the run writing events after the reader has gone.
    const r = await runUntilFirstChunk(["run", join(EXAMPLES, "sequential.json"), "--events", "--latency", "realistic"]);
    expect(r.first).toContain('"type":"run_started"');
    expect(r.stderr).not.toMatch(/EPIPE|Error|at /);
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 0, signal: null });
  }, 20_000);
});
