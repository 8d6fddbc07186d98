/**
 * A critique whose judge runs on a loopback server speaking the OpenAI chat-completions protocol,
 * answering with scripted JSON: a score on a scale of its own is read on that scale, a score that
 * fits no scale fails the node with a coded error, and listed issues keep it from passing. The
 * reading itself is unit-tested in packages/nodes/src/kinds/critique.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Pipeline } from "@braid/core";
import { type Stub, startOpenAiStub } from "../providers/testing/stubs.js";
import { pool, run } from "../providers/testing/harness.js";

describe("a critique judged over the OpenAI protocol", () => {
  let judge: Stub;
  let answer = "";
  beforeAll(async () => {
    judge = await startOpenAiStub({ reply: () => answer });
  });
  afterAll(() => judge.close());

  const judgeBackend = () => ({ name: "judge", provider: "openai" as const, model: "judge-stub", baseUrl: `${judge.url}/v1`, retries: 0, timeoutMs: 2000 });
  const pipeline = (critique: Record<string, unknown> = {}): Pipeline =>
    ({
      format: "braid/pipeline@1",
      name: "judged",
      input: { example: { topic: "otters" } },
      nodes: [
        { id: "in", kind: "input" },
        { id: "gen", kind: "generate", config: { backend: "generator", prompt: "Describe {{input.topic}}", shape: { title: "string" } } },
        { id: "check", kind: "critique", config: { backend: "judge", target: "gen", rubric: ["is accurate"], threshold: 0.8, maxAttempts: 1, ...critique } },
        { id: "out", kind: "output", config: { value: "{{gen}}" } },
      ],
      edges: [
        { from: "in", to: "gen" },
        { from: "gen", to: "check" },
        { from: "check", to: "out", branch: "pass" },
        { from: "check", to: "out", branch: "exhausted" },
      ],
    }) as Pipeline;
  const judged = async (reply: unknown, critique: Record<string, unknown> = {}) => {
    answer = JSON.stringify(reply);
    const r = await run(pipeline(critique), { pool: pool([judgeBackend()]) });
    const done = r.events.find((e) => e.type === "node_finished" && e.nodeId === "check");
    const pass = r.events.find((e) => e.type === "loop_iteration" && e.nodeId === "check");
    return { ...r, check: done?.type === "node_finished" ? done : undefined, summary: pass?.type === "loop_iteration" ? pass.summary : undefined };
  };

  it("does not pass 4 of 10 (it used to be clamped to 1.0)", async () => {
    const r = await judged({ score: 4, issues: [] });
    expect(r.check?.branch).toBe("exhausted");
    expect(r.check?.output).toMatchObject({ score: 0.4, passed: false });
    expect(r.summary).toContain("judge score 4 read as 4/10");
  });

  it("passes 90 of 100 as 0.9, and says how it read the score", async () => {
    const r = await judged({ score: 90, issues: [] });
    expect(r.check?.branch).toBe("pass");
    expect(r.check?.output).toMatchObject({ score: 0.9, passed: true });
    expect(r.summary).toContain("read as 90/100");
  });

  it("does not pass a high score with listed issues, unless passWithIssues is set", async () => {
    const blocked = await judged({ score: 0.95, issues: ["the title is made up"] });
    expect(blocked.check?.branch).toBe("exhausted");
    expect(blocked.check?.output).toMatchObject({ score: 0.95, passed: false, issues: ["the title is made up"] });
    expect(blocked.summary).toContain("but the judge listed 1 issue");
    const allowed = await judged({ score: 0.95, issues: ["the title is made up"] }, { passWithIssues: true });
    expect(allowed.check?.branch).toBe("pass");
    expect(allowed.check?.output).toMatchObject({ passed: true, issues: ["the title is made up"] });
  });

  it("does not pass when the judge itself answers passed: false", async () => {
    const r = await judged({ score: 0.9, issues: [], passed: false });
    expect(r.check?.branch).toBe("exhausted");
  });

  it("fails the node with E_OUTPUT_SHAPE when the score fits no scale", async () => {
    for (const score of [140, -1]) {
      const r = await judged({ score, issues: [] });
      const failed = r.events.find((e) => e.type === "node_failed");
      expect(failed?.type === "node_failed" && failed.nodeId).toBe("check");
      expect(failed?.type === "node_failed" && failed.error.code).toBe("E_OUTPUT_SHAPE");
      expect(r.last.type).toBe("run_failed");
    }
  });
});
