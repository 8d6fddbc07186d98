import { readFileSync } from "node:fs";
import { type Pipeline, defaultBackendConfigs } from "@braid/engine";
import { defaultRegistry } from "@braid/nodes";
import { describe, expect, it } from "vitest";
import { ablations } from "./prune.js";

const load = (name: string) => JSON.parse(readFileSync(new URL(`../../../../examples/${name}.json`, import.meta.url), "utf8")) as Pipeline;

describe("pruning candidates", () => {
  it("removes a critique with its corrector and its exhausted-only path, and wires its input to the pass branch", () => {
    const { candidates, skipped } = ablations(load("validation-loop"), defaultRegistry, defaultBackendConfigs());
    expect(candidates.map((c) => c.node)).toEqual(["check"]);
    const [c] = candidates;
    expect(c?.removes.sort()).toEqual(["best", "check", "fix"]);
    expect(c?.pipeline.edges).toEqual([
      { from: "in", to: "gen" },
      { from: "gen", to: "out" },
    ]);
    // critique-pass on the removed critique cannot judge the ablation; the output evaluators stay.
    expect(c?.pipeline.evaluation?.evaluators?.map((e) => e.type)).not.toContain("critique-pass");
    expect(skipped.gen).toMatch(/leaves the pipeline invalid/);
    expect(skipped.fix).toMatch(/single path/);
    expect(skipped.best).toMatch(/single path/);
  });

  it("removes a stage on a single path only when nothing downstream reads it", () => {
    const { candidates, skipped } = ablations(load("sequential"), defaultRegistry, defaultBackendConfigs());
    for (const c of candidates) expect(c.pipeline.nodes.some((n) => n.id === c.node)).toBe(false);
    for (const why of Object.values(skipped)) expect(why).toMatch(/invalid|single path/);
    expect(candidates.length + Object.keys(skipped).length).toBeGreaterThan(0);
  });
});
