import type { Pipeline, RunEvent } from "@braid/core";
import { describe, expect, it } from "vitest";
import { buildResume, decisionText, excerpt, fieldOfProblem, initialForm, parseValue, pendingReview, timeoutText, waitedFor } from "./review.js";
import { type StoredItem, describeStep, emptySession, receive } from "./session.js";
import { closeRun, setStep, useTrace } from "./store.js";

const usage = { inputTokens: 0, outputTokens: 0, costUsd: 0 };

/** in → draft → review (approval) → out */
const pipeline = {
  format: "braid/pipeline@1",
  name: "reviewed",
  nodes: [
    { id: "in", kind: "input" },
    { id: "draft", kind: "generate", config: { backend: "generator", prompt: "x" } },
    { id: "review", kind: "approval", config: { message: "Publish?", allowEdit: true } },
    { id: "out", kind: "output" },
  ],
  edges: [
    { from: "in", to: "draft" },
    { from: "draft", to: "review" },
    { from: "review", to: "out", branch: "approved" },
    { from: "review", to: "out", branch: "rejected" },
  ],
} as Pipeline;

function waitingRun(extra: Record<string, unknown> = {}): StoredItem[] {
  const e = (at: number, ev: Record<string, unknown>) => ({ runId: "r1", at, ...ev }) as RunEvent;
  const events = [
    e(1000, { type: "run_started", pipeline: "reviewed", input: {}, seed: 1 }),
    e(1001, { type: "node_started", nodeId: "draft", span: "draft#1", kind: "generate", attempt: 1 }),
    e(1002, { type: "node_finished", nodeId: "draft", span: "draft#1", output: { title: "Mice" }, durationMs: 1, usage }),
    e(1003, { type: "node_started", nodeId: "review", span: "review#1", kind: "approval", attempt: 1 }),
    e(1004, {
      type: "node_waiting",
      nodeId: "review",
      span: "review#1",
      message: "Publish Mice?",
      reviews: "draft",
      value: { title: "Mice" },
      allowEdit: true,
      decisions: ["approved", "rejected"],
      ...extra,
    }),
    e(1005, { type: "run_waiting", nodeId: "review", durationMs: 5, usage }),
  ];
  return events.map((event, i) => ({ seq: i + 1, event }));
}

const resumed = (items: StoredItem[], decision: string, reviewer?: string): StoredItem[] => {
  const e = (at: number, ev: Record<string, unknown>) => ({ runId: "r1", at, ...ev }) as RunEvent;
  const more = [
    e(2000, { type: "run_resumed", nodeId: "review", decision, ...(reviewer ? { reviewer, comment: "fine" } : {}) }),
    e(2001, {
      type: "node_finished",
      nodeId: "review",
      span: "review#1",
      output: { decision, value: { title: "Mice" } },
      branch: decision,
      reason: decision,
      durationMs: 1,
      usage,
    }),
  ];
  return [...items, ...more.map((event, i) => ({ seq: items.length + i + 1, event }))];
};

