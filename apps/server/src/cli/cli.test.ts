import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runCli } from "../../test/cli-capture.js";

const root = fileURLToPath(new URL("../../../../", import.meta.url));
const example = (name: string) => join(root, "examples", `${name}.json`);
const dir = mkdtempSync(join(tmpdir(), "braid-cli-"));

const cli = runCli;

afterEach(() => vi.restoreAllMocks());

describe("braid CLI", () => {
  it("validate: 0 for a valid file, 2 with one line per error naming file, node and code", async () => {
    expect((await cli("validate", example("parallel"))).code).toBe(0);
    const bad = join(dir, "bad.json");
    writeFileSync(
      bad,
      JSON.stringify({
        format: "braid/pipeline@1",
        name: "b",
        nodes: [
          { id: "in", kind: "input" },
          { id: "g", kind: "generate", config: { backend: "ghost", prompt: "x" } },
          { id: "out", kind: "output" },
        ],
        edges: [
          { from: "in", to: "g" },
          { from: "g", to: "out" },
        ],
      }),
    );
    const r = await cli("validate", bad);
    expect(r.code).toBe(2);
    expect(r.out).toContain(`error E_UNKNOWN_BACKEND (${bad}, node "g")`);
  });

  it("unreadable or malformed files exit 2 with one line and no stack", async () => {
    const missing = await cli("validate", join(dir, "nope.json"));
    expect(missing).toMatchObject({ code: 2, err: `braid: ${join(dir, "nope.json")}: file not found` });
    const broken = join(dir, "broken.json");
    writeFileSync(broken, "{ not json");
    const r = await cli("run", broken);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^braid: error E_PARSE \(.*broken\.json\): not valid JSON/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it("run --json prints the summary with per-node status, attempts and durations", async () => {
    const r = await cli("run", example("validation-loop"), "--json", "--latency", "zero", "--seed", "4");
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.out);
    expect(summary).toMatchObject({
      runId: expect.any(String),
      status: "completed",
      output: { name: expect.any(String) },
      usage: { inputTokens: expect.any(Number), outputTokens: expect.any(Number), costUsd: expect.any(Number) },
    });
    expect(summary.nodes.check).toMatchObject({ status: "ok", attempts: expect.any(Number), durationMs: expect.any(Number) });
  });

  it("run --events prints NDJSON RunEvents; the default prints one line per event", async () => {
    const ndjson = await cli("run", example("parallel"), "--events", "--latency", "zero");
    const events = ndjson.out
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(events[0].type).toBe("run_started");
    expect(events.at(-1).type).toBe("run_finished");
    const human = await cli("run", example("parallel"), "--latency", "zero");
    expect(human.out).toMatch(/✓ pricing \d+ms \d+\+\d+ tok \$/);
    expect(human.out).toMatch(/✔ completed in/);
    expect(human.out).toContain("[simulated]");
  });

  it("run exits 1 when the run fails and 2 for invalid input", async () => {
    const backends = join(dir, "failing.json");
    writeFileSync(backends, JSON.stringify({ backends: [{ name: "generator", provider: "simulated", retries: 0, simulation: { failureRate: 1 } }] }));
    const failed = await cli("run", example("sequential"), "--backends", backends, "--latency", "zero");
    expect(failed.code).toBe(1);
    expect(failed.out).toMatch(/✘ failed at node "basic": E_BACKEND_FAILED/);
    expect((await cli("run", example("sequential"), "--input", "{nope")).code).toBe(2);
    expect((await cli("run", example("sequential"), "--seed", "x")).code).toBe(2);
  });

  it("mermaid and import round-trip a pipeline", async () => {
    const mmd = join(dir, "p.mmd");
    expect((await cli("mermaid", example("consensus"), "--out", mmd)).code).toBe(0);
    const r = await cli("import", mmd);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).name).toBe("Best of three (consensus)");
  });

  it("codes --markdown lists every code for the README", async () => {
    const r = await cli("codes", "--markdown");
    expect(r.out).toContain("| `E_CYCLE_UNBOUNDED` |");
  });

  it("unknown commands print usage and exit 2", async () => {
    const r = await cli("frobnicate");
    expect(r.code).toBe(2);
    expect(r.err).toContain("usage: braid <command>");
  });
});
