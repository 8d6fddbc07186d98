/**
 * A batch against a backend that always answers HTTP 500: once its circuit breaker opens, the
 * remaining records fail fast, and every record's error still names the cause (the backend's own
 * message), not only "circuit breaker is open".
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Stub, startOpenAiStub } from "@braid/engine/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { json, profileJsonl, startApp, tempDir, waitFor } from "./helpers.js";

let stub: Stub;
let ctx: Awaited<ReturnType<typeof startApp>>;
let data: ReturnType<typeof tempDir>;

beforeAll(async () => {
  stub = await startOpenAiStub();
  stub.script(...Array.from({ length: 50 }, () => ({ type: "status" as const, status: 500, message: "the GPU node is on fire" })));
  data = tempDir();
  // The sequential example's first node runs on "generator": this file points it at the failing stub.
  const generator = {
    name: "generator",
    provider: "openai",
    model: "m",
    baseUrl: `${stub.url}/v1`,
    retries: 1,
    retryDelayMs: 1,
    breakerThreshold: 2,
    breakerHalfOpenMs: 60_000,
  };
  writeFileSync(join(data.dir, "backends.json"), JSON.stringify({ backends: [generator] }));
  ctx = await startApp({}, { dataDir: data.dir });
});
afterAll(async () => {
  await ctx.stop();
  await stub.close();
  data.cleanup();
});

it("every failed record's error says why the backend is paused", async () => {
  const res = await json(`${ctx.url}/api/pipelines/sequential/batches?concurrency=1`, {
    method: "POST",
    headers: { "content-type": "application/x-ndjson" },
    body: profileJsonl(6),
  });
  expect(res.status).toBe(202);
  const id = res.body.batchId as string;
  await waitFor(`batch ${id}`, async () => ((await json(`${ctx.url}/api/batches/${id}`)).body.status !== "running" ? true : undefined));
  const text = await (await fetch(`${ctx.url}/api/batches/${id}/results`)).text();
  const results = text
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  expect(results).toHaveLength(6);
  expect(results.every((r) => r.status === "failed" && r.error.code === "E_BACKEND_FAILED")).toBe(true);
  for (const r of results) expect(r.error.message).toContain("HTTP 500: the GPU node is on fire");
  const paused = results.filter((r) => r.error.message.includes('backend "generator" is paused after 2 consecutive failures'));
  expect(paused.length).toBeGreaterThanOrEqual(4);
  // Only the records before the breaker opened reached the backend.
  expect(stub.requests.length).toBeLessThanOrEqual(4);
});
