import { useEffect, useState } from "react";
import { useEditor } from "../state/store.js";
import { detectFormat } from "./detect.js";
import { shareFragment } from "./link.js";

const typing = (t: EventTarget | null) => t instanceof HTMLElement && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName));
const hasFiles = (e: DragEvent) => e.dataTransfer?.types.includes("Files") ?? false;

/** Takes a `#share=…` out of the address bar (so a reload does not ask again) and returns it. */
function takeShareFragment(): string | null {
  const fragment = shareFragment(window.location.hash);
  if (fragment) window.history.replaceState(window.history.state, "", window.location.pathname + window.location.search);
  return fragment;
}

/**
 * The app-wide entry points of sharing: a `#share=…` link opens its preview; a .json or .mmd file
 * dropped anywhere on the window, or a pipeline pasted onto the canvas, opens Import with it.
 */
export function ShareHost() {
  const [dragging, setDragging] = useState(false);
  useEffect(() => {
    const openShared = () => {
      const fragment = takeShareFragment();
      if (fragment) useEditor.setState({ dialog: { type: "shared", fragment } });
    };
    openShared();
    let depth = 0;
    const onDragEnter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth++;
      setDragging(true);
    };
    const onDragLeave = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const onDragOver = (e: DragEvent) => {
      if (!hasFiles(e) || e.defaultPrevented) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = "copy";
    };
    const onDrop = (e: DragEvent) => {
      depth = 0;
      setDragging(false);
      const file = e.dataTransfer?.files[0];
      if (!file || e.defaultPrevented) return;
      // Never let the browser navigate to a dropped file.
      e.preventDefault();
      void file.text().then((text) => useEditor.setState({ dialog: { type: "import-text", text, fileName: file.name, run: true } }));
    };
    const onPaste = (e: ClipboardEvent) => {
      if (e.defaultPrevented || typing(e.target) || useEditor.getState().dialog) return;
      const text = e.clipboardData?.getData("text/plain") ?? "";
      const format = detectFormat(text);
      // Only whole pipelines: copied nodes (the canvas clipboard) are the canvas's own business.
      if (format === "mermaid" || (format === "json" && /"format"\s*:\s*"braid\/pipeline@/.test(text))) {
        // Captured at the window, before the canvas's own paste (which would paste copied nodes).
        e.preventDefault();
        e.stopPropagation();
        useEditor.setState({ dialog: { type: "import-text", text } });
      }
    };
    window.addEventListener("hashchange", openShared);
    window.addEventListener("dragenter", onDragEnter);
    window.addEventListener("dragleave", onDragLeave);
    window.addEventListener("dragover", onDragOver);
    window.addEventListener("drop", onDrop);
    window.addEventListener("paste", onPaste, true);
    return () => {
      window.removeEventListener("hashchange", openShared);
      window.removeEventListener("dragenter", onDragEnter);
      window.removeEventListener("dragleave", onDragLeave);
      window.removeEventListener("dragover", onDragOver);
      window.removeEventListener("drop", onDrop);
      window.removeEventListener("paste", onPaste, true);
    };
  }, []);
  if (!dragging) return null;
  return (
    <div className="drop-overlay" aria-hidden="true">
      <p>Drop a .json or .mmd file to import it</p>
    </div>
  );
}
