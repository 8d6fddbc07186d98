import { useEffect } from "react";
import { copySelection, cutSelection, paste } from "../state/canvas.js";
import { flushWorkingCopy } from "../state/persist.js";
import { save } from "../state/server.js";
import { isDirty, redo, undo, useEditor } from "../state/store.js";
import { viewport } from "../state/viewport.js";
import { startRun } from "../trace/actions.js";
import { useTrace } from "../trace/store.js";
import { isBusy } from "../run/brief.js";

const typing = (t: EventTarget | null) => t instanceof HTMLElement && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName));

const isMac = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform);
export const MOD = isMac ? "⌘" : "Ctrl";

/** What the `?` overlay lists: the same table the key handler below acts on, so the two cannot drift apart. */
export const SHORTCUTS: ReadonlyArray<{ keys: string; what: string }> = [
  { keys: `${MOD}+Enter`, what: "Run the pipeline on its example input (also while typing)" },
  { keys: `${MOD}+S`, what: "Save (also while typing)" },
  { keys: `${MOD}+Z`, what: "Undo" },
  { keys: `${MOD}+Shift+Z / ${MOD}+Y`, what: "Redo" },
  { keys: `${MOD}+C / ${MOD}+X / ${MOD}+V`, what: "Copy, cut, paste the selected nodes" },
  { keys: "Delete / Backspace", what: "Delete the selection" },
  { keys: "N", what: "Add a node: focus the palette (then Enter adds the focused kind in view)" },
  { keys: "F or Shift+1", what: "Fit the graph in view" },
  { keys: "?", what: "Show this list" },
];

export const openShortcuts = () => useEditor.setState({ dialog: { type: "shortcuts" } });

function focusPalette() {
  document.querySelector<HTMLElement>('nav[aria-label="Node palette"] button')?.focus();
}

/** The keyboard: run, save, undo/redo, copy/paste, add, fit, the `?` list; and a warning before leaving with unsaved changes. */
export function Shortcuts() {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      const k = e.key.toLowerCase();
      // These two act wherever the focus is: they are what a user reaches for while editing a prompt.
      if (mod && k === "s") {
        e.preventDefault();
        void save();
        return;
      }
      if (mod && k === "enter") {
        e.preventDefault();
        if (!useEditor.getState().dialog && !isBusy(useTrace.getState().brief.status) && useEditor.getState().server !== "offline") void startRun();
        return;
      }
      if (typing(e.target) || useEditor.getState().dialog) return;
      if (!mod) {
        if (e.altKey) return;
        if (e.key === "?") {
          e.preventDefault();
          openShortcuts();
        } else if ((k === "f" && !e.shiftKey) || (e.shiftKey && (e.key === "!" || e.code === "Digit1"))) {
          e.preventDefault();
          viewport.fitView();
        } else if (k === "n" && !e.shiftKey) {
          e.preventDefault();
          focusPalette();
        }
        return;
      }
      if (k === "z" && !e.shiftKey) {
        e.preventDefault();
        undo();
      } else if ((k === "z" && e.shiftKey) || k === "y") {
        e.preventDefault();
        redo();
      } else if (k === "c") {
        if (copySelection()) e.preventDefault();
      } else if (k === "x") {
        e.preventDefault();
        cutSelection();
      }
    };
    const onPaste = (e: ClipboardEvent) => {
      if (typing(e.target) || useEditor.getState().dialog) return;
      if (paste(e.clipboardData?.getData("text/plain") || undefined)) e.preventDefault();
    };
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      flushWorkingCopy();
      if (!isDirty(useEditor.getState())) return;
      e.preventDefault();
      e.returnValue = "";
    };
    window.addEventListener("keydown", onKey);
    document.addEventListener("paste", onPaste);
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => {
      window.removeEventListener("keydown", onKey);
      document.removeEventListener("paste", onPaste);
      window.removeEventListener("beforeunload", onBeforeUnload);
    };
  }, []);
  return null;
}
