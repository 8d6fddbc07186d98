import { create } from "zustand";
import { type PipelineSummary, api, describeError } from "../api/client.js";
import { type BadRowLine, inputKind, parseErrorsFile } from "./format.js";

export type BatchView = Awaited<ReturnType<typeof api.batches.get.query>>;

export interface BatchPageState {
  pipelines: PipelineSummary[] | null;
  pipelineId: string;
  file: File | null;
  concurrency: number;
  seed: number;
  starting: boolean;
  /** A file is being dragged over the page. */
  dragging: boolean;
  /** The batch shown in detail (the one just started, or one picked from the list). */
  current: BatchView | null;
  /** Bad rows of the current batch, read from its errors file once it has stopped. */
  badRows: BadRowLine[] | null;
  recent: BatchView[];
  message: { kind: "error" | "info"; text: string } | null;
}

export const useBatchPage = create<BatchPageState>(() => ({
  pipelines: null,
  pipelineId: "",
  file: null,
  concurrency: 8,
  seed: 1,
  starting: false,
  dragging: false,
  current: null,
  badRows: null,
  recent: [],
  message: null,
}));

const set = useBatchPage.setState;
const get = useBatchPage.getState;

export async function loadPipelines(preferId?: string): Promise<void> {
  try {
    const pipelines = await api.pipelines.list.query();
    const current = get().pipelineId;
    const pick = [current, preferId].find((id) => id && pipelines.some((p) => p.id === id)) ?? "";
    set({ pipelines, pipelineId: pick });
  } catch (err) {
    set({ pipelines: [], message: { kind: "error", text: describeError(err).message } });
  }
}

export async function loadRecent(): Promise<void> {
  try {
    set({ recent: await api.batches.list.query({ limit: 20 }) });
  } catch (err) {
    set({ message: { kind: "error", text: describeError(err).message } });
  }
}

/** Keeps the list's copy of a batch in step with the detail view. */
function upsertRecent(b: BatchView): void {
  const recent = get().recent;
  const i = recent.findIndex((r) => r.id === b.id);
  set({ recent: i < 0 ? [b, ...recent] : recent.map((r) => (r.id === b.id ? b : r)) });
}

let unsubscribe: (() => void) | null = null;

export function stopFollowing(): void {
  unsubscribe?.();
  unsubscribe = null;
}

/** Shows a batch and follows its progress over the `batches.progress` subscription until it finishes. */
export function follow(batch: BatchView): void {
  stopFollowing();
  set({ current: batch, badRows: null });
  if (batch.status !== "running") {
    void loadBadRows(batch);
    return;
  }
  const sub = api.batches.progress.subscribe(
    { id: batch.id },
    {
      onData: (e) => {
        if (get().current?.id !== e.batch.id) return;
        set({ current: e.batch });
        upsertRecent(e.batch);
        if (e.type === "finished") {
          stopFollowing();
          void loadBadRows(e.batch);
        }
      },
      onError: (err) => set({ message: { kind: "error", text: `Progress stopped: ${describeError(err).message}` } }),
    },
  );
  unsubscribe = () => sub.unsubscribe();
}

async function loadBadRows(batch: BatchView): Promise<void> {
  const bad = batch.summary?.badRows ?? batch.progress?.badRows ?? 0;
  if (bad === 0) {
    set({ badRows: [] });
    return;
  }
  try {
    const res = await fetch(`/api/batches/${encodeURIComponent(batch.id)}/errors`);
    if (!res.ok) throw new Error(`the errors file answered ${res.status}`);
    const rows = parseErrorsFile(await res.text());
    if (get().current?.id === batch.id) set({ badRows: rows });
  } catch (err) {
    set({ message: { kind: "error", text: `Cannot read the bad rows: ${(err as Error).message}` } });
  }
}

export async function openBatch(id: string): Promise<void> {
  try {
    follow(await api.batches.get.query({ id }));
  } catch (err) {
    set({ message: { kind: "error", text: describeError(err).message } });
  }
}

/** Uploads the file to the REST route (the auth cookie goes along) and follows the new batch. */
export async function startBatch(): Promise<void> {
  const { pipelineId, file, concurrency, seed } = get();
  if (!pipelineId || !file) return;
  set({ starting: true, message: null });
  try {
    const kind = inputKind(file);
    const qs = new URLSearchParams({ concurrency: String(concurrency), seed: String(seed) });
    const res = await fetch(`/api/pipelines/${encodeURIComponent(pipelineId)}/batches?${qs}`, {
      method: "POST",
      headers: { "content-type": kind === "csv" ? "text/csv" : "application/x-ndjson" },
      body: file,
    });
    const body = (await res.json().catch(() => null)) as { batchId?: string; error?: { message?: string } } | null;
    if (!res.ok || !body?.batchId) throw new Error(body?.error?.message ?? `the server answered ${res.status}`);
    const batch = await api.batches.get.query({ id: body.batchId });
    upsertRecent(batch);
    follow(batch);
  } catch (err) {
    set({ message: { kind: "error", text: `Could not start the batch: ${describeError(err).message}` } });
  } finally {
    set({ starting: false });
  }
}

export async function cancelBatch(id: string): Promise<void> {
  try {
    await api.batches.cancel.mutate({ id });
  } catch (err) {
    set({ message: { kind: "error", text: describeError(err).message } });
  }
}

export async function resumeBatch(id: string): Promise<void> {
  try {
    const b = await api.batches.resume.mutate({ id });
    upsertRecent(b);
    follow(b);
  } catch (err) {
    set({ message: { kind: "error", text: describeError(err).message } });
  }
}
