import { type Pipeline, parsePipeline, stableStringify } from "@braid/core";
import { loadDocument, useEditor } from "./store.js";

const KEY = "braid.working.v1";

interface Stored {
  doc: unknown;
  savedId?: string;
  savedVersion?: number;
  /** JSON of the saved baseline, to tell whether the restored document has unsaved changes. */
  savedJson?: string | null;
}

/** Restores the working document from localStorage, so a reload or a lost server loses nothing. */
export function restoreWorkingCopy(storage: Storage | undefined = globalThis.localStorage): boolean {
  try {
    const raw = storage?.getItem(KEY);
    if (!raw) return false;
    const stored = JSON.parse(raw) as Stored;
    const parsed = parsePipeline(stored.doc);
    if (!parsed.ok) return false;
    const meta: { id?: string; version?: number } = {};
    if (typeof stored.savedId === "string") meta.id = stored.savedId;
    if (typeof stored.savedVersion === "number") meta.version = stored.savedVersion;
    // Key order may differ after parsing: compare canonical JSON.
    const clean = typeof stored.savedJson === "string" && stableStringify(JSON.parse(stored.savedJson)) === stableStringify(parsed.pipeline);
    loadDocument(parsed.pipeline, meta, clean);
    return true;
  } catch {
    return false;
  }
}

export function writeWorkingCopy(
  doc: Pipeline,
  saved: { id?: string; version?: number; doc: Pipeline | null },
  storage: Storage | undefined = globalThis.localStorage,
) {
  const stored: Stored = { doc, savedJson: saved.doc ? JSON.stringify(saved.doc) : null };
  if (saved.id) stored.savedId = saved.id;
  if (saved.version !== undefined) stored.savedVersion = saved.version;
  try {
    storage?.setItem(KEY, JSON.stringify(stored));
  } catch {
    // Storage full or disabled: the document still lives in memory.
  }
}

export function startPersisting(delayMs = 250): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return useEditor.subscribe((s, prev) => {
    if (s.doc === prev.doc && s.saved === prev.saved) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      const cur = useEditor.getState();
      writeWorkingCopy(cur.doc, cur.saved);
    }, delayMs);
  });
}

/** Writes at once (before the page unloads). */
export function flushWorkingCopy() {
  const s = useEditor.getState();
  writeWorkingCopy(s.doc, s.saved);
}