describe("the review a run waits for", () => {
  it("is read from the run's events while its latest event is run_waiting, and gone once it resumed", () => {
    const items = waitingRun({ timeoutAt: 9000 });
    expect(pendingReview(items.map((i) => i.event))).toEqual({
      nodeId: "review",
      span: "review#1",
      message: "Publish Mice?",
      reviews: "draft",
      value: { title: "Mice" },
      allowEdit: true,
      decisions: ["approved", "rejected"],
      timeoutAt: 9000,
      since: 1004,
    });
    expect(pendingReview(resumed(items, "approved").map((i) => i.event))).toBeUndefined();
  });

  it("puts the run store's brief in `waiting` with the review, marks the node, and follows on after the resume", () => {
    const items = waitingRun();
    useTrace.setState({ ...receive(emptySession(), items, pipeline, true).session, runId: "r1", pipeline, graph: "run" });
    // The store recomputes its brief on a step change (setStep), as it does on received events.
    setStep(1);
    setStep(999);
    const t = useTrace.getState();
    expect(t.brief.status).toBe("waiting");
    expect(t.brief.review).toMatchObject({ nodeId: "review", message: "Publish Mice?" });
    expect(t.overlays.review?.waiting).toBe(true);
    expect(t.overlays.draft?.waiting).toBeUndefined();

    useTrace.setState({ ...receive(useTrace.getState(), resumed(items, "approved", "Ann"), pipeline, true).session });
    setStep(1);
    setStep(999);
    const after = useTrace.getState();
    expect(after.brief.status).toBe("running");
    expect(after.brief.review).toBeUndefined();
    expect(after.overlays.review?.waiting).toBeUndefined();
    // The approval node names its branch on its span (no route_decided): the card shows "→ approved".
    expect(after.overlays.review?.branch).toBe("approved");
    expect(after.view.spans["review#1"]?.review).toMatchObject({ decision: "approved", reviewer: "Ann", comment: "fine" });
    closeRun();
  });

  it("names the decision and who made it in the timeline step and in replay", () => {
    const items = resumed(waitingRun(), "rejected", "Ann");
    expect(describeStep(items, 7)).toBe("run resumed at review: rejected by Ann (“fine”)");
    expect(decisionText({ decision: "approved", reviewer: "Ann", comment: "ok" })).toBe("approved by Ann: “ok”");
    expect(decisionText({ decision: "timeout" })).toBe("timeout (nobody decided in time)");
    expect(decisionText({})).toBeUndefined();
  });
});

describe("the resume request from the review form", () => {
  const review = pendingReview(waitingRun().map((i) => i.event));
  if (!review) throw new Error("fixture has no review");

  it("approves or rejects without a value unless edited, trimming the optional texts", () => {
    const form = { ...initialForm(review), reviewer: "  Ann ", comment: "" };
    expect(buildResume("r1", review, "approved", form)).toEqual({ ok: true, request: { runId: "r1", node: "review", decision: "approved", reviewer: "Ann" } });
    expect(buildResume("r1", review, "rejected", { ...form, editing: true, valueText: "{bad" })).toEqual({
      ok: true,
      request: { runId: "r1", node: "review", decision: "rejected", reviewer: "Ann" },
    });
  });

  it("sends the edited value as JSON with Approve with edits", () => {
    const form = { ...initialForm(review), editing: true, valueText: '{ "title": "Rats" }', comment: "renamed" };
    expect(buildResume("r1", review, "approved", form)).toEqual({
      ok: true,
      request: { runId: "r1", node: "review", decision: "approved", value: { title: "Rats" }, comment: "renamed" },
    });
  });

  it("refuses an edited value that is not JSON, naming the field, and never sends it", () => {
    const r = buildResume("r1", review, "approved", { ...initialForm(review), editing: true, valueText: '{ "title": Rats }' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.field).toBe("value");
    expect(r.message).toMatch(/^Edited value: not valid JSON \(/);
    expect(parseValue("  ")).toMatchObject({ ok: false, message: expect.stringMatching(/^empty/) });
    expect(parseValue('"plain"')).toEqual({ ok: true, value: "plain" });
  });

  it("refuses a decision the node does not offer, and over-long texts, before sending", () => {
    expect(buildResume("r1", review, "timeout", initialForm(review))).toMatchObject({ ok: false, field: "decision" });
    expect(buildResume("r1", review, "approved", { ...initialForm(review), comment: "x".repeat(2001) })).toMatchObject({ ok: false, field: "comment" });
    expect(buildResume("r1", { ...review, allowEdit: false }, "approved", { ...initialForm(review), editing: true, valueText: "1" })).toEqual({
      ok: true,
      request: { runId: "r1", node: "review", decision: "approved" },
    });
  });

  it("reads which field a server refusal names, so that field is marked", () => {
    expect(fieldOfProblem('value: does not match the output form of "draft": title: expected a string')).toBe("value");
    expect(fieldOfProblem('run "r1" is not waiting')).toBeUndefined();
  });

  it("words waiting time, the timeout and the list's excerpt", () => {
    expect(waitedFor(0, 90_000)).toBe("for 2 min");
    expect(timeoutText(undefined, 0)).toBeUndefined();
    expect(timeoutText(40_000, 0)).toBe("times out in 40 s");
    expect(timeoutText(1, 2)).toBe("timing out");
    expect(excerpt("Publish\n  this   now?", 12)).toBe("Publish thi…");
  });
});
