/**
 * "Test connection" over tRPC asks the provider's model list (no paid call), says whether the
 * configured model is in it, sends the backend's extra headers, and falls back to one tiny call
 * on a server without a model list.
 */
import { type Stub, startOpenAiStub } from "@braid/engine/testing";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { startApp } from "./helpers.js";

let stub: Stub;
let ctx: Awaited<ReturnType<typeof startApp>>;
beforeAll(async () => {
  stub = await startOpenAiStub({ models: ["gpt-stub", "gpt-big"] });
  ctx = await startApp();
});
afterAll(async () => {
  await ctx.stop();
  await stub.close();
});
beforeEach(() => {
  stub.requests.length = 0;
});

async function test(backend: Record<string, unknown>) {
  const res = await fetch(`${ctx.url}/trpc/backends.test`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ backend }),
  });
  return ((await res.json()) as any).result?.data;
}
const unsaved = (model: string) => ({ name: "probe", provider: "openai", model, baseUrl: `${stub.url}/v1`, headers: { "X-Org": "acme" } });

it("uses GET /v1/models, reports the configured model as listed, and makes no chat call", async () => {
  const r = await test(unsaved("gpt-stub"));
  expect(r).toMatchObject({ ok: true, backend: "probe", via: "models", modelListed: true, models: ["gpt-stub", "gpt-big"], model: "gpt-stub" });
  expect(r.reply).toBe('model "gpt-stub" is one of the 2 models the server lists');
  expect(stub.requests.map((q) => `${q.method} ${q.path}`)).toEqual(["GET /v1/models"]);
  expect(stub.requests[0]?.headers["x-org"]).toBe("acme");
});

it("says so when the configured model is not in the list", async () => {
  const r = await test(unsaved("gpt-typo"));
  expect(r).toMatchObject({ ok: true, via: "models", modelListed: false });
  expect(r.reply).toContain('not "gpt-typo"');
});

it("a server without a model list gets one tiny call instead", async () => {
  stub.script({ type: "status", status: 404, message: "unknown route" });
  const r = await test(unsaved("gpt-stub"));
  expect(r).toMatchObject({ ok: true, via: "chat", reply: "Braid stub says hello." });
  expect(stub.requests.map((q) => `${q.method} ${q.path}`)).toEqual(["GET /v1/models", "POST /v1/chat/completions"]);
});
