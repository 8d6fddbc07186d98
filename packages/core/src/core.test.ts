import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";

// The browser imports @braid/core: its entry must reach no Node-only module and no runtime
// package, however deep the import sits. Walks the static import graph from src/index.ts.
const SRC = import.meta.dirname;
const BROWSER_SAFE = new Set(["zod", "jsonata", "fflate", "@cfworker/json-schema", "re2js", "fastest-levenshtein"]);
const NODE_ONLY = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

function importGraph(entry: string): { files: Set<string>; bare: Map<string, string> } {
  const files = new Set<string>();
  const bare = new Map<string, string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"|(?:^|\n)\s*import\s+"([^"]+)"|import\(\s*"([^"]+)"\s*\)/g)) {
      const spec = (m[1] ?? m[2] ?? m[3]) as string;
      if (spec.startsWith(".")) visit(join(dirname(file), spec.replace(/\.js$/, ".ts")));
      else bare.set(spec, relative(SRC, file));
    }
  };
  visit(entry);
  return { files, bare };
}

describe("@braid/core entry", () => {
  const { files, bare } = importGraph(join(SRC, "index.ts"));

  it("walks the whole core (the walk itself works)", () => {
    expect(files.size).toBeGreaterThan(25);
    expect([...files].some((f) => f.endsWith("mermaid/import.ts"))).toBe(true);
  });

  it("imports no Node-only module and only browser-safe packages", () => {
    const offenders = [...bare].filter(([spec]) => {
      const pkg = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : (spec.split("/")[0] as string);
      return NODE_ONLY.has(spec) || NODE_ONLY.has(pkg) || !BROWSER_SAFE.has(pkg);
    });
    expect(offenders).toEqual([]);
  });

  it("is declared side-effect free, so bundlers drop what the browser does not use", () => {
    const pkg = JSON.parse(readFileSync(join(SRC, "../package.json"), "utf8")) as { sideEffects?: unknown };
    expect(pkg.sideEffects).toBe(false);
  });
});
