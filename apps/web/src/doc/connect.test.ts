import { defaultRegistry as registry } from "@braid/nodes";
import { describe, expect, it } from "vitest";
import { checkConnection } from "./connect.js";
import { loopDoc, routeDoc } from "./fixtures.test-helper.js";
import { addNode } from "./ops.js";

const check = (doc = loopDoc(), source = "gen", target = "check", sourceHandle: string | null = null) =>
  checkConnection(doc, registry, { source, target, sourceHandle });

describe("connection validation while dragging", () => {
  it("refuses a self-loop", () => {
    expect(check(loopDoc(), "gen", "gen")).toMatchObject({ ok: false, reason: expect.stringMatching(/itself/) });
  });
  it("refuses anything into the input node and out of the output node", () => {
    expect(check(loopDoc(), "gen", "in")).toMatchObject({ ok: false, reason: expect.stringMatching(/input node/) });
    expect(check(loopDoc(), "out", "fix")).toMatchObject({ ok: false, reason: expect.stringMatching(/output node/) });
  });
  it("refuses a second identical edge", () => {
    expect(check(loopDoc(), "in", "gen")).toMatchObject({ ok: false, reason: expect.stringMatching(/already connected/) });
    expect(check(loopDoc(), "check", "fix", "fail")).toMatchObject({ ok: false, reason: expect.stringMatching(/through "fail"/) });
  });
  it("refuses a cycle with no bound, using the engine's lint", () => {
    // gen → check → (pass) gen loops without passing a bound.
    expect(check(loopDoc(), "check", "gen", "pass")).toMatchObject({ ok: false, reason: expect.stringMatching(/E_CYCLE_UNBOUNDED/) });
    const { doc, id } = addNode(loopDoc(), registry, "generate", { x: 0, y: 0 });
    const withEdge = { ...doc, edges: [...doc.edges, { from: "gen", to: id }] };
    expect(check(withEdge, id, "gen")).toMatchObject({ ok: false, reason: expect.stringMatching(/no bound/) });
    // fix → gen goes around through check's fail branch: bounded, so allowed.
    expect(check(loopDoc(), "fix", "gen")).toMatchObject({ ok: true });
  });
  it("allows a loop back through a critique's fail branch", () => {
    const { doc, id } = addNode(loopDoc(), registry, "generate", { x: 0, y: 0 });
    expect(check(doc, "check", id, "fail")).toEqual({ ok: true, edge: { from: "check", to: id, branch: "fail" } });
    expect(check(doc, id, "check")).toEqual({ ok: true, edge: { from: id, to: "check" } });
  });
  it("needs a branch handle on branching nodes and takes the branch from it", () => {
    const doc = routeDoc();
    expect(checkConnection(doc, registry, { source: "r", target: "out", sourceHandle: null })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/fast, slow/),
    });
    expect(checkConnection(doc, registry, { source: "r", target: "out", sourceHandle: "fast" })).toEqual({
      ok: true,
      edge: { from: "r", to: "out", branch: "fast" },
    });
  });
  it("allows ordinary fan-out", () => {
    expect(check(loopDoc(), "in", "fix")).toEqual({ ok: true, edge: { from: "in", to: "fix" } });
  });
});
