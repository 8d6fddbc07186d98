import type { Pipeline, RunEvent } from "@braid/core";
import { describe, expect, it, vi } from "vitest";
import { idleRun, type RunBrief } from "../run/brief.js";
import { eventsOf, fetchRunEvents, hasExportableRun, overlayFromBrief } from "./runOverlay.js";

const loop: Pipeline = {
  format: "braid/pipeline@1",
  name: "Loop",
  nodes: [
    { id: "in", kind: "input" },
    { id: "gen", kind: "generate" },
    { id: "check", kind: "critique" },
    { id: "fix", kind: "generate" },
    { id: "out", kind: "output" },
  ],
  edges: [
    { from: "in", to: "gen" },
    { from: "gen", to: "check" },
    { from: "check", to: "out", branch: "pass" },
    { from: "check", to: "fix", branch: "fail" },
    { from: "fix", to: "check" },
  ],
};

const node = (nodeId: string, status: "done" | "failed" | "running", visits = 1, branch?: string) => ({
  nodeId,
  status,
  visits,
  tokens: 0,
  retries: 0,
  ...(branch ? { branch } : {}),
});

describe("run overlay from the run view", () => {
  it("marks finished and failed nodes and the edges the run took", () => {
    const run: RunBrief = {
      ...idleRun(),
      status: "failed",
      runId: "r1",
      order: ["in", "gen", "check", "fix"],
      nodes: { in: node("in", "done"), gen: node("gen", "done"), check: node("check", "done", 2, "fail"), fix: node("fix", "failed", 1) },
      iterations: [{ nodeId: "check", attempt: 1, maxAttempts: 3, metrics: { score: 0.2 }, passed: false, branch: "fail" }],
    };
    expect(hasExportableRun(run)).toBe(true);
    const o = overlayFromBrief(run, loop);
    expect(o.visited).toEqual(["in", "gen", "check"]);
    expect(o.failed).toEqual(["fix"]);
    // fix failed, so fix → check was not taken; check → out ("pass") was never chosen.
    expect(o.takenEdges).toEqual([
      ["in", "gen"],
      ["gen", "check"],
      ["check", "fix", "fail"],
    ]);
  });
  it("counts a loop edge only when its target ran again", () => {
    const run: RunBrief = {
      ...idleRun(),
      status: "completed",
      order: ["in", "gen", "check", "fix", "out"],
      nodes: { in: node("in", "done"), gen: node("gen", "done"), check: node("check", "done", 2, "pass"), fix: node("fix", "done"), out: node("out", "done") },
      iterations: [
        { nodeId: "check", attempt: 1, maxAttempts: 3, metrics: { score: 0.2 }, passed: false, branch: "fail" },
        { nodeId: "check", attempt: 2, maxAttempts: 3, metrics: { score: 0.9 }, passed: true, branch: "pass" },
      ],
    };
    expect(overlayFromBrief(run, loop).takenEdges).toEqual([
      ["in", "gen"],
      ["gen", "check"],
      ["check", "out", "pass"],
      ["check", "fix", "fail"],
      ["fix", "check"],
    ]);
  });
  it("has nothing to export before a node starts, and prefers events the view carries", () => {
    expect(hasExportableRun(idleRun())).toBe(false);
    expect(eventsOf(idleRun())).toBeUndefined();
    const events = [{ type: "run_started", runId: "r", at: 1 }] as unknown as RunEvent[];
    expect(eventsOf({ ...idleRun(), events } as RunBrief)).toBe(events);
  });
});

describe("fetching a run's events", () => {
  type Handlers = Parameters<Parameters<typeof fetchRunEvents>[0]>[1];
  it("stops at the terminal event", async () => {
    const unsubscribe = vi.fn();
    const events = await fetchRunEvents((_input, h: Handlers) => {
      queueMicrotask(() => {
        h.onData({ data: { seq: 1, event: { type: "run_started" } } });
        h.onData({ data: { seq: 2, event: { type: "run_finished" } } });
        h.onData({ data: { seq: 3, event: { type: "late" } } });
      });
      return { unsubscribe };
    }, "r1");
    expect(events.map((e) => e.type)).toEqual(["run_started", "run_finished"]);
    await new Promise((r) => setTimeout(r, 0));
    expect(unsubscribe).toHaveBeenCalled();
  });
  it("settles when a live run goes quiet, and fails only with nothing received", async () => {
    const quiet = await fetchRunEvents(
      (_i, h: Handlers) => {
        queueMicrotask(() => h.onData({ data: { seq: 1, event: { type: "node_started" } } }));
        return { unsubscribe() {} };
      },
      "r1",
      { idleMs: 10, maxMs: 1000 },
    );
    expect(quiet).toHaveLength(1);
    await expect(
      fetchRunEvents((_i, h: Handlers) => {
        queueMicrotask(() => h.onError(new Error("offline")));
        return { unsubscribe() {} };
      }, "r1"),
    ).rejects.toThrow("offline");
  });
});
