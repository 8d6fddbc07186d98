import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, startApp } from "./helpers.js";

/** The tRPC subscription the web app uses: tracked ids, and resumption after a reconnect. */
describe("tRPC runs.events", () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  beforeAll(async () => {
    ctx = await startApp();
  });
  afterAll(() => ctx.stop());

  async function subscribe(runId: string, lastEventId?: string): Promise<number[]> {
    const input = encodeURIComponent(JSON.stringify({ runId, ...(lastEventId ? { lastEventId } : {}) }));
    const res = await fetch(`${ctx.url}/trpc/runs.events?input=${input}`, { headers: { accept: "text/event-stream" } });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buf = "";
    const ids: number[] = [];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      for (const m of buf.matchAll(/^id: (\d+)$/gm)) if (!ids.includes(Number(m[1]))) ids.push(Number(m[1]));
      if (/"type":"run_(finished|failed|cancelled)"/.test(buf)) break;
    }
    await reader.cancel();
    return ids;
  }

  it("streams every event with its sequence number as the tracked id, and resumes after lastEventId", async () => {
    const r = await json(`${ctx.url}/api/pipelines/validation-loop/runs?wait=true`, { method: "POST" });
    const total = (await ctx.app.services.runs.events(r.body.runId)).length;
    const all = await subscribe(r.body.runId);
    expect(all).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    const rest = await subscribe(r.body.runId, "6");
    expect(rest).toEqual(Array.from({ length: total - 6 }, (_, i) => i + 7));
  });

  it("validates a pipeline document and returns coded diagnostics", async () => {
    const input = encodeURIComponent(JSON.stringify({ pipeline: { format: "braid/pipeline@1", name: "x", nodes: [{ id: "in", kind: "input" }], edges: [] } }));
    const r = await json(`${ctx.url}/trpc/pipelines.validate?input=${input}`);
    expect(r.body.result.data.valid).toBe(false);
    expect(r.body.result.data.diagnostics.map((d: { code: string }) => d.code)).toContain("E_NO_OUTPUT");
  });

  it("refuses to start an invalid pipeline and returns its diagnostics with a Braid code", async () => {
    const r = await json(`${ctx.url}/trpc/runs.start`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        pipeline: {
          format: "braid/pipeline@1",
          name: "x",
          nodes: [
            { id: "in", kind: "input" },
            { id: "out", kind: "output" },
          ],
          edges: [],
        },
      }),
    });
    expect(r.status).toBe(400);
    expect(r.body.error.data.braidCode).toBe("E_NO_PATH_TO_OUTPUT");
    expect(r.body.error.data.diagnostics.map((d: { code: string }) => d.code)).toContain("E_NO_PATH_TO_OUTPUT");
    expect(JSON.stringify(r.body)).not.toMatch(/\.ts:\d+/);
  });
});
