import { describe, expect, it } from "vitest";
import { BraidError } from "../errors.js";
import { parseTemplate, renderTemplate, resolveTemplateValue, templateRoots } from "./template.js";

const state = { input: { sku: "WM-123", n: 3 }, gen: { name: "Mouse", tags: ["a", "b"], price: 9.5 }, check: { issues: ["price low"] }, "my-node": "dash" };

describe("templates", () => {
  it("renders paths, array indexes and whole objects as compact JSON", async () => {
    expect(await renderTemplate("Describe {{input.sku}}: {{gen.tags[1]}}", state)).toBe("Describe WM-123: b");
    expect(await renderTemplate("Fix {{gen}} given {{check.issues}}", state)).toBe('Fix {"name":"Mouse","tags":["a","b"],"price":9.5} given ["price low"]');
    expect(await renderTemplate("{{ my-node }}", state)).toBe("dash");
  });

  it("returns the raw value for a single-hole template", async () => {
    expect(await resolveTemplateValue("{{gen}}", state)).toEqual(state.gen);
    expect(await resolveTemplateValue("{{input.n}}", state)).toBe(3);
    expect(await resolveTemplateValue("n = {{input.n}}", state)).toBe("n = 3");
  });

  it("evaluates JSONata expressions in holes", async () => {
    expect(await renderTemplate("{{ $count(gen.tags) }} tags", state)).toBe("2 tags");
    expect(await resolveTemplateValue("{{ $merge([gen, {'extra': true}]) }}", state)).toEqual({ ...state.gen, extra: true });
  });

  it("fails with a coded error naming node and path when a path resolves to nothing", async () => {
    const err = await renderTemplate("{{gen.missing}}", state, "fix").catch((e) => e);
    expect(err).toBeInstanceOf(BraidError);
    expect(err.code).toBe("E_TEMPLATE_RUNTIME");
    expect(err.nodeId).toBe("fix");
    expect(err.message).toContain("gen.missing");
  });

  it("never walks into prototypes", async () => {
    const err = await renderTemplate("{{gen.constructor}}", state).catch((e) => e);
    expect(err.code).toBe("E_TEMPLATE_RUNTIME");
    const proto = await renderTemplate("{{ gen.__proto__ }}", state).catch((e) => e);
    expect(proto).toBeInstanceOf(BraidError);
    expect(proto.code).toBe("E_TEMPLATE_RUNTIME");
  });

  it("reports syntax problems and roots for lint", () => {
    expect(parseTemplate("a {{ b").error).toMatch(/unclosed/);
    expect(parseTemplate("{{ $count( }}").error).toMatch(/invalid expression/);
    expect(templateRoots("{{gen.name}} {{ $count(check.issues) }}").map((r) => r.root)).toEqual(["gen", "check"]);
  });

  it("leaves text without holes untouched, including lone braces", async () => {
    expect(await renderTemplate('JSON like {"a": 1} stays', state)).toBe('JSON like {"a": 1} stays');
  });
});
