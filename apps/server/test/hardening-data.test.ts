/**
 * Data the server cannot trust: JSON nested thousands deep (REST, tRPC, batch files, pipeline
 * documents), event streams resumed at or past their end, and damaged database files.
 */
import { closeSync, openSync, readFileSync, utimesSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { jsonDepth } from "@braid/engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";
import { configFromEnv } from "../src/config.js";
import { openDb } from "../src/store/db.js";
import { json, spawnServer, startApp, tempDir, waitFor } from "./helpers.js";

const nested = (n: number, leaf = "1") => `${"[".repeat(n)}${leaf}${"]".repeat(n)}`;
const nestedObject = (n: number) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`;

describe("JSON depth limit", () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  beforeAll(async () => {
    ctx = await startApp({ BRAID_BODY_LIMIT: String(1024 * 1024) });
  });
  afterAll(() => ctx.stop());

  it("measures 100,000 levels without recursion", () => {
    expect(jsonDepth(JSON.parse(nested(100_000)))).toBe(100_000);
    expect(jsonDepth(JSON.parse(nested(100_000)), 100)).toBe(101);
    expect([jsonDepth(1), jsonDepth([]), jsonDepth({ a: [{}] })]).toEqual([0, 1, 3]);
  });

  it("refuses a REST body nested 5,000 deep with 400 E_TOO_DEEP, and takes a 50-level one", async () => {
    const deep = await json(`${ctx.url}/api/pipelines/sequential/runs`, { method: "POST", body: `{"country":${nested(5000)}}` });
    expect([deep.status, deep.body.error?.code]).toEqual([400, "E_TOO_DEEP"]);
    const fine = await json(`${ctx.url}/api/pipelines/sequential/runs`, { method: "POST", body: `{"country":"Chile","segment":"x","extra":${nested(50)}}` });
    expect(fine.status).toBe(202);
  });

  it("refuses deep tRPC inputs and pipeline documents (shape/schema nesting) with 400 and braidCode E_TOO_DEEP", async () => {
    const calls: Array<[string, string]> = [
      ["runs.start", `{"pipelineId":"sequential","input":${nested(5000)}}`],
      [
        "pipelines.save",
        `{"pipeline":{"format":"braid/pipeline@1","name":"x","nodes":[{"id":"in","kind":"input","config":{"schema":${nestedObject(5000)}}}],"edges":[]}}`,
      ],
      [
        "runs.start",
        `{"pipeline":{"format":"braid/pipeline@1","name":"x","nodes":[{"id":"g","kind":"generate","config":{"shape":${nestedObject(5000)}}}],"edges":[]}}`,
      ],
    ];
    for (const [path, body] of calls) {
      const r = await json(`${ctx.url}/trpc/${path}`, { method: "POST", body });
      expect({ path, status: r.status, code: r.body.error?.data?.braidCode }).toEqual({ path, status: 400, code: "E_TOO_DEEP" });
    }
    // queries too (a URL has room for a few hundred levels only)
    const query = await json(`${ctx.url}/trpc/pipelines.validate?input=${encodeURIComponent(`{"pipeline":${nested(200)}}`)}`);
    expect([query.status, query.body.error?.data?.braidCode]).toEqual([400, "E_TOO_DEEP"]);
  });

  it("refuses a deep record in a JSON-array batch upload, and reports a deep JSONL line as a bad row", async () => {
    const array = await json(`${ctx.url}/api/pipelines/sequential/batches`, { method: "POST", body: `[{"country":"Chile","segment":"x"},${nested(5000)}]` });
    expect([array.status, array.body.error?.code]).toEqual([400, "E_TOO_DEEP"]);
    expect(array.body.error.message).toContain("input 1");
    const jsonl = await json(`${ctx.url}/api/pipelines/sequential/batches`, {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: `{"country":"Chile","segment":"x"}\n{"country":${nested(5000)}}\n`,
    });
    expect(jsonl.status).toBe(202);
    const final = await waitFor("batch", async () => {
      const r = await json(`${ctx.url}/api/batches/${jsonl.body.batchId}`);
      return r.body.status !== "running" ? r.body : undefined;
    });
    expect(final.summary).toMatchObject({ status: "completed", ok: 1, badRows: 1, badRowLines: [2] });
    const errors = (await (await fetch(`${ctx.url}/api/batches/${jsonl.body.batchId}/errors`)).text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(errors).toEqual([expect.objectContaining({ line: 2, code: "E_TOO_DEEP" })]);
  });
});

describe("event streams of finished runs", () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  beforeAll(async () => {
    ctx = await startApp();
  });
  afterAll(() => ctx.stop());

  /** The whole stream as text; aborts (and fails the test) if it is still open after 3 s. */
  async function readAll(url: string, headers: Record<string, string> = {}): Promise<string> {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(3000) });
    expect(res.status).toBe(200);
    return await res.text();
  }

  it("closes the REST stream when Last-Event-ID is at or past the last event", async () => {
    const r = await json(`${ctx.url}/api/pipelines/sequential/runs?wait=true`, { method: "POST" });
    const last = (await ctx.app.services.runs.lastSeq(r.body.runId)) || (await ctx.app.services.runs.events(r.body.runId)).length;
    for (const id of [String(last), String(last + 50)]) {
      const text = await readAll(`${ctx.url}/api/runs/${r.body.runId}/events`, { "last-event-id": id });
      expect(text).not.toMatch(/^id: /m);
    }
    // one before the end still gets the terminal event, then the stream ends
    const tail = await readAll(`${ctx.url}/api/runs/${r.body.runId}/events`, { "last-event-id": String(last - 1) });
    expect(tail.match(/^id: (\d+)$/gm)).toEqual([`id: ${last}`]);
  });

  it("ends the tRPC subscription when lastEventId is at or past the last event", async () => {
    const r = await json(`${ctx.url}/api/pipelines/sequential/runs?wait=true`, { method: "POST" });
    const last = (await ctx.app.services.runs.events(r.body.runId)).length;
    for (const lastEventId of [String(last), String(last + 50)]) {
      const input = encodeURIComponent(JSON.stringify({ runId: r.body.runId, lastEventId }));
      const text = await readAll(`${ctx.url}/trpc/runs.events?input=${input}`, { accept: "text/event-stream" });
      expect(text).not.toContain('"seq"');
      expect(text).toMatch(/event: return/);
    }
  });
});

describe("damaged database files", () => {
  const config = (dir: string) => configFromEnv({ BRAID_DATA_DIR: dir, BRAID_PORT: "0", BRAID_SIM_LATENCY: "zero" });

  it("refuses a zero-length braid.db or legacy checkpoints.db, naming the file and the way out; a missing file is a fresh start", async () => {
    for (const file of ["braid.db", "checkpoints.db"]) {
      const { dir, cleanup } = tempDir();
      try {
        writeFileSync(join(dir, file), "");
        // An hour old: truncated, not a file another process created a moment ago (that one gets a moment to be written).
        const anHourAgo = new Date(Date.now() - 3_600_000);
        utimesSync(join(dir, file), anHourAgo, anHourAgo);
        await expect(createApp(config(dir))).rejects.toThrow(new RegExp(`${join(dir, file)}: the file is empty.*move it aside`));
      } finally {
        cleanup();
      }
    }
    const { dir, cleanup } = tempDir();
    try {
      const app = await createApp(config(dir));
      await app.close();
    } finally {
      cleanup();
    }
  });

  it("refuses a garbled page or header at start, and `braid serve` says so in one line", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const db = openDb(dir);
      db.pragma("journal_mode = DELETE");
      const insert = db.prepare("INSERT INTO meta (key, value) VALUES (?, ?)");
      db.transaction(() => {
        for (let i = 0; i < 2000; i++) insert.run(`k${i}`, "x".repeat(100));
      })();
      const pageSize = db.pragma("page_size", { simple: true }) as number;
      db.close();
      const file = join(dir, "braid.db");
      const pages = readFileSync(file).length / pageSize;
      const fd = openSync(file, "r+");
      // garbage over the middle of the file: b-tree pages, not the header
      writeSync(fd, Buffer.alloc(pageSize * 3, 0xa5), 0, pageSize * 3, Math.floor(pages / 2) * pageSize);
      closeSync(fd);
      await expect(createApp(config(dir))).rejects.toThrow(new RegExp(`${file}: .*(integrity check failed|cannot be opened).*Restore it from a backup`));

      const fd2 = openSync(file, "r+");
      writeSync(fd2, Buffer.from("not a database at all, no"), 0, 25, 0);
      closeSync(fd2);
      const server = spawnServer({ BRAID_DATA_DIR: dir, BRAID_PORT: "0" });
      const code = await new Promise<number | null>((resolve) => server.child.once("exit", resolve));
      server.ready.catch(() => {});
      expect(code).toBe(1);
      expect(server.output()).toContain(`braid serve: ${file}: cannot be opened as a database`);
      expect(server.output()).toContain("move it aside");
      expect(server.output()).not.toMatch(/\n\s+at /);
    } finally {
      cleanup();
    }
  }, 15_000);
});
