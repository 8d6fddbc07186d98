import { useEffect, useId, useMemo, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import { Modal } from "../dialogs/Modal.js";
import { copyText } from "../share/download.js";
import { isDirty, notify, useEditor } from "../state/store.js";
import { type SnippetLanguage, snippet } from "./snippets.js";
import { tokenRequired } from "./tokenMode.js";

const LANGUAGES: Array<[SnippetLanguage, string]> = [
  ["curl", "curl"],
  ["typescript", "TypeScript"],
  ["python", "Python"],
];

/** "Use it from an app": REST snippets for the saved pipeline, with its example input, ready to copy. */
export function ApiDialog() {
  const s = useEditor(
    useShallow((st) => ({
      id: st.saved.id,
      version: st.saved.version,
      name: st.saved.doc?.name ?? st.doc.name,
      savedDoc: st.saved.doc,
      doc: st.doc,
      dirty: isDirty(st),
    })),
  );
  const [lang, setLang] = useState<SnippetLanguage>("curl");
  const [token, setToken] = useState(false);
  const id = useId();
  useEffect(() => {
    let live = true;
    void tokenRequired().then((t) => live && setToken(t));
    return () => {
      live = false;
    };
  }, []);
  // The API runs the saved version: its example input, not the working copy's.
  const input = (s.savedDoc ?? s.doc).input?.example ?? {};
  const code = useMemo(
    () => (s.id ? snippet(lang, { base: location.origin, pipelineId: s.id, name: s.name, version: s.version, input, token }) : ""),
    [lang, s.id, s.name, s.version, input, token],
  );
  return (
    <Modal title="Use this pipeline from an app" wide>
      {!s.id ? (
        <p role="alert">This pipeline is not saved yet. The REST API runs saved pipelines: save it first (Save, or Ctrl+S), then its snippets show here.</p>
      ) : (
        <>
          <p className="hint">
            Pipeline id <code>{s.id}</code>
            {s.version !== undefined && <> · version {s.version}</>}. Every call runs the latest saved version
            {s.dirty && <strong> (you have unsaved changes: save to use them)</strong>}.
            {token
              ? " This server requires a token: the snippets read it from the BRAID_TOKEN environment variable."
              : " This server needs no token (start it with BRAID_TOKEN to require one)."}{" "}
            <code>GET /api/openapi.json</code> describes every route.
          </p>
          <div role="tablist" aria-label="Language" className="tabs">
            {LANGUAGES.map(([l, label]) => (
              <button
                key={l}
                type="button"
                role="tab"
                id={`${id}-tab-${l}`}
                aria-selected={lang === l}
                aria-controls={`${id}-panel`}
                className={lang === l ? "tab active" : "tab"}
                onClick={() => setLang(l)}
              >
                {label}
              </button>
            ))}
          </div>
          <div role="tabpanel" id={`${id}-panel`} aria-labelledby={`${id}-tab-${lang}`} className="api-panel">
            <div className="modal-actions">
              <button
                type="button"
                onClick={() =>
                  void copyText(code).then((ok) =>
                    notify(
                      ok ? "Snippet copied to the clipboard." : "The browser refused the clipboard: select the code and copy it.",
                      ok ? "success" : "error",
                    ),
                  )
                }
              >
                Copy {LANGUAGES.find(([l]) => l === lang)?.[1]}
              </button>
            </div>
            <textarea
              className="api-code"
              readOnly
              spellCheck={false}
              aria-label={`${LANGUAGES.find(([l]) => l === lang)?.[1]} snippet`}
              value={code}
              rows={Math.min(24, code.split("\n").length)}
            />
          </div>
        </>
      )}
    </Modal>
  );
}
