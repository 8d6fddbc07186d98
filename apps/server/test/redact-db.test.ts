/** A key a backend echoes back reaches neither the run's events over REST nor the SQLite files. */
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Stub, startOpenAiStub } from "@braid/engine/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { json, startApp, tempDir } from "./helpers.js";

const KEY = "sk-h1-echoed-5c8e21a7d9f3";
let stub: Stub;
let ctx: Awaited<ReturnType<typeof startApp>>;
let data: ReturnType<typeof tempDir>;

beforeAll(async () => {
  process.env.H1_ECHO_API_KEY = KEY;
  // Every answer repeats the bearer key it was sent.
  stub = await startOpenAiStub({ reply: (_body, headers) => `Your key is ${String(headers.authorization).replace(/^Bearer /, "")}.` });
  data = tempDir();
  const echo = { name: "echo", provider: "openai", model: "m", baseUrl: `${stub.url}/v1`, apiKeyEnv: "H1_ECHO_API_KEY", retries: 0 };
  writeFileSync(join(data.dir, "backends.json"), JSON.stringify({ backends: [echo] }));
  ctx = await startApp({}, { dataDir: data.dir });
});
afterAll(async () => {
  await ctx.stop();
  await stub.close();
  data.cleanup();
  delete process.env.H1_ECHO_API_KEY;
});

it("the echoed key is redacted in the run result, its events and the database files", async () => {
  const r = await json(`${ctx.url}/api/pipelines/sequential/runs?wait=true`, { method: "POST", headers: { "x-braid-backend": "echo" } });
  expect(stub.requests.some((q) => q.headers.authorization === `Bearer ${KEY}`)).toBe(true);
  expect(JSON.stringify(r.body)).not.toContain(KEY);
  const events = await ctx.app.services.runs.events(r.body.runId);
  expect(events.length).toBeGreaterThan(3);
  expect(JSON.stringify(events)).toContain("[redacted]");
  expect(JSON.stringify(events)).not.toContain(KEY);
  for (const f of readdirSync(data.dir).filter((n) => n.includes(".db")))
    expect({ f, leaked: readFileSync(join(data.dir, f)).includes(KEY) }).toEqual({ f, leaked: false });
});
