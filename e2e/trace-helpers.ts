import { readFileSync } from "node:fs";
import { type APIRequestContext, type Locator, type Page, expect } from "@playwright/test";
import { discardIfAsked } from "./helpers.js";

/** Helpers for the trace specs (live runs, replay, fork, re-run, compare, reconnect). */

const parallel = JSON.parse(readFileSync(new URL("../examples/parallel.json", import.meta.url), "utf8")) as {
  name: string;
  nodes: Array<{ id: string; config?: Record<string, unknown> }>;
};

/** A tRPC mutation that must succeed. */
export async function trpc<T>(request: APIRequestContext, path: string, input: unknown): Promise<T> {
  const r = await request.post(`/trpc/${path}`, { data: input });
  expect(r.status(), await r.text()).toBe(200);
  return ((await r.json()) as { result: { data: T } }).result.data;
}

async function query<T>(request: APIRequestContext, path: string, input?: unknown): Promise<T> {
  const q = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const r = await request.get(`/trpc/${path}${q}`);
  expect(r.status(), await r.text()).toBe(200);
  return ((await r.json()) as { result: { data: T } }).result.data;
}

/**
 * The e2e server runs with instant simulated backends; a live run of them is over before anyone
 * could watch it. This adds a simulated backend `slow` (600 ms a call, 5 streamed chunks), and
 * saves a copy of the parallel example whose three branches use it.
 */
export async function saveSlowParallel(request: APIRequestContext, name = "Parallel, slow backends", latencyMs = 600): Promise<{ id: string; name: string }> {
  await trpc(request, "backends.save", {
    backend: {
      name: "slow",
      provider: "simulated",
      model: "sim-slow",
      pricing: { input: 0.001, output: 0.002 },
      simulation: { latencyMs, streamChunks: 5 },
    },
  });
  const doc = structuredClone(parallel);
  doc.name = name;
  for (const n of doc.nodes) if (n.config?.backend) n.config.backend = "slow";
  const saved = await trpc<{ id: string }>(request, "pipelines.save", { pipeline: doc });
  return { id: saved.id, name };
}

export async function openSaved(page: Page, name: string): Promise<void> {
  await page.getByRole("button", { name: "New / Open…" }).click();
  await page.getByRole("button", { name: `Open saved pipeline ${name}` }).click();
  await discardIfAsked(page);
  await expect(page.getByRole("textbox", { name: "Pipeline name" })).toHaveValue(name);
}

export const runStatus = (page: Page) => page.getByRole("status", { name: "Run status" });
export const runPanel = (page: Page) => page.getByRole("tabpanel", { name: /^Run/ });

/** The run id shown in the run panel. */
export async function shownRunId(page: Page): Promise<string> {
  const text = (await runStatus(page).textContent()) ?? "";
  const m = /run (run_[A-Za-z0-9_]+)/.exec(text);
  if (!m?.[1]) throw new Error(`no run id in "${text}"`);
  return m[1];
}

/** A canvas node's run strip text (status, latency, tokens, cost). */
export const canvasNode = (page: Page, title: string, label: string): Locator => page.getByRole("group", { name: `${title} node ${label}`, exact: true });

/** A timeline span button's lane and time range (ms from the run's start). */
export async function spanBox(page: Page, nodeId: string): Promise<{ lane: number; start: number; end: number }> {
  const span = page
    .getByRole("list", { name: "Timeline" })
    .getByRole("button", { name: new RegExp(`^Span ${nodeId}:`) })
    .first();
  const [lane, start, end] = await Promise.all(["data-lane", "data-start", "data-end"].map((a) => span.getAttribute(a)));
  return { lane: Number(lane), start: Number(start), end: Number(end) };
}

/** Calls made to each backend since the server started (the backend monitor's counters). */
export async function backendCalls(request: APIRequestContext): Promise<Record<string, number>> {
  const r = await request.get("/api/backends?window=all");
  expect(r.status()).toBe(200);
  const body = (await r.json()) as { backends: Array<{ name: string; calls?: number; stats?: { calls?: number } }> };
  return Object.fromEntries(body.backends.map((b) => [b.name, b.calls ?? b.stats?.calls ?? 0]));
}

/** The run's events as the server logged them (sequence numbers), read from its SSE endpoint once the run has ended. */
export async function serverEventSeqs(request: APIRequestContext, runId: string): Promise<number[]> {
  const r = await request.get(`/api/runs/${runId}/events`);
  expect(r.status()).toBe(200);
  return [...(await r.text()).matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
}

export async function runSummary(request: APIRequestContext, runId: string): Promise<{ status: string; output?: unknown; parentRunId?: string }> {
  return query(request, "runs.get", { runId });
}

/** The "step N/M" the replay controls show. */
export async function replayPosition(page: Page): Promise<{ step: number; total: number }> {
  const text = (await page.getByRole("status", { name: "Replay position" }).textContent()) ?? "";
  const m = /step (\d+)\/(\d+)/.exec(text);
  if (!m) throw new Error(`no replay position in "${text}"`);
  return { step: Number(m[1]), total: Number(m[2]) };
}

/** Opens the run history and opens the newest run whose row matches `rowText`. */
export async function openFromHistory(page: Page, rowText: string | RegExp = /completed/): Promise<void> {
  await page.getByRole("tab", { name: "Past runs", exact: true }).click();
  const row = page.getByRole("row").filter({ hasText: rowText }).first();
  await row.getByRole("button", { name: /^Open run / }).click();
}
