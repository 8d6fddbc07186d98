/**
 * A call the open circuit breaker turns away says why: the backend is paused, for how long, and
 * the failure that paused it (for a batch, every record's error carries the cause).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { BraidError } from "@braid/core";
import { type Stub, startOpenAiStub } from "../providers/testing/stubs.js";
import { pool } from "../providers/testing/harness.js";

let stub: Stub;
beforeAll(async () => {
  stub = await startOpenAiStub();
});
afterAll(() => stub.close());

it("every call after the breaker opens fails with the last underlying failure, without reaching the backend", async () => {
  const failing = Array.from({ length: 10 }, () => ({ type: "status" as const, status: 500, message: "database connection pool exhausted" }));
  stub.script(...failing);
  const p = pool([
    { name: "x", provider: "openai", model: "m", baseUrl: `${stub.url}/v1`, retries: 1, retryDelayMs: 1, breakerThreshold: 2, breakerHalfOpenMs: 60_000 },
  ]);
  const errors: BraidError[] = [];
  for (let i = 0; i < 5; i++) {
    await p.call("x", { prompt: `record ${i}`, task: { type: "generate" } }, { signal: new AbortController().signal, seedKey: `r${i}`, random: () => 0 }).then(
      () => expect.unreachable(),
      (e: BraidError) => errors.push(e),
    );
  }
  expect(stub.requests).toHaveLength(2);
  expect(errors[0]?.message).toBe('backend "x" failed: HTTP 500: database connection pool exhausted');
  for (const e of errors.slice(1)) {
    expect(e).toBeInstanceOf(BraidError);
    expect(e.code).toBe("E_BACKEND_FAILED");
    expect(e.message).toMatch(
      /^backend "x" is paused after 2 consecutive failures \(circuit breaker open, next try in (59|60) s\); last failure: HTTP 500: database connection pool exhausted$/,
    );
  }
  // One call reached the backend (twice, with its retry); the calls turned away are not counted as calls.
  expect(p.stats.one("x")).toMatchObject({ calls: 1, failures: 1, lastError: "HTTP 500: database connection pool exhausted" });
});
