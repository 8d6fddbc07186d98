import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runCli } from "./cli-capture.js";
import { profileJsonl } from "./helpers.js";
import { defaultResultsPath } from "../src/cli/commands/batch.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const example = (name: string) => join(root, "examples", `${name}.json`);
const dir = mkdtempSync(join(tmpdir(), "braid-batch-cli-"));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const jsonl = profileJsonl;

const cli = runCli;

afterEach(() => vi.restoreAllMocks());

describe("braid batch", () => {
  it("exit 0 when every record completes; results beside the inputs; the summary on stdout and progress on stderr", async () => {
    const inputs = file("ok.jsonl", jsonl(12));
    const r = await cli("batch", example("sequential"), "--inputs", inputs, "--latency", "zero", "--concurrency", "4", "--seed", "7");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/completed/);
    expect(r.out).toMatch(/12 ok · 0 failed · 0 bad rows/);
    expect(r.out).toMatch(/per node/);
    expect(r.out).toMatch(/enrich/);
    expect(r.err).toMatch(/rec\/s/);
    const results = readFileSync(defaultResultsPath(inputs), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(results).toHaveLength(12);
    expect(results.map((x) => x.seed).sort((a: number, b: number) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => 7 + i));
  });

  it("exit 1 when a row is bad, with its line in the errors file; --json prints the summary as JSON", async () => {
    const inputs = file("bad.jsonl", jsonl(5, ["{oops"]));
    const out = join(dir, "bad-out.jsonl");
    const r = await cli("batch", example("sequential"), "--inputs", inputs, "--out", out, "--latency", "zero", "--json", "--quiet");
    expect(r.code).toBe(1);
    const summary = JSON.parse(r.out);
    expect(summary).toMatchObject({ status: "completed", ok: 5, badRows: 1, badRowLines: [6], results: out, errors: join(dir, "bad-out.errors.jsonl") });
    expect(JSON.parse(readFileSync(join(dir, "bad-out.errors.jsonl"), "utf8"))).toMatchObject({ line: 6, code: "E_PARSE" });
  });

  it("exit 1 when runs fail, listing the reasons", async () => {
    const backends = file(
      "flaky.json",
      JSON.stringify({ backends: [{ name: "generator", provider: "simulated", retries: 0, circuitBreaker: false, simulation: { failureRate: 1 } }] }),
    );
    const inputs = file("fail.jsonl", jsonl(3));
    const r = await cli("batch", example("sequential"), "--inputs", inputs, "--latency", "zero", "--backends", backends);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/3 failed/);
    expect(r.out).toMatch(/3 × E_BACKEND_FAILED: backend "generator" failed/);
  });

  it("a rerun resumes: nothing runs twice", async () => {
    const inputs = file("resume.jsonl", jsonl(6));
    expect((await cli("batch", example("sequential"), "--inputs", inputs, "--latency", "zero")).code).toBe(0);
    const again = await cli("batch", example("sequential"), "--inputs", inputs, "--latency", "zero", "--json", "--quiet");
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out)).toMatchObject({ resumed: 6, ran: 0, ok: 6 });
    expect(readFileSync(defaultResultsPath(inputs), "utf8").trim().split("\n")).toHaveLength(6);
  });

  it("reads CSV", async () => {
    const inputs = file("people.csv", "country,segment\nUkraine,teachers\nPoland,nurses\n");
    const r = await cli("batch", example("sequential"), "--inputs", inputs, "--latency", "zero", "--json", "--quiet");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ ok: 2 });
  });

  it("exit 2 for bad arguments, an unreadable pipeline or inputs file", async () => {
    const inputs = file("two.jsonl", jsonl(2));
    const cases: Array<[string[], RegExp]> = [
      [["batch", example("sequential")], /missing --inputs/],
      [["batch", "--inputs", inputs], /missing <pipeline>/],
      [["batch", example("sequential"), "--inputs", inputs, "--concurrency", "0"], /--concurrency must be between 1/],
      [["batch", example("sequential"), "--inputs", inputs, "--concurrency", "x"], /--concurrency must be an integer/],
      [["batch", example("sequential"), "--inputs", inputs, "--latency", "slow"], /--latency must be/],
      [["batch", example("sequential"), "--inputs", inputs, "--format", "xml"], /--format must be/],
      [["batch", example("sequential"), "--inputs", inputs, "--fresh", "--retry-failed"], /exclude each other/],
      [["batch", join(dir, "nope.json"), "--inputs", inputs], /nope\.json: file not found/],
      [["batch", file("notjson.json", "{"), "--inputs", inputs], /notjson\.json/],
      [["batch", example("sequential"), "--inputs", join(dir, "missing.jsonl")], /missing\.jsonl: file not found/],
      [["batch", example("sequential"), "--inputs", file("dup.csv", "a,a\n1,2\n"), "--latency", "zero"], /dup\.csv: the CSV header .* names column "a" twice/],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(...argv);
      expect({ argv: argv.join(" "), code: r.code }).toEqual({ argv: argv.join(" "), code: 2 });
      expect(r.err).toMatch(message);
    }
    const invalid = file(
      "invalid.json",
      JSON.stringify({
        format: "braid/pipeline@1",
        name: "x",
        nodes: [
          { id: "in", kind: "input" },
          { id: "g", kind: "generate", config: { backend: "ghost", prompt: "p" } },
          { id: "out", kind: "output" },
        ],
        edges: [
          { from: "in", to: "g" },
          { from: "g", to: "out" },
        ],
      }),
    );
    const r = await cli("batch", invalid, "--inputs", inputs, "--latency", "zero");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/E_UNKNOWN_BACKEND/);
  });

  it("names the results file after the inputs", () => {
    expect(defaultResultsPath("/d/data.jsonl")).toBe("/d/data.results.jsonl");
    expect(defaultResultsPath("people.csv")).toBe("people.results.jsonl");
  });
});
