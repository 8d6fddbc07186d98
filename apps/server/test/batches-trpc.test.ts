import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, profileJsonl, startApp, waitFor } from "./helpers.js";

const jsonl = profileJsonl;

/** A tRPC query over HTTP (GET /trpc/<path>?input=<json>); returns the result's data. */
async function query(base: string, path: string, input?: unknown): Promise<{ status: number; data: any; error: any }> {
  const qs = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const r = await json(`${base}/trpc/${path}${qs}`);
  return { status: r.status, data: r.body?.result?.data, error: r.body?.error };
}

async function mutate(base: string, path: string, input: unknown): Promise<{ status: number; data: any; error: any }> {
  const r = await json(`${base}/trpc/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(input) });
  return { status: r.status, data: r.body?.result?.data, error: r.body?.error };
}

/** Reads the batches.progress subscription (tRPC SSE) to its end; returns the data frames. */
async function progressFrames(base: string, id: string): Promise<Array<{ type: string; batch: any }>> {
  const res = await fetch(`${base}/trpc/batches.progress?input=${encodeURIComponent(JSON.stringify({ id }))}`, { headers: { accept: "text/event-stream" } });
  expect(res.status).toBe(200);
  const out: Array<{ type: string; batch: any }> = [];
  const decoder = new TextDecoder();
  let buf = "";
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true });
    let i: number;
    while ((i = buf.indexOf("\n\n")) >= 0) {
      const frame = buf.slice(0, i);
      buf = buf.slice(i + 2);
      if (/^event: return$/m.test(frame)) {
        await reader.cancel();
        return out;
      }
      const data = /^data: (.*)$/m.exec(frame)?.[1];
      if (!data || /^event: /m.test(frame)) continue;
      const parsed = JSON.parse(data);
      if (parsed && typeof parsed === "object" && "type" in parsed) out.push(parsed);
      if (parsed?.type === "finished") {
        await reader.cancel();
        return out;
      }
    }
  }
  return out;
}

describe("batches over tRPC", () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  beforeAll(async () => {
    ctx = await startApp();
  });
  afterAll(() => ctx.stop());

  it("lists and gets a batch started over REST, and follows its progress to the end", async () => {
    const post = await json(`${ctx.url}/api/pipelines/sequential/batches?concurrency=4&seed=7`, {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: jsonl(12, ["{not json"]),
    });
    expect(post.status).toBe(202);
    const id = post.body.batchId as string;

    const frames = await progressFrames(ctx.url, id);
    expect(frames.length).toBeGreaterThan(0);
    const last = frames[frames.length - 1];
    expect(last?.type).toBe("finished");
    expect(last?.batch.id).toBe(id);

    const got = await waitFor("finished batch", async () => {
      const r = await query(ctx.url, "batches.get", { id });
      return r.data?.status === "running" ? undefined : r;
    });
    expect(got.status).toBe(200);
    expect(got.data).toMatchObject({ id, pipelineId: "sequential", concurrency: 4, seed: 7, status: "completed", total: 13 });
    expect(got.data.summary).toMatchObject({ ok: 12, badRows: 1, badRowLines: [13] });

    const list = await query(ctx.url, "batches.list", { limit: 5 });
    expect(list.status).toBe(200);
    expect(list.data.map((b: { id: string }) => b.id)).toContain(id);
    const all = await query(ctx.url, "batches.list");
    expect(all.status).toBe(200);

    // A finished batch's subscription sends one `finished` frame and ends.
    const again = await progressFrames(ctx.url, id);
    expect(again.map((f) => f.type)).toEqual(["finished"]);

    // Completed batches cannot be resumed; cancelling one that is not running is a no-op.
    const resume = await mutate(ctx.url, "batches.resume", { id });
    expect(resume.status).toBe(409);
    const cancel = await mutate(ctx.url, "batches.cancel", { id });
    expect(cancel.data).toEqual({ batchId: id, cancelled: false });
  });

  it("answers NOT_FOUND for an unknown batch", async () => {
    const r = await query(ctx.url, "batches.get", { id: "batch_nope_00000000" });
    expect(r.status).toBe(404);
    expect(r.error.data.code).toBe("NOT_FOUND");
    expect((await mutate(ctx.url, "batches.cancel", { id: "nope" })).status).toBe(404);
  });
});
