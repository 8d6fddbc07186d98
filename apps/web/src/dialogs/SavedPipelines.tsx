import { useCallback, useEffect, useState } from "react";
import { type PipelineSummary, api } from "../api/client.js";
import { setPipelineFields } from "../doc/ops.js";
import { noteOnline, noteProblem, openSaved } from "../state/server.js";
import { edit, isDirty, useEditor } from "../state/store.js";

const when = (ms: number) => new Date(ms).toLocaleString();

/**
 * The saved pipelines: search, open, rename, duplicate, and delete to the bin (undoable; runs keep
 * their history), with the bin one toggle away. `onOpen` wraps opening in the caller's
 * discard-changes check.
 */
export function SavedPipelines({ onOpen }: { onOpen: (id: string) => void }) {
  const [query, setQuery] = useState("");
  const [bin, setBin] = useState(false);
  const [rows, setRows] = useState<PipelineSummary[] | null>(null);
  const [error, setError] = useState<string | undefined>();
  const [note, setNote] = useState<{ text: string; undo?: () => void } | null>(null);
  const [renaming, setRenaming] = useState<{ id: string; name: string } | null>(null);

  const load = useCallback(() => {
    api.pipelines.list
      .query({ ...(query.trim() ? { query: query.trim() } : {}), ...(bin ? { deleted: true } : {}) })
      .then((r) => {
        noteOnline();
        setRows(r);
        setError(undefined);
      })
      .catch((err) => setError(noteProblem(err).message));
  }, [query, bin]);
  useEffect(load, [load]);

  const act = async (what: string, f: () => Promise<unknown>, done: string, undo?: () => void) => {
    try {
      await f();
      setNote(undo ? { text: done, undo } : { text: done });
      load();
    } catch (err) {
      setNote({ text: `Could not ${what}: ${noteProblem(err).message}` });
    }
  };
  const remove = (p: PipelineSummary) =>
    act(
      "delete",
      () => api.pipelines.delete.mutate({ id: p.id }),
      `Moved "${p.name}" to the bin; its runs are kept.`,
      () => void restore(p),
    );
  const restore = (p: PipelineSummary) => act("restore", () => api.pipelines.undelete.mutate({ id: p.id }), `Restored "${p.name}".`);
  const duplicate = (p: PipelineSummary) => act("duplicate", () => api.pipelines.duplicate.mutate({ id: p.id }), `Duplicated "${p.name}".`);
  const rename = async (p: PipelineSummary, name: string) => {
    const trimmed = name.trim();
    if (!trimmed) return setNote({ text: "A pipeline needs a name." });
    setRenaming(null);
    await act("rename", () => api.pipelines.rename.mutate({ id: p.id, name: trimmed }), `Renamed "${p.name}" to "${trimmed}".`);
    // The open pipeline follows: reloaded when it has no unsaved changes, else renamed in place so the next save keeps the name.
    const s = useEditor.getState();
    if (s.saved.id !== p.id) return;
    if (isDirty(s)) edit((d) => setPipelineFields(d, { name: trimmed }));
    else await openSaved(p.id);
  };

  return (
    <section aria-labelledby="start-saved">
      <h3 id="start-saved">Saved pipelines</h3>
      <div className="saved-tools">
        <input type="search" aria-label="Search saved pipelines" placeholder="Search by name or id" value={query} onChange={(e) => setQuery(e.target.value)} />
        <label className="check">
          <input type="checkbox" checked={bin} onChange={(e) => setBin(e.target.checked)} />
          Show the bin
        </label>
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {note && (
        <p role="status" className="hint">
          {note.text}{" "}
          {note.undo && (
            <button type="button" className="small" onClick={note.undo}>
              Undo
            </button>
          )}
        </p>
      )}
      {rows?.length === 0 && <p className="hint">{bin ? "The bin is empty." : query ? "No saved pipeline matches." : "Nothing saved yet."}</p>}
      <ul className="saved-list" aria-label={bin ? "Deleted pipelines" : "Saved pipelines"}>
        {rows?.map((p) => (
          <li key={p.id} className="version-row">
            {renaming?.id === p.id ? (
              <form
                className="rename-form"
                onSubmit={(e) => {
                  e.preventDefault();
                  void rename(p, renaming.name);
                }}
              >
                <input aria-label={`New name for ${p.name}`} value={renaming.name} onChange={(e) => setRenaming({ id: p.id, name: e.target.value })} />
                <button type="submit" className="small">
                  Save name
                </button>
                <button type="button" className="small" onClick={() => setRenaming(null)}>
                  Cancel
                </button>
              </form>
            ) : (
              <span>
                {bin ? (
                  <strong>{p.name}</strong>
                ) : (
                  <button type="button" className="link" onClick={() => onOpen(p.id)} aria-label={`Open saved pipeline ${p.name}`}>
                    <strong>{p.name}</strong>
                  </button>
                )}
                <span className="muted">
                  {" "}
                  {p.id} · v{p.version} · {when(p.deletedAt ?? p.updatedAt)}
                </span>
              </span>
            )}
            <span className="row-actions">
              {bin ? (
                <button type="button" className="small" onClick={() => void restore(p)} aria-label={`Restore ${p.name}`}>
                  Restore
                </button>
              ) : (
                <>
                  <button type="button" className="small" onClick={() => setRenaming({ id: p.id, name: p.name })} aria-label={`Rename ${p.name}`}>
                    Rename
                  </button>
                  <button type="button" className="small" onClick={() => void duplicate(p)} aria-label={`Duplicate ${p.name}`}>
                    Duplicate
                  </button>
                  <button type="button" className="small danger" onClick={() => void remove(p)} aria-label={`Delete ${p.name}`}>
                    Delete
                  </button>
                </>
              )}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
