import { defaultRegistry as registry } from "@braid/nodes";
import { describe, expect, it } from "vitest";
import { applyCompletion, completionContext, filterSuggestions, templateSuggestions, upstreamOf } from "./autocomplete.js";
import { loopDoc } from "./fixtures.test-helper.js";

describe("{{ autocomplete", () => {
  it("knows the upstream nodes, loops included", () => {
    expect(upstreamOf(loopDoc(), "fix")).toEqual(["in", "gen", "check", "fix"].filter((id) => id !== "fix"));
    expect(upstreamOf(loopDoc(), "gen")).toEqual(["in"]);
  });
  it("suggests input example paths and upstream ids with their output keys", () => {
    const paths = templateSuggestions(loopDoc(), registry, "fix").map((s) => s.path);
    expect(paths).toEqual(
      expect.arrayContaining(["input", "input.sku", "input.meta", "input.meta.color", "gen", "gen.name", "gen.price", "check", "check.issues", "check.score"]),
    );
    expect(paths).not.toContain("fix");
    expect(templateSuggestions(loopDoc(), registry, "gen").map((s) => s.path)).not.toContain("check");
  });
  it("opens inside an unclosed {{ and filters by what was typed", () => {
    expect(completionContext("Fix {{ge", 8)).toEqual({ start: 6, query: "ge" });
    expect(completionContext("Fix {{gen}} and", 15)).toBeUndefined();
    expect(completionContext("no holes", 3)).toBeUndefined();
    const list = templateSuggestions(loopDoc(), registry, "fix");
    expect(filterSuggestions(list, "check.").map((s) => s.path)).toEqual(["check.score", "check.passed", "check.issues", "check.attempt"]);
  });
  it("inserts the path and closes the hole, keeping the text after it", () => {
    expect(applyCompletion("Fix {{ge and more", { start: 6, query: "ge" }, 8, "gen")).toEqual({ text: "Fix {{gen}} and more", caret: 11 });
    expect(applyCompletion("Fix {{ge}} x", { start: 6, query: "ge" }, 8, "gen.name")).toEqual({ text: "Fix {{gen.name}} x", caret: 16 });
  });
});
