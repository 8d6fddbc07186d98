import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { followInstructions, startOpenAiStub } from "@braid/engine/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { json, startApp } from "../../test/helpers.js";
import { main } from "./cli.js";

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...a) => void out.push(a.join(" ")));
  const error = vi.spyOn(console, "error").mockImplementation((...a) => void err.push(a.join(" ")));
  try {
    return { code: await main(argv), out: out.join("\n"), err: err.join("\n") };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe("braid backends", () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  let stub: Awaited<ReturnType<typeof startOpenAiStub>>;
  beforeAll(async () => {
    stub = await startOpenAiStub({ reply: followInstructions });
    ctx = await startApp();
    writeFileSync(
      join(ctx.dataDir, "backends.json"),
      JSON.stringify({ backends: [{ name: "stubby", provider: "openai", model: "gpt-stub", baseUrl: `${stub.url}/v1`, pricing: { input: 1, output: 2 } }] }),
    );
    expect((await fetch(`${ctx.url}/trpc/backends.reload`, { method: "POST", headers: { "content-type": "application/json" } })).status).toBe(200);
    const run = await json(`${ctx.url}/api/pipelines/sequential/runs?wait=true`, { method: "POST", headers: { "x-braid-backend": "stubby" } });
    expect(run.body.status).toBe("completed");
  });
  afterAll(async () => {
    await ctx.stop();
    await stub.close();
  });

  it("stats: a table per backend over the window, from the running server", async () => {
    const r = await cli("backends", "stats", "--window", "1h", "--url", ctx.url);
    expect(r.code).toBe(0);
    expect(r.out).toContain("window: last 1h");
    expect(r.out).toMatch(/backend\s+provider\s+calls\s+success\s+p50\s+p95\s+tokens in\/out\s+cost/);
    expect(r.out).toMatch(new RegExp(`stubby\\s+openai\\s+${stub.requests.length}\\s+100%`));
    expect(r.out).toMatch(/generator\s+simulated \(sim\)\s+0\s+-/);
  });

  it("stats --json gives the API's data; list and test work; a bad window or no server is one clear line", async () => {
    const j = await cli("backends", "stats", "--json", "--url", ctx.url);
    const body = JSON.parse(j.out);
    expect(body.window).toBe("5m");
    expect(body.backends.find((b: any) => b.name === "stubby").stats).toMatchObject({
      calls: stub.requests.length,
      inputTokens: 12 * stub.requests.length,
      outputTokens: 5 * stub.requests.length,
    });
    expect((await cli("backends", "list", "--url", ctx.url)).out).toMatch(/stubby\s+openai\s+gpt-stub\s+yes/);
    const t = await cli("backends", "test", "stubby", "--url", ctx.url);
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/✓ stubby: answered in \d+ms/);
    expect((await cli("backends", "stats", "--window", "2d", "--url", ctx.url)).err).toContain("--window must be one of 5m, 1h, all");
    const down = await cli("backends", "stats", "--url", "http://127.0.0.1:9");
    expect(down.code).toBe(2);
    expect(down.err).toContain("no Braid server answers at http://127.0.0.1:9");
  });
});
