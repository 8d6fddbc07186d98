import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Pipeline, RunEvent } from "@braid/engine";
import { type App, createApp } from "../src/app.js";
import { type ServerConfig, configFromEnv } from "../src/config.js";
import { expect } from "vitest";

export const SERVER_ROOT = new URL("..", import.meta.url).pathname;

export function tempDir(prefix = "braid-test-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** An in-process app on a free port. */
export async function startApp(
  env: Record<string, string> = {},
  overrides: Partial<ServerConfig> = {},
): Promise<{ app: App; url: string; dataDir: string; stop: () => Promise<void> }> {
  const { dir, cleanup } = tempDir();
  const config = { ...configFromEnv({ BRAID_DATA_DIR: dir, BRAID_PORT: "0", BRAID_SIM_LATENCY: "zero", ...env }), ...overrides };
  const app = await createApp(config);
  const url = await app.listen();
  return {
    app,
    url,
    dataDir: dir,
    stop: async () => {
      await app.close();
      cleanup();
    },
  };
}

/** The server as a child process, exactly as `braid serve` runs it. */
export function spawnServer(env: Record<string, string>): { child: ChildProcess; ready: Promise<string>; output: () => string } {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "serve"], {
    cwd: SERVER_ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const ready = new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /serving (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1] as string);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
  return { child, ready, output: () => out };
}

/** A JSON client: a string body goes as application/json unless the caller names another type (the server refuses text/plain). */
export async function json(url: string, init: RequestInit = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const headers = new Headers(init.headers);
  if (typeof init.body === "string" && !headers.has("content-type")) headers.set("content-type", "application/json");
  const res = await fetch(url, { ...init, headers });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body, headers: res.headers };
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000, everyMs = 25): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface SseFrame {
  id?: string;
  event?: string;
  data?: string;
  status: number;
  contentType: string | null;
}

/** Reads a server-sent-event stream to its end, frame by frame. */
export async function readSseFrames(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; contentType: string | null; frames: Array<Omit<SseFrame, "status" | "contentType">> }> {
  const res = await fetch(url, { headers });
  if (!res.ok || !res.body) throw new Error(`SSE ${url}: ${res.status}`);
  const frames: Array<Omit<SseFrame, "status" | "contentType">> = [];
  const decoder = new TextDecoder();
  let buf = "";
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(chunk, { stream: true });
    let i: number;
    while ((i = buf.indexOf("\n\n")) >= 0) {
      const frame = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const field = (name: string) => new RegExp(`^${name}: (.*)$`, "m").exec(frame)?.[1];
      const f: Omit<SseFrame, "status" | "contentType"> = {};
      for (const name of ["id", "event", "data"] as const) {
        const v = field(name);
        if (v !== undefined) f[name] = v;
      }
      frames.push(f);
    }
  }
  return { status: res.status, contentType: res.headers.get("content-type"), frames };
}

/** Reads a run's SSE stream until the run ends; returns the events with their ids. */
export async function readSse(url: string, headers: Record<string, string> = {}): Promise<Array<{ id: number; event: RunEvent }>> {
  const { frames } = await readSseFrames(url, headers);
  return frames.flatMap((f) => (f.id && f.data ? [{ id: Number(f.id), event: JSON.parse(f.data) as RunEvent }] : []));
}

/** JSONL inputs for the sequential example: `n` good rows, then any extra lines as given. */
export const profileJsonl = (n: number, extra: string[] = []): string =>
  `${[...Array.from({ length: n }, (_, i) => JSON.stringify({ country: "Ukraine", segment: `segment ${i}` })), ...extra].join("\n")}\n`;

/** Checks what every complete log must satisfy, and returns a description of the first problem. */
export function logProblems(seqs: number[], events: RunEvent[]): string | undefined {
  for (let i = 0; i < seqs.length; i++) if (seqs[i] !== i + 1) return `sequence ${seqs.join(",")} is not 1..${seqs.length}`;
  if (events[0]?.type !== "run_started") return `first event is ${events[0]?.type}`;
  const last = events[events.length - 1];
  if (!last || !["run_finished", "run_failed", "run_cancelled"].includes(last.type)) return `last event is ${last?.type}`;
  const finished = events.filter((e) => e.type === "node_finished").map((e) => (e as { span: string }).span);
  if (new Set(finished).size !== finished.length) return `a span finished twice: ${finished.join(",")}`;
  const started = events.filter((e) => e.type === "node_started").map((e) => (e as { span: string }).span);
  if (new Set(started).size !== started.length) return `a span started twice: ${started.join(",")}`;
  for (const s of finished) if (!started.includes(s)) return `span ${s} finished without starting`;
  return undefined;
}

/** The most runs executing at one moment, from each run's start and end times (an end at the same instant as a start comes first). */
export function mostAtOnce(spans: Array<{ start: number; end: number }>): number {
  const edges = spans.flatMap((s) => [
    { at: s.start, d: 1 },
    { at: s.end, d: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.d - b.d);
  let now = 0;
  let most = 0;
  for (const e of edges) most = Math.max(most, (now += e.d));
  return most;
}

/** Waits until the `sequential` example's run has finished `basic` and is running `enrich`: mid-run, the moment the kill tests stop a process. */
export const untilEnrichRunning = (store: { events(runId: string): Promise<Array<{ event: RunEvent }>> | Array<{ event: RunEvent }> }, runId: string) =>
  waitFor("basic finished and enrich running", async () => {
    const events = (await store.events(runId)).map((e) => e.event);
    const done = events.some((e) => e.type === "node_finished" && e.nodeId === "basic");
    const running = events.some((e) => e.type === "node_started" && e.nodeId === "enrich");
    return done && running ? true : undefined;
  });

/** The `sequential` example's log after a takeover: gap-free, one start and end, and each node finished exactly once. */
export function expectWholeSequentialLog(stored: Array<{ seq: number; event: RunEvent }>): void {
  const events = stored.map((e) => e.event);
  expect(
    logProblems(
      stored.map((e) => e.seq),
      events,
    ),
  ).toBeUndefined();
  for (const id of ["in", "basic", "enrich", "validate", "out"]) expect(events.filter((e) => e.type === "node_finished" && e.nodeId === id)).toHaveLength(1);
}

/** The smallest valid pipeline, `in → out`, named `name`, for store tests. */
export const minimalPipeline = (name: string, extra: Partial<Pipeline> = {}): Pipeline => ({
  format: "braid/pipeline@1",
  name,
  nodes: [
    { id: "in", kind: "input" },
    { id: "out", kind: "output" },
  ],
  edges: [{ from: "in", to: "out" }],
  ...extra,
});

/** A RunEvent for store tests, with only the fields a store reads checked by the type. */
export const storedEvent = (runId: string, type: RunEvent["type"], extra: Record<string, unknown> = {}) =>
  ({ type, runId, at: 1, ...extra }) as unknown as RunEvent;
