import { defaultRegistry as registry } from "@braid/nodes";
import { describe, expect, it } from "vitest";
import { copyNodes, isClip, pasteClip } from "./clipboard.js";
import { loopDoc } from "./fixtures.test-helper.js";

describe("copy and paste", () => {
  it("copies the selected nodes and the edges among them", () => {
    const clip = copyNodes(loopDoc(), ["gen", "check", "fix"]);
    expect(clip?.nodes.map((n) => n.id)).toEqual(["gen", "check", "fix"]);
    expect(clip?.edges).toEqual([
      { from: "gen", to: "check" },
      { from: "check", to: "fix", branch: "fail" },
      { from: "fix", to: "check" },
    ]);
    expect(isClip(JSON.parse(JSON.stringify(clip)))).toBe(true);
    expect(copyNodes(loopDoc(), [])).toBeUndefined();
  });
  it("pastes with fresh ids, shifted, with references among the copies rewritten", () => {
    const doc = loopDoc();
    const clip = copyNodes(doc, ["gen", "check", "fix"]);
    if (!clip) throw new Error("no clip");
    const r = pasteClip(doc, registry, clip, { x: 40, y: 40 });
    expect(r.ids).toEqual(["gen1", "check1", "fix1"]);
    const byId = new Map(r.doc.nodes.map((n) => [n.id, n]));
    expect(byId.get("gen1")?.position).toEqual({ x: 40, y: 190 });
    expect(byId.get("check1")?.config?.target).toBe("gen1");
    expect(byId.get("fix1")?.config).toMatchObject({ revises: "gen1", prompt: "Fix {{gen1}} given {{check1.issues}}" });
    expect(r.doc.edges.slice(doc.edges.length)).toEqual([
      { from: "gen1", to: "check1" },
      { from: "check1", to: "fix1", branch: "fail" },
      { from: "fix1", to: "check1" },
    ]);
    expect(doc.nodes).toHaveLength(5);
  });
});
