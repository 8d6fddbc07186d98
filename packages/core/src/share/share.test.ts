import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Pipeline } from "../format/schema.js";
import { toMermaid } from "../mermaid/index.js";
// The real kinds: a test-only dependency (@braid/nodes itself depends on core).
import { defaultRegistry as registry } from "@braid/nodes";
import { SHARE_LINK_LIMIT, decodeShareLink, encodeShareLink, exportPipelineJson } from "./link.js";
import { isSecretKey, redactSecrets } from "./secrets.js";

const fixture = JSON.parse(readFileSync(new URL("../../../../test-fixtures/hostile-strings.json", import.meta.url), "utf8")) as {
  canarySecrets: string[];
  labels: string[];
};
const canaries = [...fixture.canarySecrets, "sk-ant-canary0123456789abcd", "ghp_canaryCANARYcanaryCANARY123456", "AKIACANARY0123456789"];
const example = JSON.parse(readFileSync(new URL("../../../../examples/validation-loop.json", import.meta.url), "utf8")) as Pipeline;

/** Every string field of every node and of the document, salted with a canary. */
function salted(): Pipeline {
  const p = structuredClone(example) as Pipeline & Record<string, unknown>;
  p.description = `see ${canaries[0]}`;
  p.apiKey = canaries[0];
  p.input = { example: { sku: canaries[1], conn: canaries[2] } };
  p.nodes.forEach((n, i) => {
    const secret = canaries[i % canaries.length] as string;
    n.label = `${n.label ?? n.id} ${secret}`;
    n.config = {
      ...n.config,
      prompt: `use ${secret} please`,
      token: "plain-looking-value",
      password: "hunter2",
      headers: { Authorization: canaries[1] },
      apiKeyEnv: "OPENAI_API_KEY",
    };
  });
  return p;
}

describe("no secrets in exports", () => {
  it("recognises secret field names but not harmless ones", () => {
    expect(["apiKey", "openaiApiKey", "db_password", "X-Auth-Token", "Authorization", "clientSecret"].every(isSecretKey)).toBe(true);
    expect(["apiKeyEnv", "maxTokens", "key", "outputTokens", "tokenLimit", "prompt"].some(isSecretKey)).toBe(false);
  });

  it("the canary test: no canary reaches JSON, Mermaid or a share link", () => {
    const p = salted();
    const json = exportPipelineJson(p);
    const mermaid = toMermaid(p, { registry, showBackends: true, showPrompts: true });
    const link = encodeShareLink(p, 1_000_000);
    if (!link.ok) throw new Error("link too long");
    const decoded = decodeShareLink(`#${link.fragment}`);
    if (!decoded.ok) throw new Error(JSON.stringify(decoded.diagnostics));
    const outputs = {
      json: json.text,
      mermaid,
      mermaidDecoded: Buffer.from(
        mermaid
          .split("\n")
          .filter((l) => l.startsWith("%% braid:pipeline "))
          .map((l) => l.slice(18))
          .join(""),
        "base64url",
      ).toString("utf8"),
      link: JSON.stringify(decoded.pipeline),
    };
    for (const [format, text] of Object.entries(outputs)) {
      for (const c of [...canaries, "canary-pass", "hunter2", "plain-looking-value"])
        expect({ format, leaked: text.includes(c) ? c : null }).toEqual({ format, leaked: null });
    }
    expect(json.redactions.length).toBeGreaterThan(10);
    expect(JSON.parse(json.text).nodes[0].config.apiKeyEnv).toBe("OPENAI_API_KEY");
  });

  it("leaves a clean pipeline untouched, so exports round-trip", () => {
    const r = redactSecrets(example);
    expect(r.redactions).toEqual([]);
    expect(r.value).toEqual(example);
    const link = encodeShareLink(example);
    expect(link.ok).toBe(true);
    if (link.ok) expect(decodeShareLink(link.fragment)).toEqual({ ok: true, pipeline: example, diagnostics: [] });
  });

  it("refuses links over the size limit and damaged links with a message", () => {
    const big = structuredClone(example);
    big.description = Array.from({ length: 4000 }, (_, i) => `${i}-${Math.sin(i)}`).join(" ");
    const r = encodeShareLink(big);
    expect(r).toMatchObject({ ok: false, limit: SHARE_LINK_LIMIT });
    const ok = encodeShareLink(example);
    if (!ok.ok) throw new Error("unexpected");
    expect(decodeShareLink(ok.fragment.slice(0, -10))).toMatchObject({ ok: false, diagnostics: [{ message: expect.stringContaining("damaged") }] });
    expect(decodeShareLink("#other=1")).toMatchObject({ ok: false });
  });
});
