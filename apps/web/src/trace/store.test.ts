import { describe, expect, it } from "vitest";
import { loadDocument } from "../state/store.js";
import { parallelRun, pipeline } from "./fixtures.test-helper.js";
import { receive, emptySession } from "./session.js";
import { closeRun, runEnded, sameGraph, setStep, useTrace } from "./store.js";

describe("trace store", () => {
  it("closing a run clears every field of it, and its brief goes idle", () => {
    const s = receive(emptySession(), parallelRun(), pipeline, true).session;
    useTrace.setState({
      ...s,
      runId: "r1",
      pipeline,
      graph: "run",
      origin: { kind: "rerun", parentRunId: "r0", reused: [], rerun: [], savedUsd: 0, savedTokens: 0 },
    });
    expect(runEnded(useTrace.getState())).toBe(true);
    closeRun();
    const t = useTrace.getState();
    expect(t.runId).toBeUndefined();
    expect(t.pipeline).toBeUndefined();
    expect(t.origin).toBeUndefined();
    expect(t.items).toEqual([]);
    expect(useTrace.getState().brief.status).toBe("idle");
  });

  it("scrubbing an ended run keeps its summary's status (a replay is not a running run)", () => {
    const s = receive(emptySession(), parallelRun(), pipeline, true).session;
    useTrace.setState({ ...s, runId: "r1", pipeline, graph: "run" });
    setStep(5);
    expect(useTrace.getState().follow).toBe(false);
    expect(useTrace.getState().brief).toMatchObject({ runId: "r1", status: "completed", eventCount: 5 });
    setStep(999);
    expect(useTrace.getState().follow).toBe(true);
    closeRun();
  });

  it("loading another document ends an ended run's overlay on the working document, but not a run still going", () => {
    const s = receive(emptySession(), parallelRun(), pipeline, true).session;
    useTrace.setState({ ...s, runId: "r1", pipeline, graph: "doc" });
    setStep(1);
    setStep(999);
    expect(useTrace.getState().brief.status).toBe("completed");
    loadDocument(pipeline, null);
    expect(useTrace.getState().runId).toBeUndefined();
    expect(useTrace.getState().brief.status).toBe("idle");

    const live = receive(emptySession(), parallelRun().slice(0, 3), pipeline, true).session;
    useTrace.setState({ ...live, runId: "r2", pipeline, graph: "doc" });
    setStep(1);
    setStep(999);
    expect(useTrace.getState().brief.status).toBe("running");
    loadDocument(pipeline, null);
    expect(useTrace.getState().runId).toBe("r2");
    closeRun();
  });

  it("compares graphs by structure, not by positions or names", () => {
    const moved = { ...pipeline, name: "other", nodes: pipeline.nodes.map((n) => ({ ...n, position: { x: 1, y: 2 } })) };
    expect(sameGraph(pipeline, moved)).toBe(true);
    const edited = { ...pipeline, nodes: pipeline.nodes.map((n) => (n.id === "a" ? { ...n, config: { ...n.config, prompt: "changed" } } : n)) };
    expect(sameGraph(pipeline, edited)).toBe(false);
  });
});
