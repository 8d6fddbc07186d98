import { writeFileSync } from "node:fs";
import type { Pipeline } from "@braid/engine";
import { expect } from "vitest";
import { type App, createApp } from "../src/app.js";
import { configFromEnv } from "../src/config.js";
import { json, tempDir } from "./helpers.js";

/** A simulated backend whose every call fails (HTTP 503), with no retry, fallback or breaker to hide it. */
export const FLAKY = {
  name: "flaky",
  provider: "simulated",
  model: "sim-flaky",
  retries: 0,
  circuitBreaker: false,
  simulation: { latencyMs: 0, failureRate: 1 },
};

export interface Ctx {
  app: App;
  url: string;
  stop: () => Promise<void>;
}

/** An app with the flaky backend and the optimizer on a millisecond interval (0: only on trigger). */
export async function boot(intervalMs: number): Promise<Ctx> {
  const { dir, cleanup } = tempDir("braid-optimizer-");
  writeFileSync(`${dir}/backends.json`, JSON.stringify({ backends: [FLAKY] }));
  const app = await createApp(
    configFromEnv({ BRAID_DATA_DIR: dir, BRAID_PORT: "0", BRAID_SIM_LATENCY: "zero", BRAID_OPTIMIZER_INTERVAL_MS: String(intervalMs) }),
  );
  const url = await app.listen();
  return {
    app,
    url,
    stop: async () => {
      await app.close();
      cleanup();
    },
  };
}

export const post = (url: string, body: unknown = {}, headers: Record<string, string> = {}) =>
  json(url, { method: "POST", body: JSON.stringify(body), headers });
export const put = (url: string, body: unknown) => json(url, { method: "PUT", body: JSON.stringify(body) });

export async function trpc(url: string, path: string, input?: unknown) {
  const r = await post(`${url}/trpc/${path}`, input ?? null);
  return { status: r.status, data: r.body?.result?.data, error: r.body?.error };
}

export async function trpcQuery(url: string, path: string, input?: unknown) {
  const r = await json(`${url}/trpc/${path}${input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`}`);
  return { status: r.status, data: r.body?.result?.data, error: r.body?.error };
}

/** Saves a new version of a saved pipeline with one node's backend changed; returns the new version number. */
export async function saveWithBackend(url: string, id: string, node: string, backend: string): Promise<number> {
  const cur = (await json(`${url}/api/pipelines/${id}`)).body.pipeline as Pipeline;
  const pipeline = { ...cur, nodes: cur.nodes.map((n) => (n.id === node ? { ...n, config: { ...(n.config as object), backend } } : n)) };
  const r = await trpc(url, "pipelines.save", { id, pipeline, message: `${node} on ${backend}` });
  expect(r.status).toBe(200);
  return r.data.version as number;
}

export async function tagVersions(url: string, id: string, live: number, candidate: number): Promise<void> {
  expect((await post(`${url}/api/pipelines/${id}/tags`, { tag: "live", version: live })).status).toBe(200);
  expect((await post(`${url}/api/pipelines/${id}/tags`, { tag: "candidate", version: candidate })).status).toBe(200);
}

/** One REST run on the pipeline's example input (no body), answered when it ends. */
export const runOnce = (url: string, id: string, opts: { key?: string; version?: number } = {}) =>
  json(`${url}/api/pipelines/${id}/runs?wait=true${opts.version ? `&version=${opts.version}` : ""}`, {
    method: "POST",
    headers: opts.key ? { "x-braid-split-key": opts.key } : {},
  });

export async function runMany(url: string, id: string, n: number, opts: { keyPrefix?: string; version?: number } = {}) {
  return Promise.all(
    Array.from({ length: n }, (_, i) =>
      runOnce(url, id, { ...(opts.keyPrefix ? { key: `${opts.keyPrefix}${i}` } : {}), ...(opts.version ? { version: opts.version } : {}) }),
    ),
  );
}

export type CycleEntry = {
  pipelineId: string;
  candidateVersion?: number;
  metrics: { live: { runs: number; errorRate: number }; candidate?: { runs: number; errorRate: number } };
  gates: Array<{ expr: string; passed: boolean; actual?: number }>;
  decision: { action: string; reason: string; wouldHave?: string };
  pendingActionId?: string;
};

/** Every cycle's entry for one pipeline, oldest first. */
export async function cyclesOf(url: string, id: string): Promise<CycleEntry[]> {
  const h = await json(`${url}/api/optimizer/history?limit=1000`);
  expect(h.status).toBe(200);
  return (h.body as Array<{ pipelines: CycleEntry[] }>).reverse().flatMap((c) => c.pipelines.filter((p) => p.pipelineId === id));
}
