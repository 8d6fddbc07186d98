/**
 * The provider layer's per-call work: the OpenAI-compatible backend answers over a plain fetch
 * (no LangChain model built) when tracing is off, and a LangChain model, where one is used, is
 * built once per backend and distinct call parameters, not per call, while each call still goes
 * through its own guarded fetch (its own signal, headers and last response).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LlmRequest } from "@braid/core";
import type { ModelParams } from "./chat.js";
import { OpenAiBackend } from "./openai.js";
import { backend } from "./testing/harness.js";
import { type Stub, startOpenAiStub } from "./testing/stubs.js";

let stub: Stub;
beforeAll(async () => {
  stub = await startOpenAiStub({ reply: () => "hello otters" });
});
afterAll(() => stub.close());

const config = () =>
  backend({ name: "real", provider: "openai", model: "gpt-stub", baseUrl: `${stub.url}/v1`, timeoutMs: 2000, retries: 0, headers: { "x-call": "a" } });
const req = (over: Partial<LlmRequest> = {}): LlmRequest => ({ prompt: "Hi.", task: { type: "generate" }, ...over });
const ctx = (stream: boolean) => ({ signal: new AbortController().signal, seedKey: "k", ...(stream ? { onToken: () => {} } : {}) });

class Counting extends OpenAiBackend {
  built = 0;
  protected override createModel(p: ModelParams) {
    this.built++;
    return super.createModel(p);
  }
}

/** The LangChain path, as taken when LangSmith tracing is on. */
class ViaLangChain extends Counting {
  constructor(config: ReturnType<typeof backend>) {
    super(config);
    // An own property hides the prototype's direct path, as tracing being on does.
    Object.defineProperty(this, "directCall", { value: undefined });
  }
}

describe("provider cost per call", () => {
  it("the OpenAI-compatible backend builds no LangChain model when tracing is off, streaming or not", async () => {
    const b = new Counting(config());
    for (const stream of [false, true, false]) {
      const r = await b.complete(req(), ctx(stream));
      expect(r.text).toBe("hello otters");
      expect(r.usage).toMatchObject({ inputTokens: 12, outputTokens: 5, estimated: false });
    }
    expect(b.built).toBe(0);
    expect(stub.requests.at(-2)?.body).toMatchObject({ model: "gpt-stub", stream: true, stream_options: { include_usage: true } });
    expect(stub.requests.at(-1)?.headers["x-call"]).toBe("a");
  });

  it("a LangChain model is built once per distinct parameters and reused across calls", async () => {
    const b = new ViaLangChain(config());
    for (const stream of [false, true, false, true]) expect((await b.complete(req(), ctx(stream))).text).toBe("hello otters");
    expect(b.built).toBe(1);
    await b.complete(req({ temperature: 0.1 }), ctx(false));
    await b.complete(req({ temperature: 0.1 }), ctx(true));
    expect(b.built).toBe(2);
    expect(stub.requests.at(-1)?.body).toMatchObject({ temperature: 0.1, stream: true });
    expect(stub.requests.at(-1)?.headers["x-call"]).toBe("a");
  });

  it("a reused model still answers each call through that call's own transport (its abort signal)", async () => {
    const b = new ViaLangChain(config());
    await b.complete(req(), ctx(false));
    const aborted = new AbortController();
    aborted.abort();
    await expect(b.complete(req(), { signal: aborted.signal, seedKey: "k" })).rejects.toMatchObject({ name: "AbortError" });
    expect((await b.complete(req(), ctx(false))).text).toBe("hello otters");
  });
});
