import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { BraidError, type NodeKind, type Pipeline, Registry, emptyRefs, parseBackendsFile, parsePipeline, runToEnd } from "@braid/engine";
import { createNodePool } from "@braid/engine/node";
import { type Stub, followInstructions, startOpenAiStub } from "@braid/engine/testing";
import { builtinKinds, defaultRegistry } from "@braid/nodes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { DEPENDENCY_VERSIONS, DEV_VERSIONS, type GeneratedFile, generateProject, writeProject } from "../src/codegen/index.js";

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "../../..");
const examplesDir = join(repo, "examples");
const examples = readdirSync(examplesDir).filter((f) => f.endsWith(".json") && !f.startsWith("backends"));
const load = (file: string): Pipeline => {
  const r = parsePipeline(readFileSync(join(examplesDir, file), "utf8"));
  if (!r.ok) throw new Error(`${file} does not parse`);
  return r.pipeline;
};
const pkg = (path: string) => JSON.parse(readFileSync(join(repo, path, "package.json"), "utf8")) as Record<string, Record<string, string>>;
const hostile = JSON.parse(readFileSync(join(repo, "test-fixtures/hostile-strings.json"), "utf8")) as { labels: string[] };

// Inside the repo (gitignored .braid-tmp), so each generated project resolves the packages this
// repo has installed through a node_modules of links, as if `npm install` had run.
const tmp = join(here, "../.braid-tmp", `codegen-${process.pid}`);
function linkModules(): void {
  const from: Record<string, string> = {
    "@langchain/core": "packages/engine",
    "@langchain/langgraph": "packages/engine",
    "@langchain/openai": "packages/engine",
    "@langchain/anthropic": "packages/engine",
    "@langchain/ollama": "packages/engine",
    jsonrepair: "packages/engine",
    zod: "packages/engine",
    jsonata: "packages/core",
    "@cfworker/json-schema": "packages/core",
    "@types/node": ".",
  };
  for (const [name, pkgDir] of Object.entries(from)) {
    const link = join(tmp, "node_modules", name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(repo, pkgDir, "node_modules", name), link, "dir");
  }
}

const written = new Map<string, string>();
function write(name: string, files: GeneratedFile[]): string {
  const dir = join(tmp, name);
  writeProject(dir, files);
  written.set(name, dir);
  return dir;
}

const HOSTILE_PROMPT = `${hostile.labels[4]} {{input.a}} */ \u2028 \`\${process.exit(1)}\``;

/** A pipeline whose ids and labels are the hostile strings: none may escape a comment or string. */
function hostilePipeline(): Pipeline {
  const labels = hostile.labels;
  const doc = {
    format: "braid/pipeline@1",
    name: labels[3],
    nodes: [
      { id: "in", kind: "input", label: labels[3] },
      {
        id: "constructor",
        kind: "generate",
        label: `${labels[4]} */ \u2028 evil()`,
        config: { backend: "x`${1}", prompt: HOSTILE_PROMPT, system: labels[15] },
      },
      {
        id: "a-b",
        kind: "route",
        label: labels[0],
        config: { strategy: "rules", branches: [{ id: "x", when: 'constructor = "\\"); process.exit(1); //"' }, { id: "y" }], default: "y" },
      },
      { id: "a_b", kind: "merge", label: labels[12], config: { strategy: "object" } },
      { id: "default", kind: "output", label: labels[8], config: { value: "{{a_b}}" } },
    ],
    edges: [
      { from: "in", to: "constructor" },
      { from: "constructor", to: "a-b" },
      { from: "a-b", to: "a_b", branch: "x" },
      { from: "a-b", to: "a_b", branch: "y" },
      { from: "a_b", to: "default" },
    ],
  };
  const r = parsePipeline(JSON.stringify(doc));
  if (!r.ok) throw new Error(`hostile pipeline does not parse: ${JSON.stringify(r.diagnostics)}`);
  return r.pipeline;
}

beforeAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  linkModules();
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("braid codegen", () => {
  it("asks for the dependency ranges this repo uses", () => {
    const engine = pkg("packages/engine").dependencies ?? {};
    const core = pkg("packages/core").dependencies ?? {};
    const root = pkg(".").devDependencies ?? {};
    for (const [name, range] of Object.entries(DEPENDENCY_VERSIONS)) expect(engine[name] ?? core[name], name).toBe(range);
    for (const [name, range] of Object.entries(DEV_VERSIONS)) expect(root[name], name).toBe(range);
  });

  it.each(examples)("generates %s: a function per node and the wiring", (file) => {
    const p = load(file);
    const files = generateProject(p, { registry: defaultRegistry });
    const text = (path: string) => files.find((f) => f.path === path)?.content ?? "";
    for (const n of p.nodes) {
      expect(text("src/nodes.ts")).toContain(`const ID = ${JSON.stringify(n.id)};`);
      expect(text("src/graph.ts")).toContain(`builder.addNode(${JSON.stringify(`node.${n.id}`)}`);
    }
    expect(JSON.parse(text("package.json")).dependencies).not.toHaveProperty("@braid/engine");
    expect(files.map((f) => f.content).join("\n")).not.toMatch(/@braid\//);
    write(file.replace(/\.json$/, ""), files);
  });

  it("refuses a kind it cannot express with E_CODEGEN_UNSUPPORTED naming the node", () => {
    const custom: NodeKind<Record<string, never>> = {
      kind: "custom",
      title: "Custom",
      description: "test-only",
      configSchema: z.object({}) as unknown as z.ZodType<Record<string, never>>,
      defaults: () => ({}),
      refs: () => emptyRefs(),
      execute: async () => ({ output: 1 }),
      diagram: { shape: "rect", icon: "?", colour: "#000000", style: "" },
    };
    const registry = new Registry([...builtinKinds, custom]);
    const p = load("sequential.json");
    p.nodes.push({ id: "odd", kind: "custom", position: { x: 0, y: 0 } } as Pipeline["nodes"][number]);
    p.edges.push({ from: "validate", to: "odd" }, { from: "odd", to: "out" } as Pipeline["edges"][number]);
    let err: unknown;
    try {
      generateProject(p, { registry });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BraidError);
    expect((err as BraidError).code).toBe("E_CODEGEN_UNSUPPORTED");
    expect((err as BraidError).nodeId).toBe("odd");
    expect((err as BraidError).message).toContain('"odd"');
  });

  it("keeps hostile ids and labels inside literals", () => {
    const files = generateProject(hostilePipeline(), { registry: defaultRegistry });
    const nodes = files.find((f) => f.path === "src/nodes.ts")?.content ?? "";
    expect(nodes).toContain("export async function constructorNode(");
    expect(nodes).toContain("export async function a_bNode(");
    expect(nodes).toContain("export async function a_bNode2(");
    expect(nodes).not.toContain("\u2028");
    write("hostile", files);
  });

  it("refuses a non-empty folder unless forced", () => {
    const dir = join(tmp, "occupied");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "keep.txt"), "x");
    const files = generateProject(load("sequential.json"), { registry: defaultRegistry });
    expect(() => writeProject(dir, files)).toThrow(/is not empty; .*--force/);
    writeProject(dir, files, { force: true });
    expect(readFileSync(join(dir, "keep.txt"), "utf8")).toBe("x");
  });

  it("every generated project type-checks (one tsc run)", { timeout: 90_000 }, async () => {
    expect(written.size).toBeGreaterThanOrEqual(examples.length + 1);
    const first = [...written.keys()][0] as string;
    writeFileSync(
      join(tmp, "tsconfig.json"),
      JSON.stringify({ extends: `./${first}/tsconfig.json`, include: [...written.keys()].map((n) => `${n}/src/**/*.ts`) }),
    );
    const tsc = join(repo, "node_modules/typescript/bin/tsc");
    const r = await run(process.execPath, [tsc, "--noEmit", "-p", join(tmp, "tsconfig.json")]).catch((e: { stdout: string }) => ({
      stdout: e.stdout,
      failed: true,
    }));
    expect(r.stdout).toBe("");
  });
});

describe("a generated project returns what braid run returns", () => {
  const backends = (url: string) =>
    ["generator", "enricher", "validator"].map((name) => ({ name, provider: "openai", model: `stub-${name}`, baseUrl: `${url}/v1`, retries: 0 }));
  /** What the models were asked, in a stable order (parallel branches call in any order). */
  const asked = (stub: Stub) => stub.requests.map((r) => JSON.stringify(r.body.messages)).sort();

  // Linear, parallel + merge, a critique loop, routes, votes over critiques, synthesis: every example.
  it.each(examples)("%s", { timeout: 20_000 }, async (file) => {
    const p = load(file);
    const input = p.input?.example ?? {};
    const name = file.replace(/\.json$/, "");
    const dir = written.get(name) ?? write(name, generateProject(p, { registry: defaultRegistry }));
    writeFileSync(join(dir, "input.json"), JSON.stringify(input));
    // The stub answers from the request alone, so the same prompts get the same answers.
    const stub = await startOpenAiStub({ reply: followInstructions });
    try {
      writeFileSync(join(dir, "backends.json"), JSON.stringify({ backends: backends(stub.url) }));
      const pool = createNodePool({ extra: parseBackendsFile({ backends: backends(stub.url) }).backends });
      const braid = await runToEnd(p, { registry: defaultRegistry, pool, input, seed: 1 });
      expect(braid.last.type).toBe("run_finished");
      const braidAsked = asked(stub);
      stub.requests.length = 0;

      const tsx = join(repo, "node_modules/.bin/tsx");
      const out = await run(tsx, ["src/main.ts", "input.json"], { cwd: dir, env: { ...process.env, BACKENDS_FILE: "backends.json" } });
      expect(JSON.parse(out.stdout)).toEqual((braid.last as { output: unknown }).output);
      expect(asked(stub)).toEqual(braidAsked);
      expect(braidAsked.length).toBeGreaterThan(0);
    } finally {
      await stub.close();
    }
  });

  it("runs the hostile pipeline: its text reaches the model as data, nothing breaks out", { timeout: 20_000 }, async () => {
    const dir = written.get("hostile") as string;
    const stub = await startOpenAiStub({ reply: followInstructions });
    try {
      const backend = { name: "x`${1}", provider: "openai", model: "m", baseUrl: `${stub.url}/v1` };
      writeFileSync(join(dir, "backends.json"), JSON.stringify({ backends: [backend] }));
      writeFileSync(join(dir, "input.json"), JSON.stringify({ a: "</script>" }));
      const tsx = join(repo, "node_modules/.bin/tsx");
      const out = await run(tsx, ["src/main.ts", "input.json"], { cwd: dir, env: { ...process.env, BACKENDS_FILE: "backends.json" } });
      expect(JSON.parse(out.stdout)).toEqual({ branch: "y", reason: "no rule matched; took the default" });
      const messages = stub.requests[0]?.body.messages as Array<{ role: string; content: string }>;
      expect(messages).toEqual([
        { role: "system", content: hostile.labels[15] },
        { role: "user", content: HOSTILE_PROMPT.replace("{{input.a}}", "</script>") },
      ]);
    } finally {
      await stub.close();
    }
  });
});
