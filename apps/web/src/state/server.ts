import type { Pipeline } from "@braid/core";
import { type ApiProblem, api, describeError } from "../api/client.js";
import { tidyWhenMeasured } from "./canvas.js";
import { setPipelineFields } from "../doc/ops.js";
import { edit, isDirty, loadDocument, notify, useEditor } from "./store.js";

const set = useEditor.setState;
const get = useEditor.getState;

/** Records whether the server answered; a network failure shows the offline banner. */
export function noteProblem(err: unknown): ApiProblem {
  const p = describeError(err);
  if (p.offline) set({ server: "offline" });
  return p;
}

export function noteOnline() {
  if (get().server !== "online") set({ server: "online" });
}

export async function refreshBackends(): Promise<boolean> {
  try {
    const backends = await api.backends.list.query();
    set({ backends });
    noteOnline();
    return true;
  } catch (err) {
    noteProblem(err);
    return false;
  }
}

/** While offline, asks again every few seconds; local edits are kept meanwhile. */
export function startServerWatch(intervalMs = 5000): () => void {
  void refreshBackends();
  const timer = setInterval(() => {
    if (get().server === "offline") void refreshBackends();
  }, intervalMs);
  return () => clearInterval(timer);
}

/** Saves the working document as a new version (a new pipeline the first time). */
export async function save(): Promise<boolean> {
  const { doc, saved } = get();
  try {
    const summary = await api.pipelines.save.mutate(saved.id ? { id: saved.id, pipeline: doc } : { pipeline: doc });
    noteOnline();
    // A new pipeline whose name is taken is saved under a free one ("X (2)"): the document takes it too.
    let stored = doc;
    if (summary.name !== doc.name) {
      const unchanged = get().doc === doc;
      edit((d) => setPipelineFields(d, { name: summary.name }));
      stored = unchanged ? get().doc : { ...doc, name: summary.name };
    }
    // The document may have changed while saving; only what was sent counts as saved.
    set({ saved: { id: summary.id, version: summary.version, doc: stored } });
    notify(
      stored === doc ? `Saved "${doc.name}" as version ${summary.version}.` : `Saved as "${stored.name}": a pipeline named "${doc.name}" already exists.`,
      "success",
    );
    return true;
  } catch (err) {
    const p = noteProblem(err);
    notify(p.offline ? "Not saved: the server cannot be reached. Your edits are kept in this browser." : `Not saved: ${p.message}`, "error");
    return false;
  }
}

/** Asks before replacing a document with unsaved changes. */
export function confirmDiscard(title: string, then: () => void) {
  if (!isDirty(get())) {
    then();
    return;
  }
  set({
    dialog: {
      type: "confirm",
      title,
      message: "The current pipeline has unsaved changes. Discard them?",
      confirmLabel: "Discard changes",
      onConfirm: then,
    },
  });
}

export async function openSaved(id: string, version?: number): Promise<boolean> {
  try {
    const r = await api.pipelines.get.query(version ? { id, version } : { id });
    noteOnline();
    loadDocument(r.pipeline, { id: r.summary.id, version: r.version });
    notify(`Opened "${r.pipeline.name}" (version ${r.version}).`, "success");
    return true;
  } catch (err) {
    notify(`Could not open the pipeline: ${noteProblem(err).message}`, "error");
    return false;
  }
}

export async function openTemplate(id: string): Promise<boolean> {
  try {
    const t = await api.templates.get.query({ id });
    noteOnline();
    loadDocument(t.pipeline as Pipeline, null);
    tidyWhenMeasured();
    notify(`Opened the template "${t.name}". Save it to keep your own copy.`, "success");
    return true;
  } catch (err) {
    notify(`Could not open the template: ${noteProblem(err).message}`, "error");
    return false;
  }
}

export async function restoreVersion(id: string, version: number): Promise<boolean> {
  try {
    await api.pipelines.restore.mutate({ id, version });
    return openSaved(id);
  } catch (err) {
    notify(`Could not restore version ${version}: ${noteProblem(err).message}`, "error");
    return false;
  }
}
