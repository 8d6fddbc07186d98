import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./cli-capture.js";
import { json, startApp, tempDir } from "./helpers.js";

const examples = join(dirname(fileURLToPath(import.meta.url)), "../../../examples");

describe("braid codegen (CLI)", () => {
  const t = tempDir("braid-codegen-");
  afterAll(() => t.cleanup());

  it("writes the project, and names the providers a backends file uses", async () => {
    const backends = join(t.dir, "backends.json");
    writeFileSync(
      backends,
      JSON.stringify({ backends: [{ name: "claude", provider: "anthropic", model: "claude-sonnet-4-5", apiKeyEnv: "ANTHROPIC_API_KEY" }] }),
    );
    const out = join(t.dir, "project");
    const r = await runCli("codegen", join(examples, "parallel.json"), "--out", out, "--backends", backends);
    expect(r.code, r.err).toBe(0);
    for (const f of ["package.json", "tsconfig.json", "README.md", "src/nodes.ts", "src/graph.ts", "src/backends.ts", "src/main.ts"])
      expect(existsSync(join(out, f)), f).toBe(true);
    const pkg = JSON.parse(readFileSync(join(out, "package.json"), "utf8"));
    expect(Object.keys(pkg.dependencies)).toEqual(expect.arrayContaining(["@langchain/langgraph", "@langchain/anthropic", "jsonata"]));
    expect(pkg.dependencies).not.toHaveProperty("@langchain/ollama");
    expect(readFileSync(join(out, "src/backends.ts"), "utf8")).not.toContain("ChatOllama");
  });

  it("needs --out, refuses a non-empty folder without --force, and an unknown provider", async () => {
    expect((await runCli("codegen", join(examples, "parallel.json"))).err).toMatch(/--out DIR is required/);
    const busy = join(t.dir, "busy");
    expect((await runCli("codegen", join(examples, "parallel.json"), "--out", busy)).code).toBe(0);
    const again = await runCli("codegen", join(examples, "parallel.json"), "--out", busy);
    expect(again.code).toBe(2);
    expect(again.err).toContain(`${busy}: is not empty`);
    expect((await runCli("codegen", join(examples, "parallel.json"), "--out", busy, "--force")).code).toBe(0);
    const bad = await runCli("codegen", join(examples, "parallel.json"), "--out", join(t.dir, "x"), "--providers", "simulated");
    expect(bad.err).toMatch(/--providers: "simulated" is not one of openai, anthropic, ollama/);
  });
});

describe("pipelines.codegen (tRPC)", () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  beforeAll(async () => {
    ctx = await startApp();
  });
  afterAll(() => ctx.stop());

  it("returns the files of the project", async () => {
    const pipeline = JSON.parse(readFileSync(join(examples, "validation-loop.json"), "utf8"));
    const input = encodeURIComponent(JSON.stringify({ pipeline }));
    const r = await json(`${ctx.url}/trpc/pipelines.codegen?input=${input}`);
    expect(r.status).toBe(200);
    const files = r.body.result.data.files as Array<{ path: string; content: string }>;
    expect(files.map((f) => f.path)).toEqual(expect.arrayContaining(["package.json", "src/graph.ts", "src/nodes.ts", "src/judge.ts"]));
    expect(files.find((f) => f.path === "src/graph.ts")?.content).toContain('builder.addConditionalEdges("node.check"');
  });

  it("answers an invalid pipeline with its Braid code", async () => {
    const input = encodeURIComponent(JSON.stringify({ pipeline: { format: "braid/pipeline@1", name: "x", nodes: [{ id: "in", kind: "input" }], edges: [] } }));
    const r = await json(`${ctx.url}/trpc/pipelines.codegen?input=${input}`);
    expect(r.status).toBe(400);
    expect(r.body.error.data.braidCode).toBe("E_NO_OUTPUT");
  });
});
