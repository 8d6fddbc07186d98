/**
 * The CLI's `--backend NAME` on run and batch (every LLM node on that backend; an unknown name is
 * a usage error listing the configured ones), `estimated` usage in the `--json` summaries, and
 * the egress refusal message when BRAID_EGRESS_ALLOW (not BRAID_TOKEN) is what refuses.
 * Against an OpenAI-compatible loopback stub.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Stub, followInstructions, startOpenAiStub } from "@braid/engine/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./cli-capture.js";
import { profileJsonl } from "./helpers.js";

const EXAMPLE = fileURLToPath(new URL("../../../examples/sequential.json", import.meta.url));

describe("braid run / batch --backend", () => {
  let stub: Stub;
  let dir: string;
  let backends: string;
  beforeAll(async () => {
    stub = await startOpenAiStub({ reply: followInstructions });
    dir = mkdtempSync(join(tmpdir(), "braid-cli-backend-"));
    backends = join(dir, "backends.json");
    writeFileSync(backends, JSON.stringify({ backends: [{ name: "stub", provider: "openai", model: "gpt-stub", baseUrl: `${stub.url}/v1`, retries: 0 }] }));
  });
  afterAll(async () => {
    await stub.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("run --backend NAME sends every LLM call to that backend; the --json summary says when usage is estimated", async () => {
    const before = stub.requests.length;
    const r = await runCli("run", EXAMPLE, "--backends", backends, "--backend", "stub", "--latency", "zero", "--json");
    expect(r.code).toBe(0);
    expect(stub.requests.length - before).toBe(3);
    expect(JSON.parse(r.out).usage.estimated).toBeUndefined();
    stub.script(...Array.from({ length: 3 }, () => ({ type: "ok" as const, usage: false })));
    const est = await runCli("run", EXAMPLE, "--backends", backends, "--backend", "stub", "--latency", "zero", "--json");
    expect(JSON.parse(est.out).usage).toMatchObject({ estimated: true, inputTokens: expect.any(Number) });
  });

  it("batch --backend NAME runs every record on that backend; its --json summary keeps `estimated`", async () => {
    const inputs = join(dir, "in.jsonl");
    writeFileSync(inputs, profileJsonl(2));
    const before = stub.requests.length;
    stub.script(...Array.from({ length: 6 }, () => ({ type: "ok" as const, usage: false })));
    const r = await runCli("batch", EXAMPLE, "--inputs", inputs, "--backends", backends, "--backend", "stub", "--latency", "zero", "--json", "--quiet");
    expect(r.code).toBe(0);
    expect(stub.requests.length - before).toBe(6);
    const summary = JSON.parse(r.out);
    expect(summary).toMatchObject({ ok: 2, usage: { estimated: true } });
    const first = JSON.parse(readFileSync(summary.results, "utf8").split("\n")[0] as string);
    expect(first.usage.estimated).toBe(true);
  });

  it("an unknown --backend is a usage error (exit 2) listing the configured backends", async () => {
    for (const cmd of [
      ["run", EXAMPLE],
      ["batch", EXAMPLE, "--inputs", join(dir, "in.jsonl")],
    ]) {
      const r = await runCli(...cmd, "--backends", backends, "--backend", "ghost", "--latency", "zero");
      expect(r.code).toBe(2);
      expect(r.err).toBe(
        `braid ${cmd[0]}: --backend: no backend or group named "ghost"; configured: generator, enricher, validator, stub (add it with --backends FILE)`,
      );
    }
  });

  it("says BRAID_EGRESS_ALLOW, not BRAID_TOKEN, when the CLI's allowlist refuses a backend", async () => {
    process.env.BRAID_EGRESS_ALLOW = "api.example.com";
    try {
      const r = await runCli("run", EXAMPLE, "--backends", backends, "--backend", "stub", "--latency", "zero", "--json");
      expect(r.code).toBe(1);
      const message = JSON.parse(r.out).error.message as string;
      expect(message).toContain("BRAID_EGRESS_ALLOW is set, so backends may only reach the hosts it lists (now: api.example.com)");
      expect(message).toContain(`add 127.0.0.1:${stub.port} to BRAID_EGRESS_ALLOW`);
      expect(message).not.toContain("BRAID_TOKEN");
    } finally {
      delete process.env.BRAID_EGRESS_ALLOW;
    }
  });
});
