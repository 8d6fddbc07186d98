import type { StatsWindow } from "@braid/core";
import { create } from "zustand";
import { type BackendView, api } from "../api/client.js";
import { noteOnline, noteProblem } from "../state/server.js";
import { useEditor } from "../state/store.js";
import { type FieldErrors, serverErrors } from "./form.js";

export type BackendStats = Awaited<ReturnType<typeof api.backends.stats.query>>;
export type StatsRow = BackendStats["backends"][number];
export type TestResult = Awaited<ReturnType<typeof api.backends.test.mutate>>;
export type TestState = { pending: true } | { pending: false; result: TestResult } | { pending: false; error: string };

/** The key of the form's own test result in `tests` (rows use their backend name). */
export const FORM_TEST = "\u0000form";

export interface Message {
  text: string;
  tone: "success" | "error";
  seq: number;
}

export type Editing = null | { mode: "add" } | { mode: "edit"; name: string };

interface PageState {
  rows: BackendView[] | null;
  loadError: string | null;
  message: Message | null;
  editing: Editing;
  tests: Record<string, TestState>;
  /** Rows with a request under way (toggle, remove). */
  busy: Record<string, boolean>;
  window: StatsWindow;
  stats: BackendStats | null;
  statsError: string | null;
  autoRefresh: boolean;
}

export const useBackendsPage = create<PageState>()(() => ({
  rows: null,
  loadError: null,
  message: null,
  editing: null,
  tests: {},
  busy: {},
  window: "5m",
  stats: null,
  statsError: null,
  autoRefresh: true,
}));

const set = useBackendsPage.setState;
const get = useBackendsPage.getState;
let seq = 0;

export function say(text: string, tone: Message["tone"] = "success"): void {
  set({ message: { text, tone, seq: ++seq } });
}

const problemText = (err: unknown) => noteProblem(err).message;

/** Bumped by every change made here, so that a poll answered meanwhile cannot bring old rows back. */
let generation = 0;

/** Lists the backends; the designer's backend pickers and lint get the same list. */
export async function loadRows(): Promise<boolean> {
  generation++;
  try {
    const rows = await api.backends.list.query();
    noteOnline();
    set({ rows, loadError: null });
    useEditor.setState({ backends: rows });
    return true;
  } catch (err) {
    set({ loadError: problemText(err) });
    return false;
  }
}

/** A quieter refresh for polling: the page's rows only (breakers and load change; the designer need not re-lint). */
export async function pollRows(): Promise<void> {
  if (Object.keys(get().busy).length) return;
  const gen = generation;
  try {
    const rows = await api.backends.list.query();
    if (gen === generation && !Object.keys(get().busy).length) set({ rows, loadError: null });
  } catch (err) {
    set({ loadError: problemText(err) });
  }
}

export async function loadStats(window: StatsWindow = get().window): Promise<void> {
  try {
    const stats = await api.backends.stats.query({ window });
    noteOnline();
    // A window switched while this was under way: the newer request wins.
    if (get().window === window) set({ stats, statsError: null });
  } catch (err) {
    set({ statsError: problemText(err) });
  }
}

export function setWindow(window: StatsWindow): void {
  set({ window, stats: get().stats?.window === window ? get().stats : null });
  void loadStats(window);
}

export type SaveOutcome = { ok: true; name: string } | { ok: false; errors: FieldErrors };

export async function saveBackend(backend: Record<string, unknown>, previousName?: string): Promise<SaveOutcome> {
  try {
    const row = await api.backends.save.mutate(previousName ? { backend, previousName } : { backend });
    const name = row?.name ?? String(backend.name);
    await loadRows();
    say(previousName ? `Saved the backend "${name}".` : `Added the backend "${name}".`);
    return { ok: true, name };
  } catch (err) {
    const p = noteProblem(err);
    return { ok: false, errors: p.offline ? { form: p.message } : serverErrors(p.message) };
  }
}

async function rowAction(name: string, act: () => Promise<unknown>, done: string, failed: string): Promise<boolean> {
  set({ busy: { ...get().busy, [name]: true } });
  try {
    await act();
    await loadRows();
    say(done);
    return true;
  } catch (err) {
    say(`${failed}: ${problemText(err)}`, "error");
    return false;
  } finally {
    const { [name]: _, ...rest } = get().busy;
    set({ busy: rest });
  }
}

/** Flips the switch at once (the list is re-read after the server answers, which undoes it on failure). */
export async function setEnabled(name: string, enabled: boolean): Promise<boolean> {
  const flip = (to: boolean) => {
    generation++;
    set({ rows: get().rows?.map((r) => (r.name === name ? { ...r, enabled: to } : r)) ?? null });
  };
  flip(enabled);
  const ok = await rowAction(
    name,
    () => api.backends.setEnabled.mutate({ name, enabled }),
    enabled ? `Enabled "${name}".` : `Disabled "${name}": nodes that use it are flagged until it is enabled again.`,
    `Could not ${enabled ? "enable" : "disable"} "${name}"`,
  );
  if (!ok) flip(!enabled);
  return ok;
}

export async function removeBackend(name: string): Promise<boolean> {
  let restored = false;
  const ok = await rowAction(
    name,
    async () => {
      restored = (await api.backends.remove.mutate({ name })).restoredDefault;
    },
    `Removed "${name}".`,
    `Could not remove "${name}"`,
  );
  if (ok && restored) say(`Removed the override of "${name}": the built-in simulated tier is back.`);
  if (ok && get().editing?.mode === "edit" && (get().editing as { name: string }).name === name) set({ editing: null });
  return ok;
}

export async function reloadFromFile(): Promise<boolean> {
  try {
    const r = await api.backends.reload.mutate();
    await loadRows();
    say(`Reloaded backends.json: ${r.backends.length} backend${r.backends.length === 1 ? "" : "s"} configured.`);
    return true;
  } catch (err) {
    say(`Not reloaded: ${problemText(err)}`, "error");
    return false;
  }
}

/** "Test connection" for a saved backend (by name) or the form's unsaved one. */
export async function testConnection(key: string, input: { name: string } | { backend: Record<string, unknown> }): Promise<void> {
  set({ tests: { ...get().tests, [key]: { pending: true } } });
  let state: TestState;
  try {
    state = { pending: false, result: await api.backends.test.mutate(input) };
  } catch (err) {
    const p = noteProblem(err);
    const errs = p.offline ? { form: p.message } : serverErrors(p.message);
    state = {
      pending: false,
      error: Object.entries(errs)
        .map(([k, m]) => (k === "form" ? m : `${k}: ${m}`))
        .join("; "),
    };
  }
  set({ tests: { ...get().tests, [key]: state } });
}

export function clearTest(key: string): void {
  const { [key]: _, ...rest } = get().tests;
  set({ tests: rest });
}

export const startAdd = () => set({ editing: { mode: "add" }, tests: withoutForm() });
export const startEdit = (name: string) => set({ editing: { mode: "edit", name }, tests: withoutForm() });
export const stopEditing = () => set({ editing: null, tests: withoutForm() });
const withoutForm = () => {
  const { [FORM_TEST]: _, ...rest } = get().tests;
  return rest;
};
