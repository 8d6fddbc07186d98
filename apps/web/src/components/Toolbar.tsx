import { useShallow } from "zustand/react/shallow";
import { setPipelineFields } from "../doc/ops.js";
import { layout } from "../state/canvas.js";
import { save } from "../state/server.js";
import { edit, isDirty, redo, undo, useEditor } from "../state/store.js";
import { viewport } from "../state/viewport.js";
import { cancelRun, startRun } from "../trace/actions.js";
import { useRunBusy, useTrace } from "../trace/store.js";
import { BackendsButton } from "../backends/BackendsButton.js";
import { BatchButton } from "../batch/BatchButton.js";
import { ExperimentsButton } from "../experiments/ExperimentsButton.js";
import { MOD } from "./Shortcuts.js";

export function Toolbar() {
  const s = useEditor(
    useShallow((s) => ({
      name: s.doc.name,
      dirty: isDirty(s),
      savedId: s.saved.id,
      version: s.saved.version,
      canUndo: s.history.past.length > 0,
      canRedo: s.history.future.length > 0,
      offline: s.server === "offline",
    })),
  );
  const running = useRunBusy();
  const replayed = useTrace((t) => (t.graph === "run" && t.runId ? (t.pipeline?.name ?? "") : undefined));
  const open = (type: "open" | "history" | "import" | "json" | "export" | "api" | "shortcuts") => useEditor.setState({ dialog: { type } });
  return (
    <header className="toolbar">
      <span className="brand" aria-hidden="true">
        Braid
      </span>
      <label className="name-field">
        <span className="sr-only">Pipeline name</span>
        {/* A run of another graph is on the canvas: the title is that pipeline's, read-only, until Back to editing. */}
        <input
          value={replayed ?? s.name}
          readOnly={replayed !== undefined}
          title={replayed !== undefined ? "The pipeline this run executed (read-only); Back to editing returns to your document" : undefined}
          onChange={(e) => edit((d) => setPipelineFields(d, { name: e.target.value }), { key: "name" })}
          aria-label="Pipeline name"
          spellCheck={false}
        />
      </label>
      <output className={`save-state ${s.dirty ? "dirty" : ""}`} aria-label="Save state">
        {s.dirty ? "● Unsaved changes" : s.savedId ? `Saved · v${s.version}` : "Not saved yet"}
      </output>
      <div className="tool-group">
        <button type="button" onClick={() => open("open")}>
          New / Open…
        </button>
        <button type="button" onClick={() => void save()} disabled={s.offline} title={`${MOD}+S`}>
          Save
        </button>
        <button type="button" onClick={() => open("history")} disabled={!s.savedId} title="Saved versions of this pipeline">
          Versions
        </button>
        <button type="button" onClick={() => open("import")}>
          Import
        </button>
        <button type="button" onClick={() => open("json")}>
          JSON
        </button>
        <button type="button" onClick={() => open("export")} title="Mermaid diagram, image, file or share link">
          Export
        </button>
        <button type="button" onClick={() => open("api")} title="curl, TypeScript and Python snippets that run this pipeline over the REST API">
          API
        </button>
      </div>
      <div className="tool-group">
        <button type="button" onClick={undo} disabled={!s.canUndo} title="Ctrl+Z" aria-label="Undo">
          ↶ Undo
        </button>
        <button type="button" onClick={redo} disabled={!s.canRedo} title="Ctrl+Shift+Z" aria-label="Redo">
          ↷ Redo
        </button>
        <button type="button" onClick={layout}>
          Auto-layout
        </button>
        <button type="button" onClick={() => viewport.fitView()} title="F">
          Fit view
        </button>
        <button type="button" onClick={() => open("shortcuts")} aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)">
          ?
        </button>
      </div>
      <div className="tool-group run-group">
        <BackendsButton />
        <BatchButton />
        <ExperimentsButton />
        {running ? (
          <button type="button" className="danger" onClick={() => void cancelRun()}>
            ■ Cancel run
          </button>
        ) : (
          <button type="button" className="primary" onClick={() => void startRun()} disabled={s.offline} title={`${MOD}+Enter`}>
            ▶ Run
          </button>
        )}
      </div>
    </header>
  );
}
