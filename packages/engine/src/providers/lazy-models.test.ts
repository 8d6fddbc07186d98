import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The LangChain chat-model packages (and the SDKs under them) are imported when a model is first
 * built, not when Braid loads: some 30 MB of every process, which simulated and direct
 * OpenAI-compatible calls never use. A loader hook in a child process reports every import of them.
 */
const hook = `data:text/javascript,${encodeURIComponent(`
import { register } from "node:module";
register("data:text/javascript," + encodeURIComponent(
  "export async function resolve(s, c, next) { if (/^@langchain\\\\/(openai|anthropic|ollama)/.test(s)) process.stderr.write('LOADED ' + s + '\\\\n'); return next(s, c); }"
));`)}`;

/** The chat-model packages the script imports, in order, then "done" once it has run. */
function loaded(script: string): string[] {
  const r = spawnSync(process.execPath, ["--import", hook, "--import", "tsx", "--input-type=module", "-e", `${script}; console.error("done")`], {
    cwd: join(import.meta.dirname, "../.."),
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`the child failed: ${r.stderr}`);
  return r.stderr.split("\n").filter(Boolean);
}

describe("chat-model packages load on first use", () => {
  it("loading the Node entry and running on simulated backends imports none of them; building a model imports its own", () => {
    const idle = loaded(`
      const e = await import("./src/node.ts");
      const { defaultRegistry } = await import("@braid/nodes");
      const { readFileSync } = await import("node:fs");
      const p = JSON.parse(readFileSync("../../examples/sequential.json", "utf8"));
      const r = await e.runToEnd(p, { registry: defaultRegistry, pool: e.createNodePool({ latency: "zero" }), seed: 1 });
      if (r.last.type !== "run_finished") throw new Error(r.last.type)`);
    expect(idle).toEqual(["done"]);

    const built = loaded(`
      const { AnthropicBackend } = await import("./src/providers/anthropic.ts");
      const b = new AnthropicBackend({ name: "a", provider: "anthropic", model: "m", timeoutMs: 1000, retries: 0 });
      await b.createModel({ config: b.config, req: { prompt: "", task: { type: "generate" } }, baseUrl: "http://127.0.0.1:9", apiKey: "k", fetch })`);
    expect(built).toEqual(["LOADED @langchain/anthropic", "done"]);
  }, 60_000);
});
