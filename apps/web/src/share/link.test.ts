import { decodeShareLink, encodeShareLink } from "@braid/core";
import { describe, expect, it } from "vitest";
import { describeRedactions, formatChars, shareFragment, shareUrl } from "./link.js";

const doc = {
  format: "braid/pipeline@1" as const,
  name: "Tiny",
  nodes: [
    { id: "in", kind: "input", position: { x: 0, y: 0 } },
    { id: "out", kind: "output", position: { x: 0, y: 100 } },
  ],
  edges: [{ from: "in", to: "out" }],
};

describe("share links", () => {
  it("are the app's address with the fragment", () => {
    expect(shareUrl({ origin: "http://127.0.0.1:5243", pathname: "/" }, "share=abc")).toBe("http://127.0.0.1:5243/#share=abc");
    expect(shareUrl({ origin: "https://braid.example", pathname: "/app/" }, "#share=abc")).toBe("https://braid.example/app/#share=abc");
    expect(shareUrl({ origin: "https://braid.example" }, "share=abc")).toBe("https://braid.example/#share=abc");
  });
  it("are recognised from the hash, and nothing else is", () => {
    expect(shareFragment("#share=abc")).toBe("share=abc");
    expect(shareFragment("share=abc")).toBe("share=abc");
    expect(shareFragment("")).toBeNull();
    expect(shareFragment("#section-2")).toBeNull();
    expect(shareFragment("#sharex=abc")).toBeNull();
  });
  it("round-trip through the URL the dialog builds", () => {
    const r = encodeShareLink(doc);
    if (!r.ok) throw new Error("too long");
    const url = new URL(shareUrl({ origin: "http://localhost:5116", pathname: "/" }, r.fragment));
    const fragment = shareFragment(url.hash);
    expect(fragment).not.toBeNull();
    const back = decodeShareLink(fragment ?? "");
    expect(back.ok && back.pipeline).toEqual(doc);
  });
  it("describe redactions by kind and place", () => {
    expect(describeRedactions([])).toEqual([]);
    expect(
      describeRedactions([
        { path: "nodes[1].config.prompt", kind: "API key" },
        { path: "nodes[1].config.prompt", kind: "API key" },
        { path: "description", kind: "API key" },
        { path: "nodes[2].config.apiToken", kind: 'field "apiToken"' },
      ]),
    ).toEqual(["API key in nodes[1].config.prompt, description", 'field "apiToken" in nodes[2].config.apiToken']);
    const many = Array.from({ length: 7 }, (_, i) => ({ path: `nodes[${i}].label`, kind: "JWT" }));
    expect(describeRedactions(many)[0]).toMatch(/and 3 more$/);
  });
  it("format sizes", () => {
    expect(formatChars(950)).toBe("950 characters");
    expect(formatChars(12345)).toBe("12.3k characters");
  });
});
