import { exportPipelineJson, encodeShareLink, redactSecrets, stableStringify, toMermaid } from "@braid/core";
import { useReactFlow } from "@xyflow/react";
import { useEffect, useId, useMemo, useRef, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import { api } from "../api/client.js";
import { Modal } from "../dialogs/Modal.js";
import { notify, useEditor } from "../state/store.js";
import { useRunBrief, useTrace } from "../trace/store.js";
import { copyText, saveDataUrl, saveFile } from "./download.js";
import { formatChars, shareUrl } from "./link.js";
import { MermaidPreview } from "./MermaidPreview.js";
import { MIME, downloadName } from "./names.js";
import { canvasPng } from "./png.js";
import { Redactions } from "./Redactions.js";
import { type RunSource, eventsOf, fetchRunEvents, hasExportableRun, overlayFromBrief } from "./runOverlay.js";
import { svgFile } from "./sanitizeSvg.js";
import { projectFolder, redactedForCode, zipProject } from "./codeExport.js";

type Share = { ok: true; url: string; length: number; copied: boolean } | { ok: false; length: number; limit: number };

/**
 * Export: a live Mermaid preview of the working document with its options, copy and downloads
 * (.mmd, .svg, .png, .json), a share link, and — with a run open — the run drawn on the diagram.
 * Every format goes through the engine's redaction first.
 */
export function ExportDialog() {
  const { doc, registry } = useEditor(useShallow((s) => ({ doc: s.doc, registry: s.registry })));
  const run = useRunBrief();
  const rf = useReactFlow();
  const id = useId();
  const [direction, setDirection] = useState<"TD" | "LR">("TD");
  const [showBackends, setShowBackends] = useState(true);
  const [showPrompts, setShowPrompts] = useState(false);
  const [withRun, setWithRun] = useState(false);
  const [runSource, setRunSource] = useState<RunSource | undefined>();
  const [share, setShare] = useState<Share | null>(null);
  const [note, setNote] = useState<string>("");
  const [busy, setBusy] = useState<string | null>(null);
  const svg = useRef<SVGSVGElement | null>(null);
  const canRun = hasExportableRun(run);
  const runId = canRun ? run.runId : undefined;

  // The run's events: from the run view when it keeps them, else from the server, else the folded view.
  // Keyed on the run and its status only: a live run's every event must not start a new fetch.
  const runStatus = run.status;
  // biome-ignore lint/correctness/useExhaustiveDependencies: a status change (running → completed) must fetch the rest of the events
  useEffect(() => {
    if (!withRun || !canRun) {
      setRunSource(undefined);
      return;
    }
    const view = useTrace.getState().brief;
    const current = useEditor.getState().doc;
    const events = eventsOf(view);
    if (events) {
      setRunSource({ events });
      return;
    }
    setRunSource(overlayFromBrief(view, current));
    if (!runId) return;
    let live = true;
    fetchRunEvents(
      (input, h) => api.runs.events.subscribe(input, { onData: (d) => h.onData(d), onError: h.onError, onComplete: () => h.onComplete?.() }),
      runId,
    )
      .then((evs) => {
        if (live && evs.length > 0) setRunSource({ events: evs });
      })
      .catch(() => {
        // Offline or the run is gone: the overlay from the run view stands.
      });
    return () => {
      live = false;
    };
  }, [withRun, canRun, runId, runStatus]);

  // A run is drawn on the pipeline it ran (read from the trace view, never changed here), which may
  // differ from the document when it was edited since or when a stored run is replayed.
  const ranPipeline = useTrace((t) => (t.runId !== undefined && t.runId === runId ? t.pipeline : undefined));
  const runOn = withRun && runSource && ranPipeline ? ranPipeline : doc;
  const ranOther = useMemo(() => runOn !== doc && stableStringify(runOn) !== stableStringify(doc), [runOn, doc]);

  const options = useMemo(
    () => ({ direction, showBackends, showPrompts, registry, ...(withRun && runSource ? { run: runSource } : {}) }),
    [direction, showBackends, showPrompts, registry, withRun, runSource],
  );
  const mermaidText = useMemo(() => toMermaid(runOn, options), [runOn, options]);
  // The preview needs no embedded JSON: smaller text, and well under Mermaid's size limit.
  const previewText = useMemo(() => toMermaid(runOn, { ...options, embed: false }), [runOn, options]);
  // File names and the preview's label come from the redacted document too: a name can hold a pasted key.
  const { redactions, name } = useMemo(() => {
    const r = redactSecrets(doc);
    return { redactions: r.redactions, name: r.value.name };
  }, [doc]);
  const exportRunId = withRun && runSource ? runId : undefined;

  // biome-ignore lint/correctness/useExhaustiveDependencies: a link made for an older document must not be offered
  useEffect(() => setShare(null), [doc]);

  const say = (text: string) => setNote(text);
  const copyMermaid = async () =>
    say((await copyText(mermaidText)) ? "Mermaid copied to the clipboard." : "The browser refused the clipboard: select the text below and copy it.");
  const downloadMmd = () => {
    saveFile(mermaidText, downloadName(name, "mmd", exportRunId), MIME.mmd);
    say(`Downloaded ${downloadName(name, "mmd", exportRunId)}.`);
  };
  const downloadSvg = () => {
    if (!svg.current) return say("The diagram has not rendered yet.");
    saveFile(svgFile(svg.current), downloadName(name, "svg", exportRunId), MIME.svg);
    say(`Downloaded ${downloadName(name, "svg", exportRunId)}.`);
  };
  const downloadJson = () => {
    saveFile(exportPipelineJson(doc).text, downloadName(name, "json"), MIME.json);
    say(`Downloaded ${downloadName(name, "json")}.`);
  };
  const downloadPng = async () => {
    setBusy("png");
    try {
      const url = await canvasPng(rf);
      saveDataUrl(url, downloadName(name, "png"));
      say(`Downloaded ${downloadName(name, "png")} (the canvas).`);
    } catch (err) {
      say(`No PNG: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      setBusy(null);
    }
  };
  const downloadCode = async () => {
    setBusy("code");
    try {
      const { files } = await api.pipelines.codegen.query({ pipeline: redactedForCode(doc) });
      const zip = zipProject(name, files);
      saveFile(new Blob([zip as BlobPart], { type: "application/zip" }), `${projectFolder(name)}.zip`, "application/zip");
      say(`Downloaded ${projectFolder(name)}.zip: a LangGraph.js project (${files.length} files) that runs without Braid; see its README.md.`);
    } catch (err) {
      say(`No code: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      setBusy(null);
    }
  };
  const makeShareLink = async () => {
    const r = encodeShareLink(doc);
    if (!r.ok) {
      setShare({ ok: false, length: r.length, limit: r.limit });
      return;
    }
    const url = shareUrl(window.location, r.fragment);
    const copied = await copyText(url);
    setShare({ ok: true, url, length: r.length, copied });
    if (copied) notify("Share link copied to the clipboard.", "success");
  };

  return (
    <Modal title="Export" wide>
      <div className="export-layout">
        <fieldset className="export-options">
          <legend className="sr-only">Diagram options</legend>
          <div className="segmented" role="radiogroup" aria-label="Direction">
            {(["TD", "LR"] as const).map((d) => (
              <label key={d} className={direction === d ? "on" : ""}>
                <input type="radio" name={`${id}-dir`} value={d} checked={direction === d} onChange={() => setDirection(d)} />
                {d === "TD" ? "Top → down" : "Left → right"}
              </label>
            ))}
          </div>
          <label className="check">
            <input type="checkbox" checked={showBackends} onChange={(e) => setShowBackends(e.target.checked)} />
            Show backends
          </label>
          <label className="check">
            <input type="checkbox" checked={showPrompts} onChange={(e) => setShowPrompts(e.target.checked)} />
            Show prompts
          </label>
          {canRun && (
            <label className="check run-check">
              <input type="checkbox" checked={withRun} onChange={(e) => setWithRun(e.target.checked)} />
              Export this run as a diagram
              <span className="muted">
                {" "}
                ({run.status}
                {run.runId ? ` · ${run.runId}` : ""})
              </span>
            </label>
          )}
        </fieldset>

        {ranOther && <p className="hint export-ran-other">The run used an earlier version of this pipeline: the diagram shows the pipeline as it ran.</p>}

        <MermaidPreview
          text={previewText}
          label={`Diagram of ${name || "the pipeline"}`}
          onRendered={(el) => {
            svg.current = el;
          }}
        />

        <Redactions redactions={redactions} />

        <details className="export-source">
          <summary>Mermaid source</summary>
          <textarea aria-label="Mermaid source" className="code" rows={10} readOnly value={mermaidText} spellCheck={false} />
        </details>

        {share && <ShareResult share={share} onDownloadJson={downloadJson} />}

        <div className="export-actions">
          <output className="export-note" aria-live="polite">
            {note}
          </output>
          <button type="button" onClick={() => void copyMermaid()}>
            Copy Mermaid
          </button>
          <fieldset className="export-downloads">
            <legend className="muted">Download</legend>
            <button type="button" onClick={downloadMmd} aria-label="Download .mmd">
              .mmd
            </button>
            <button type="button" onClick={downloadSvg} aria-label="Download .svg">
              .svg
            </button>
            <button type="button" onClick={() => void downloadPng()} disabled={busy === "png"} aria-label="Download .png" title="The canvas as an image">
              .png
            </button>
            <button type="button" onClick={downloadJson} aria-label="Download .json">
              .json
            </button>
            <button
              type="button"
              onClick={() => void downloadCode()}
              disabled={busy === "code"}
              aria-label="Download code (LangGraph.js project, .zip)"
              title="A standalone TypeScript project with LangGraph.js and LangChain, no Braid needed"
            >
              code .zip
            </button>
          </fieldset>
          <button type="button" className="primary" onClick={() => void makeShareLink()}>
            Share link
          </button>
        </div>
      </div>
    </Modal>
  );
}

function ShareResult({ share, onDownloadJson }: { share: Share; onDownloadJson: () => void }) {
  const id = useId();
  if (!share.ok) {
    return (
      <div className="share-result share-too-long" role="alert">
        <p>
          <strong>This pipeline is too large for a link</strong>: it needs {formatChars(share.length)}, and links over {formatChars(share.limit)} break in some
          browsers and chat apps. Share the pipeline file instead.
        </p>
        <button type="button" onClick={onDownloadJson}>
          Download .json instead
        </button>
      </div>
    );
  }
  return (
    <div className="share-result">
      <label htmlFor={`${id}-url`} className="field-label">
        Share link
      </label>
      <div className="share-url-row">
        <input id={`${id}-url`} className="code" readOnly value={share.url} onFocus={(e) => e.currentTarget.select()} />
        <button type="button" onClick={() => void copyText(share.url)}>
          Copy link
        </button>
      </div>
      <p className="hint">
        {share.copied ? "Copied. " : ""}The pipeline travels inside the link ({formatChars(share.length)}); nothing is stored on a server, and secrets are left
        out.
      </p>
    </div>
  );
}
