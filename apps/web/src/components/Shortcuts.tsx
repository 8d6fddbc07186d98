import { useEffect } from "react";
import { copySelection, cutSelection, paste } from "../state/canvas.js";
import { flushWorkingCopy } from "../state/persist.js";
import { save } from "../state/server.js";
import { isDirty, redo, undo, useEditor } from "../state/store.js";

const typing = (t: EventTarget | null) => t instanceof HTMLElement && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName));

/** Undo/redo, copy/paste, save; and a warning before leaving with unsaved changes. */
export function Shortcuts() {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      if (!mod) return;
      const k = e.key.toLowerCase();
      if (k === "s") {
        e.preventDefault();
        void save();
        return;
      }
      if (typing(e.target) || useEditor.getState().dialog) return;
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
