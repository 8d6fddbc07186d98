import { readFileSync } from "node:fs";
import { FORMAT_V1, type Pipeline } from "@braid/core";

/** The hostile-strings fixture's labels (test-fixtures/, a copy of the project's shared fixture). */
export function hostileLabels(): string[] {
  const file = new URL("../../../../test-fixtures/hostile-strings.json", import.meta.url);
  return (JSON.parse(readFileSync(file, "utf8")) as { labels: string[] }).labels;
}

/** The validation-loop pattern, small enough to reason about in tests. */
export function loopDoc(): Pipeline {
  return {
    format: FORMAT_V1,
    name: "Loop",
    input: { example: { sku: "WM-1", meta: { color: "red" } } },
    nodes: [
      { id: "in", kind: "input", position: { x: 0, y: 0 } },
      {
        id: "gen",
        kind: "generate",
        label: "Draft",
        position: { x: 0, y: 150 },
        config: { backend: "generator", prompt: "Describe {{input.sku}}", shape: { name: "string", price: 0 } },
      },
      {
        id: "check",
        kind: "critique",
        position: { x: 0, y: 300 },
        config: { backend: "validator", target: "gen", rubric: ["price is positive"], threshold: 0.8, maxAttempts: 3 },
      },
      {
        id: "fix",
        kind: "generate",
        position: { x: 300, y: 300 },
        config: { backend: "enricher", revises: "gen", prompt: "Fix {{gen}} given {{check.issues}}" },
      },
      { id: "out", kind: "output", position: { x: 0, y: 450 }, config: { value: "{{gen}}" } },
    ],
    edges: [
      { from: "in", to: "gen" },
      { from: "gen", to: "check" },
      { from: "check", to: "out", branch: "pass" },
      { from: "check", to: "fix", branch: "fail" },
      { from: "check", to: "out", branch: "exhausted" },
      { from: "fix", to: "check" },
    ],
  };
}

export function routeDoc(): Pipeline {
  return {
    format: FORMAT_V1,
    name: "Route",
    nodes: [
      { id: "in", kind: "input" },
      { id: "r", kind: "route", config: { strategy: "complexity", branches: [{ id: "fast", upTo: 3 }, { id: "slow" }], default: "slow" } },
      { id: "a", kind: "generate", config: { backend: "generator", prompt: "a" } },
      { id: "b", kind: "generate", config: { backend: "generator", prompt: "b" } },
      { id: "out", kind: "output" },
    ],
    edges: [
      { from: "in", to: "r" },
      { from: "r", to: "a", branch: "fast" },
      { from: "r", to: "b", branch: "slow" },
      { from: "a", to: "out" },
      { from: "b", to: "out" },
    ],
  };
}
