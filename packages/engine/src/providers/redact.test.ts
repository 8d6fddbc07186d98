/**
 * A backend that echoes its key (or a header value from the environment) back: the value never
 * reaches a token event, an answer, an E_LLM_OUTPUT message, a retry or failure message.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REDACTED, redact, streamRedactor } from "./redact.js";
import { type Stub, startOpenAiStub } from "./testing/stubs.js";
import { pipeline, pool, run } from "./testing/harness.js";

const KEY = "sk-echo-7f3a9c2e51b04d68";
const ORG = "org-secret-4471";
const env = { H1_ECHO_KEY: KEY, H1_ORG_TOKEN: ORG };
const auth = (h: Record<string, string | string[] | undefined>) => String(h.authorization ?? "").replace(/^Bearer /, "");

let stub: Stub;
beforeAll(async () => {
  // Echoes the key and the org header inside an otherwise valid JSON answer (split across chunks).
  stub = await startOpenAiStub({ reply: (_b, h) => JSON.stringify({ name: `Ada ${auth(h)}`, note: `org ${String(h["x-org-token"])}` }) });
});
afterAll(() => stub.close());

const real = () => ({
  name: "echo",
  provider: "openai" as const,
  model: "m",
  baseUrl: `${stub.url}/v1`,
  apiKeyEnv: "H1_ECHO_KEY",
  headers: { "X-Org-Token": { env: "H1_ORG_TOKEN" } },
  retries: 1,
  retryDelayMs: 1,
  circuitBreaker: false,
});
const person = pipeline([{ id: "p", config: { backend: "echo", prompt: "Invent a person.", shape: { name: "string", note: "string" } } }]);
const leaks = (events: unknown) => {
  const text = JSON.stringify(events);
  return [KEY, ORG, KEY.slice(0, 12)].filter((s) => text.includes(s));
};

describe("secrets echoed by a backend", () => {
  it("are scrubbed from streamed tokens and the answer", async () => {
    const r = await run(person, { pool: pool([real()], { env }) });
    expect(stub.requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(r.last.type).toBe("run_finished");
    expect(r.of("node_finished")[0]?.output).toEqual({ name: `Ada ${REDACTED}`, note: `org ${REDACTED}` });
    expect(r.of("token").length).toBeGreaterThan(1);
    expect(leaks(r.events)).toEqual([]);
  });

  it("are scrubbed from E_LLM_OUTPUT, error and in-stream error messages", async () => {
    stub.script(
      { type: "status", status: 500, message: (h) => `upstream rejected key ${auth(h)}` },
      { type: "malformed", content: `not json at all ${KEY}` },
      { type: "stream-error", error: { message: `quota for ${KEY} exceeded`, type: "rate_limit_error" } },
      { type: "malformed", content: `still broken ${ORG}` },
    );
    const r = await run(person, { pool: pool([real()], { env }) });
    // The first call's 500 is retried; the repair call's in-stream 429 too; the repaired answer is still not JSON.
    expect(r.of("retry").map((e) => e.error)).toEqual([
      `HTTP 500: upstream rejected key ${REDACTED}`,
      `HTTP 429 (inside a 200 answer): quota for ${REDACTED} exceeded`,
    ]);
    const failed = r.of("node_failed")[0]?.error;
    expect(failed?.code).toBe("E_LLM_OUTPUT");
    expect(leaks(r.events)).toEqual([]);
  });
});

describe("streamRedactor", () => {
  it("joined, its output is redact(whole text), however the text is split", () => {
    const secrets = [KEY, ORG];
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("a", " ", KEY, ORG, KEY.slice(0, 5), "sk-", "org-"), { maxLength: 12 }),
        fc.array(fc.nat(40), { maxLength: 8 }),
        (parts, cuts) => {
          const text = parts.join("");
          const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
          const chunks = [0, ...points, text.length].slice(1).map((end, i, all) => text.slice(i === 0 ? 0 : (all[i - 1] as number), end));
          const r = streamRedactor(secrets);
          const out = chunks.map((c) => r.push(c)).join("") + r.end();
          expect(out).toBe(redact(text, secrets));
          expect(out).not.toContain(KEY);
        },
      ),
    );
  });
});
