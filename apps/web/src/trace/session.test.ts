import { runViewAt } from "@braid/core";
import { describe, expect, it } from "vitest";
import { parallelRun, pipeline } from "./fixtures.test-helper.js";
import { describeStep, emptySession, nextMeaningful, overlayOf, prevMeaningful, receive, seek } from "./session.js";

describe("trace session: live and replay on one view", () => {
  const items = parallelRun();

  it("applies live events as they arrive, one batch at a time, to the same view a replay builds", () => {
    let s = emptySession();
    for (let i = 0; i < items.length; i += 3) s = receive(s, items.slice(i, i + 3), pipeline, true).session;
    expect(s.step).toBe(items.length);
    expect(JSON.stringify(s.view)).toBe(JSON.stringify(runViewAt(items.map((i) => i.event))));
    expect(s.overlays.a).toMatchObject({ status: "ok", tokens: 40, durationMs: 197 });
    expect(s.taken.map((t) => `${t.from}>${t.to}`)).toEqual(["in>a", "in>b", "a>m", "b>m", "m>out"]);
    expect(s.running).toEqual([]);
  });

  it("drops duplicate and old sequence numbers (a resumed subscription never counts an event twice)", () => {
    let s = receive(emptySession(), items.slice(0, 6), pipeline, true).session;
    const again = receive(s, items.slice(3, 9), pipeline, true);
    expect(again.added.map((i) => i.seq)).toEqual([7, 8, 9]);
    s = again.session;
    expect(s.items.map((i) => i.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(s.view.steps).toBe(9);
    expect(receive(s, items.slice(0, 9), pipeline, true).session).toBe(s);
  });

  it("lights parallel branches together and keeps unchanged nodes' overlay objects", () => {
    const s5 = receive(emptySession(), items.slice(0, 5), pipeline, true).session;
    expect(s5.running).toEqual(["a", "b"]);
    expect(s5.overlays.a?.status).toBe("running");
    expect(s5.overlays.b?.status).toBe("running");
    // A token for b re-creates b's overlay only.
    const s6 = receive(s5, items.slice(5, 6), pipeline, true).session;
    expect(s6.overlays.b).not.toBe(s5.overlays.b);
    expect(s6.overlays.b?.streamed).toBe(5);
    expect(s6.overlays.a).toBe(s5.overlays.a);
    expect(s6.overlays.in).toBe(s5.overlays.in);
    expect(s6.taken).toBe(s5.taken);
  });

  it("moves to any step, backward or forward, deterministically", () => {
    const full = receive(emptySession(), items, pipeline, true).session;
    const back = seek(full, 5, pipeline);
    expect(back.step).toBe(5);
    expect(back.overlays.a?.status).toBe("running");
    expect(back.overlays.m).toBeUndefined();
    expect(back.view.state).toEqual({ input: { x: 1 }, in: { x: 1 } });
    const fwd = seek(back, 10, pipeline);
    expect(JSON.stringify(fwd.view)).toBe(
      JSON.stringify(
        runViewAt(
          items.map((i) => i.event),
          10,
        ),
      ),
    );
    expect(seek(fwd, 10, pipeline)).toBe(fwd);
    expect(seek(fwd, 999, pipeline).step).toBe(items.length);
  });

  it("keeps receiving without moving the view while the user scrubs", () => {
    const s = seek(receive(emptySession(), items.slice(0, 8), pipeline, true).session, 3, pipeline);
    const r = receive(s, items.slice(8), pipeline, false).session;
    expect(r.items).toHaveLength(items.length);
    expect(r.step).toBe(3);
  });

  it("handles parallel events that arrive out of order (a finish before its start)", () => {
    const swapped = [...items];
    [swapped[3], swapped[8]] = [swapped[8], swapped[3]] as [(typeof items)[0], (typeof items)[0]];
    const s = receive(
      emptySession(),
      swapped.map((it, i) => ({ ...it, seq: i + 1 })),
      pipeline,
      true,
    ).session;
    expect(s.overlays.b?.status).toBe("ok");
    expect(s.overlays.a?.status).toBe("ok");
  });

  it("shows a run's open nodes as stopped once it was cancelled", () => {
    const cancelled = [
      ...items.slice(0, 6),
      {
        seq: 7,
        event: {
          runId: "r1",
          at: 1100,
          type: "run_cancelled" as const,
          reason: "cancelled by user",
          durationMs: 100,
          usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
        },
      },
    ];
    const s = receive(emptySession(), cancelled, pipeline, true).session;
    expect(s.running).toEqual([]);
    expect(overlayOf(s.view, "a")).toMatchObject({ status: "failed", error: "cancelled" });
  });

  it("steps over streamed tokens and names each step", () => {
    expect(nextMeaningful(items, 5)).toBe(9);
    expect(prevMeaningful(items, 9)).toBe(5);
    expect(describeStep(items, 0)).toBe("Before the first event");
    expect(describeStep(items, 9)).toBe("b finished");
    expect(describeStep(items, 6)).toContain("b streamed");
  });
});
