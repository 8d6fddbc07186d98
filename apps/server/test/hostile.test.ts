import { readFileSync } from "node:fs";
import { type Pipeline, createPool, runToEnd, startRun } from "@braid/engine";
import { defaultRegistry } from "@braid/nodes";
import { afterAll, describe, expect, it } from "vitest";
import { openCheckpointer, PlainJsonSerializer } from "../src/store/checkpoints.js";
import { openDb } from "../src/store/db.js";
import { json, startApp, tempDir } from "./helpers.js";

const fixture = JSON.parse(readFileSync(new URL("../../../test-fixtures/hostile-strings.json", import.meta.url), "utf8")) as {
  jsonPayloads: unknown[];
  canarySecrets: string[];
};
// Parsed from text so `__proto__` is an own key, exactly as it arrives over HTTP.
const payloads = JSON.parse(JSON.stringify(fixture.jsonPayloads).replaceAll('"constructor":{"prototype"', '"constructor":{"prototype"')) as unknown[];
const hostileInput = JSON.parse(`{"topic":"x","payloads":${JSON.stringify(payloads)},"__proto__":{"polluted":true}}`);

const echo: Pipeline = {
  format: "braid/pipeline@1",
  name: "echo",
  nodes: [
    { id: "in", kind: "input" },
    { id: "m", kind: "merge", config: { strategy: "object" } },
    { id: "g", kind: "generate", config: { backend: "generator", prompt: "{{input.topic}}" } },
    { id: "out", kind: "output", config: { value: "{{m}}" } },
  ],
  edges: [
    { from: "in", to: "m" },
    { from: "in", to: "g" },
    { from: "g", to: "m" },
    { from: "m", to: "out" },
  ],
};

const isPlain = (v: unknown): boolean => {
  if (Array.isArray(v)) return v.every(isPlain);
  if (v && typeof v === "object") return Object.getPrototypeOf(v) === Object.prototype && Object.values(v).every(isPlain);
  return true;
};

describe("stored JSON is data", () => {
  const { dir, cleanup } = tempDir();
  afterAll(cleanup);

  it("the checkpoint serializer never revives LangChain objects or prototypes", async () => {
    const serde = new PlainJsonSerializer();
    const [type, bytes] = await serde.dumpsTyped({ v: hostileInput });
    const back = (await serde.loadsTyped(type, bytes)) as { v: Record<string, unknown> };
    expect(isPlain(back)).toBe(true);
    expect((back.v.payloads as unknown[])[2]).toEqual(fixture.jsonPayloads[2]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("payloads survive run → checkpoint → resume as plain data", async () => {
    const db = openDb(dir);
    const saver = openCheckpointer(db, dir);
    const pool = createPool({ latency: "zero" });
    const first = await runToEnd(echo, { registry: defaultRegistry, pool, input: hostileInput, runId: "hostile-1", checkpointer: saver });
    expect(first.last.type).toBe("run_finished");
    const tuple = await saver.getTuple({ configurable: { thread_id: "hostile-1" } });
    const values = tuple?.checkpoint.channel_values as { input: unknown; outputs: Record<string, unknown> };
    expect(isPlain(values.input)).toBe(true);
    expect(isPlain(values.outputs)).toBe(true);
    // Resuming a finished thread reads the checkpoint back and ends at once with the same output.
    const resumed = startRun(echo, { registry: defaultRegistry, pool, runId: "hostile-1", checkpointer: saver, resume: true });
    const events = [];
    for await (const e of resumed.events) events.push(e);
    const last = events.at(-1) as { type: string; output: Record<string, unknown> };
    expect(JSON.stringify(last)).toContain("run_finished");
    expect(isPlain(last.output)).toBe(true);
    expect((last.output.payloads as unknown[])[2]).toEqual(fixture.jsonPayloads[2]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    db.close();
  });

  it("hostile REST inputs come back as plain data, and canary secrets never reach an error message", async () => {
    const ctx = await startApp();
    try {
      const saved = await ctx.app.services.pipelines.save(echo, { id: "echo" });
      const r = await json(`${ctx.url}/api/pipelines/${saved.id}/runs?wait=true`, {
        method: "POST",
        body: JSON.stringify(hostileInput).replace('"topic"', '"__proto__":{"polluted":true},"topic"'),
      });
      expect(r.body.status).toBe("completed");
      expect(r.body.output.payloads[3]).toEqual({ lc: 1, type: "secret", id: ["OPENAI_API_KEY"] });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      const bad = await json(`${ctx.url}/api/pipelines/echo/runs`, {
        method: "POST",
        headers: { "x-braid-backend": fixture.canarySecrets[0] as string },
        body: "{}",
      });
      expect(bad.status).toBe(400);
      const bad2 = await json(`${ctx.url}/api/pipelines/echo/runs`, { method: "POST", body: `{"a": "${fixture.canarySecrets[2]}"` });
      expect(bad2.status).toBe(400);
      expect(bad2.body.error.code).toBe("E_PARSE");
    } finally {
      await ctx.stop();
    }
  });
});
