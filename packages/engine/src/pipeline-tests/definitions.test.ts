/** Shared definitions that several packages rely on: one each, in @braid/core, and the node kinds agree with them. */
import { BRANCH_ID_PATTERN, DEFAULT_BASE_URLS, NODE_ID_PATTERN, checkEgress, OPEN_EGRESS } from "../node.js";
import { builtinKinds } from "@braid/nodes";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AnthropicBackend } from "../providers/anthropic.js";
import { OllamaBackend } from "../providers/ollama.js";
import { OpenAiBackend } from "../providers/openai.js";
import { backend } from "../providers/testing/harness.js";

const patterns = (v: unknown, out: string[] = []): string[] => {
  if (Array.isArray(v)) for (const x of v) patterns(x, out);
  else if (v && typeof v === "object")
    for (const [k, x] of Object.entries(v)) {
      if (k === "pattern" && typeof x === "string") out.push(x);
      else patterns(x, out);
    }
  return out;
};

describe("one definition each", () => {
  it("branch ids: letters, digits, '_' and '-', starting with a letter or digit", () => {
    for (const ok of ["pass", "fail", "tier-2", "3", "a_b"]) expect(BRANCH_ID_PATTERN.test(ok), ok).toBe(true);
    for (const bad of ["", "-x", "_x", "a b", "a.b", "é"]) expect(BRANCH_ID_PATTERN.test(bad), bad).toBe(false);
    expect(NODE_ID_PATTERN.test("3")).toBe(false);
  });

  it("the node kinds' config schemas use only the core id patterns, branch ids included", () => {
    const found = new Set(builtinKinds.flatMap((k) => patterns(z.toJSONSchema(k.configSchema, { unrepresentable: "any", io: "input" }))));
    expect(found).toContain(BRANCH_ID_PATTERN.source);
    for (const p of found) expect([NODE_ID_PATTERN.source, BRANCH_ID_PATTERN.source]).toContain(p);
  });

  it("providers without a baseUrl go to DEFAULT_BASE_URLS", () => {
    expect(DEFAULT_BASE_URLS).toEqual({ openai: "https://api.openai.com/v1", ollama: "http://127.0.0.1:11434", anthropic: "https://api.anthropic.com" });
    expect(new OpenAiBackend(backend({ name: "o", provider: "openai", model: "m" })).baseUrl).toBe(DEFAULT_BASE_URLS.openai);
    expect(new OllamaBackend(backend({ name: "l", provider: "ollama", model: "m" })).baseUrl).toBe(DEFAULT_BASE_URLS.ollama);
    expect(new AnthropicBackend(backend({ name: "a", provider: "anthropic", model: "m" })).baseUrl).toBe(DEFAULT_BASE_URLS.anthropic);
    for (const url of Object.values(DEFAULT_BASE_URLS)) expect(checkEgress(url as string, OPEN_EGRESS).ok).toBe(true);
  });
});
