import type { Diagnostic, Pipeline, Registry } from "@braid/core";
import { defaultRegistry } from "@braid/nodes";
import { create } from "zustand";
import type { BackendView } from "../api/client.js";
import { blankPipeline } from "../doc/blank.js";
import type { Clip } from "../doc/clipboard.js";
import { type History, emptyHistory, record, redo as redoStep, undo as undoStep } from "../doc/history.js";
import type { XY } from "../doc/ops.js";

export type Dialog =
  | { type: "open" }
  | { type: "history" }
  | { type: "import" }
  | { type: "json" }
  | { type: "shortcuts" }
  | { type: "api" }
  // Sharing (src/share): the export dialog, a `#share=…` link's preview, and Import opened with a dropped or pasted text.
  | { type: "export" }
  | { type: "shared"; fragment: string }
  | { type: "import-text"; text: string; fileName?: string; run?: boolean }
  | { type: "confirm"; title: string; message: string; confirmLabel: string; onConfirm: () => void };

export interface Status {
  text: string;
  tone: "info" | "success" | "error";
  seq: number;
}

export interface SavedRef {
  id?: string;
  version?: number;
  /** The document as last saved or opened; the working document differs from it when there are unsaved changes. */
  doc: Pipeline | null;
}

/**
 * The editor state. The pipeline document is the single source of truth; canvas nodes and edges
 * are derived from it (see doc/derive.ts). Selection, measured sizes and the transient drag
 * positions live beside it, never inside it.
 */
export interface EditorState {
  registry: Registry;
  doc: Pipeline;
  history: History;
  selection: { nodes: string[]; edges: string[] };
  measured: Record<string, { width: number; height: number }>;
  drag: Record<string, XY> | null;
  diagnostics: Diagnostic[];
  /** The document the diagnostics were computed for. */
  lintedDoc: Pipeline | null;
  saved: SavedRef;
  server: "unknown" | "online" | "offline";
  backends: BackendView[] | null;
  status: Status | null;
  panel: "problems" | "run";
  dialog: Dialog | null;
  /** Bumped by every loadDocument, so that the run store can tell a replaced document from an edit. */
  loads: number;
  clip: Clip | null;
}

const initialDoc = blankPipeline();

export const useEditor = create<EditorState>()(() => ({
  registry: defaultRegistry,
  doc: initialDoc,
  history: emptyHistory(),
  selection: { nodes: [], edges: [] },
  measured: {},
  drag: null,
  diagnostics: [],
  lintedDoc: null,
  saved: { doc: initialDoc },
  server: "unknown",
  backends: null,
  status: null,
  panel: "problems",
  dialog: null,
  loads: 0,
  clip: null,
}));

const get = useEditor.getState;
const set = useEditor.setState;

export interface EditOptions {
  /** Edits with the same key in quick succession are one undo step (typing). */
  key?: string;
  /** Selection after the edit. */
  select?: { nodes: string[]; edges?: string[] };
}

/** Applies one operation to the document; returns false when it changed nothing. */
export function edit(op: (doc: Pipeline) => Pipeline, opts: EditOptions = {}): boolean {
  const { doc, history } = get();
  const next = op(doc);
  if (next === doc) {
    if (opts.select) set({ selection: { nodes: opts.select.nodes, edges: opts.select.edges ?? [] } });
    return false;
  }
  const patch: Partial<EditorState> = { doc: next, history: record(history, doc, opts.key, Date.now()) };
  if (opts.select) patch.selection = { nodes: opts.select.nodes, edges: opts.select.edges ?? [] };
  set(patch);
  return true;
}

const keepSelection = (doc: Pipeline, sel: EditorState["selection"]) => {
  const ids = new Set(doc.nodes.map((n) => n.id));
  return { nodes: sel.nodes.filter((id) => ids.has(id)), edges: [] };
};

export function undo(): boolean {
  const { doc, history, selection } = get();
  const r = undoStep(history, doc);
  if (!r) return false;
  set({ doc: r.doc, history: r.history, selection: keepSelection(r.doc, selection), drag: null });
  return true;
}

export function redo(): boolean {
  const { doc, history, selection } = get();
  const r = redoStep(history, doc);
  if (!r) return false;
  set({ doc: r.doc, history: r.history, selection: keepSelection(r.doc, selection), drag: null });
  return true;
}

/** Replaces the document (open, template, import, restore): a fresh history and selection. */
export function loadDocument(doc: Pipeline, saved: Omit<SavedRef, "doc"> | null, clean = true): void {
  set({
    doc,
    history: emptyHistory(),
    selection: { nodes: [], edges: [] },
    drag: null,
    saved: { ...(saved ?? {}), doc: clean ? doc : null },
    diagnostics: [],
    lintedDoc: null,
    loads: get().loads + 1,
  });
}

export const isDirty = (s: Pick<EditorState, "doc" | "saved">) => s.doc !== s.saved.doc;

let statusSeq = 0;
export function notify(text: string, tone: Status["tone"] = "info"): void {
  set({ status: { text, tone, seq: ++statusSeq } });
}

export function select(nodes: string[], edges: string[] = []): void {
  set({ selection: { nodes, edges } });
}
