import { describe, expect, it } from "vitest";
import { bareVariableName, keyLikeKind, keyRefusal } from "./keys.js";

describe("keyLikeKind", () => {
  it.each(["OPENAI_API_KEY", "ANTHROPIC_API_KEY", "HF_TOKEN", "MY_KEY_2", "openai_key", "GROQ_API_KEY", "X", "AZURE_OPENAI_API_KEY_WESTEUROPE_PRODUCTION"])(
    "lets the variable name %s through",
    (name) => expect(keyLikeKind(name)).toBeUndefined(),
  );
  it.each([
    ["sk-proj-abcdefghijklmnop1234567890", /OpenAI/],
    ["sk-ant-api03-abcdefghijklmnopqrstuvwxyz", /Anthropic/],
    ["sk-abc", /OpenAI/],
    ["gsk_0123456789abcdefABCDEF", /token/],
    ["hf_abcdefghijklmnopqrstu", /token/],
    ["ghp_abcdefghijklmnopqrstuvwxyz0123456789", /token/],
    ["AIzaSyA1234567890abcdefghijklmn", /Google/],
    ["AKIAIOSFODNN7EXAMPLE", /AWS/],
    ["Bearer abc.def", /bearer/],
    ["eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc", /JWT/],
    ["3f9a8c7d6e5b4a3f2e1d0c9b8a7f6e5d", /API key/],
    ["Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MEFCQ0RFRg", /API key/],
  ])("flags %s", (value, kind) => expect(keyLikeKind(value)).toMatch(kind));
  it("ignores surrounding blanks and empty input", () => {
    expect(keyLikeKind("  sk-live-123  ")).toBe("an OpenAI-style API key");
    expect(keyLikeKind("\tsk-live-123\n")).toBe("an OpenAI-style API key");
    expect(keyLikeKind("")).toBeUndefined();
    expect(keyLikeKind(" \t ")).toBeUndefined();
  });
  it("explains where the key goes instead", () => {
    const text = keyRefusal("an OpenAI-style API key");
    expect(text).toMatch(/not the name of an environment variable/);
    expect(text).toMatch(/never stores keys/);
    expect(text).toMatch(/OPENAI_API_KEY/);
  });
});

describe("bareVariableName", () => {
  it("unwraps $NAME and $" + "{NAME}", () => {
    expect(bareVariableName("$OPENAI_API_KEY")).toBe("OPENAI_API_KEY");
    expect(bareVariableName("$" + "{OPENAI_API_KEY}")).toBe("OPENAI_API_KEY");
    expect(bareVariableName("OPENAI_API_KEY")).toBeUndefined();
  });
});
