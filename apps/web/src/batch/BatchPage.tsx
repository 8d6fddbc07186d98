import { type DragEvent, useEffect, useRef } from "react";
import { useShallow } from "zustand/react/shallow";
import "../styles/batch.css";
import { isDirty, useEditor } from "../state/store.js";
import { fmtBytes, fmtCost, fmtCount, fmtDuration, fmtRate, fmtTime, fmtTokens, inputKind, isAcceptedFile, percent } from "./format.js";
import { PageHeader, PageMessage } from "../components/PageChrome.js";
import { closeBatchPage, useBatchOpen } from "./route.js";
import { type BatchView, cancelBatch, follow, loadPipelines, loadRecent, openBatch, resumeBatch, startBatch, stopFollowing, useBatchPage } from "./state.js";

/** The Batch page (`#/batch`): run a saved pipeline over a file of inputs. Renders nothing elsewhere. */
export function BatchPage() {
  return useBatchOpen() ? <Page /> : null;
}

function Page() {
  const savedId = useEditor((s) => s.saved.id);
  useEffect(() => {
    void loadPipelines(savedId);
    void loadRecent();
    return () => {
      stopFollowing();
      useBatchPage.setState({ message: null });
    };
  }, [savedId]);
  const message = useBatchPage((s) => s.message);
  const current = useBatchPage((s) => s.current);

  // A file dropped anywhere on the page is the inputs file (and never the designer's pipeline import).
  const hasFiles = (e: DragEvent) => e.dataTransfer.types.includes("Files");
  return (
    <section
      className="app-page batch-page"
      aria-labelledby="bt-title"
      onDragOver={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = "copy";
        if (!useBatchPage.getState().dragging) useBatchPage.setState({ dragging: true });
      }}
      onDragLeave={(e) => {
        if (e.currentTarget.contains(e.relatedTarget as Node | null)) return;
        useBatchPage.setState({ dragging: false });
      }}
      onDrop={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        useBatchPage.setState({ dragging: false });
        takeFile(e.dataTransfer.files[0]);
      }}
    >
      <PageHeader
        id="bt-title"
        title="Batch"
        hint="Run a saved pipeline once per input: upload JSONL (one input per line) or CSV with a header row. Results stream to disk on the server; bad rows are reported with their line numbers and never stop the batch."
      >
        <button type="button" onClick={closeBatchPage}>
          ← Back to the designer
        </button>
      </PageHeader>
      <PageMessage message={message} onDismiss={() => useBatchPage.setState({ message: null })} />
      <div className="bt-grid">
        <div className="bt-main">
          {current && <BatchDetail batch={current} />}
          <StartForm />
        </div>
        <RecentBatches />
      </div>
    </section>
  );
}

function takeFile(f: File | undefined): void {
  if (!f) return;
  if (!isAcceptedFile(f.name)) {
    useBatchPage.setState({ message: { kind: "error", text: `"${f.name}" is not a .jsonl or .csv file` } });
    return;
  }
  useBatchPage.setState({ file: f, message: null });
}

function StartForm() {
  const { pipelines, pipelineId, file, concurrency, seed, starting } = useBatchPage(
    useShallow((s) => ({ pipelines: s.pipelines, pipelineId: s.pipelineId, file: s.file, concurrency: s.concurrency, seed: s.seed, starting: s.starting })),
  );
  const doc = useEditor(useShallow((s) => ({ name: s.doc.name, savedId: s.saved.id, dirty: isDirty(s) })));
  const dragging = useBatchPage((s) => s.dragging);
  const picker = useRef<HTMLInputElement>(null);
  const set = useBatchPage.setState;

  // The note is about the designer's document: it applies only until another saved pipeline is chosen.
  const unsaved = (!doc.savedId || doc.dirty) && (!pipelineId || pipelineId === doc.savedId);
  const canStart = !!pipelineId && !!file && !starting && concurrency >= 1 && seed >= 0;

  return (
    <form
      className="page-card bt-form"
      aria-label="Start a batch"
      onSubmit={(e) => {
        e.preventDefault();
        if (canStart) void startBatch();
      }}
    >
      <h2>Start a batch</h2>
      {unsaved && (
        <p className="bt-note" role="note">
          {doc.savedId
            ? `“${doc.name}” has unsaved changes: save the pipeline first to run this version, or pick a saved pipeline below.`
            : `“${doc.name}” is not saved yet: save the pipeline first to run it as a batch, or pick a saved pipeline below.`}
        </p>
      )}
      <div className="bt-fields">
        <label className="bt-field bt-pipeline">
          <span>Pipeline</span>
          <select
            aria-label="Pipeline"
            value={pipelineId}
            onChange={(e) => set({ pipelineId: e.target.value })}
            disabled={!pipelines || pipelines.length === 0}
          >
            <option value="">{pipelines === null ? "Loading…" : pipelines.length === 0 ? "No saved pipelines" : "Choose a saved pipeline…"}</option>
            {pipelines?.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name} ({p.id} · v{p.version})
              </option>
            ))}
          </select>
        </label>
        <label className="bt-field bt-num">
          <span>Concurrency</span>
          <input
            type="number"
            aria-label="Concurrency"
            min={1}
            max={1024}
            step={1}
            value={concurrency}
            onChange={(e) => set({ concurrency: Math.max(1, Math.min(1024, Math.floor(Number(e.target.value) || 1))) })}
          />
        </label>
        <label className="bt-field bt-num">
          <span>Seed</span>
          <input
            type="number"
            aria-label="Seed"
            min={0}
            step={1}
            value={seed}
            onChange={(e) => set({ seed: Math.max(0, Math.floor(Number(e.target.value) || 0)) })}
            title="Record i runs with seed + i, so a batch is reproducible"
          />
        </label>
      </div>
      <div className={`bt-drop${dragging ? " over" : ""}${file ? " has-file" : ""}`}>
        <input
          ref={picker}
          type="file"
          className="sr-only"
          accept=".jsonl,.ndjson,.json,.csv,application/x-ndjson,text/csv"
          aria-label="Inputs file (.jsonl or .csv)"
          onChange={(e) => {
            takeFile(e.target.files?.[0]);
            e.target.value = "";
          }}
        />
        {file ? (
          <span className="bt-file" aria-live="polite">
            <strong>{file.name}</strong> · {fmtBytes(file.size)} · {inputKind(file) === "csv" ? "CSV" : "JSONL"}
          </span>
        ) : (
          <span className="hint">Drop a .jsonl or .csv file here, or</span>
        )}
        <button type="button" onClick={() => picker.current?.click()}>
          {file ? "Choose another file…" : "Choose a file…"}
        </button>
        {file && (
          <button type="button" className="link" onClick={() => set({ file: null })} aria-label="Remove the file">
            Remove
          </button>
        )}
      </div>
      <div className="bt-form-actions">
        <button type="submit" className="primary" disabled={!canStart}>
          {starting ? "Starting…" : "▶ Start batch"}
        </button>
        {!pipelineId && <span className="hint">Choose a pipeline.</span>}
        {pipelineId && !file && <span className="hint">Add an inputs file.</span>}
      </div>
    </form>
  );
}

const STATUS_LABEL: Record<BatchView["status"], string> = {
  running: "Running",
  completed: "Finished",
  cancelled: "Cancelled",
  interrupted: "Interrupted",
  failed: "Failed",
};

function Links({ batch }: { batch: BatchView }) {
  const base = `/api/batches/${encodeURIComponent(batch.id)}`;
  return (
    <span className="bt-links">
      <a href={`${base}/results`} download={`${batch.id}.results.jsonl`}>
        Download results
      </a>
      <a href={`${base}/errors`} download={`${batch.id}.errors.jsonl`}>
        Download errors
      </a>
    </span>
  );
}

function BatchDetail({ batch }: { batch: BatchView }) {
  const p = batch.progress;
  const s = batch.summary;
  const running = batch.status === "running";
  // Done means finished: records read but still running are neither done nor in the cost so far,
  // so "14 / 14" shows the final cost, from the same totals as the summary.
  const seen = (p?.seen ?? s?.seen ?? 0) - (running ? (p?.running ?? 0) : 0);
  const failures = (p?.failed ?? s?.failed ?? 0) + (p?.badRows ?? s?.badRows ?? 0);
  const pct = running ? percent(seen, batch.total) : batch.status === "completed" ? 100 : percent(seen, batch.total);
  return (
    <section className="page-card bt-detail" aria-labelledby="bt-detail-title">
      <header className="bt-detail-head">
        <h2 id="bt-detail-title">
          {batch.pipelineName} <span className="bt-id">{batch.id}</span>
        </h2>
        <output className={`status-pill ${batch.status}`} aria-label="Batch status">
          {STATUS_LABEL[batch.status]}
        </output>
      </header>
      <div
        className="bt-bar"
        role="progressbar"
        aria-label="Batch progress"
        aria-valuemin={0}
        aria-valuemax={batch.total}
        aria-valuenow={seen}
        aria-valuetext={`${seen} of ${batch.total}`}
      >
        <div className={`bt-bar-fill ${batch.status}`} style={{ width: `${pct}%` }} />
      </div>
      <dl className="bt-stats" aria-label="Progress">
        <Stat label="Done" value={`${fmtCount(seen)} / ${fmtCount(batch.total)}`} />
        <Stat label="Rate" value={fmtRate(p?.rate ?? s?.rate)} />
        <Stat
          label={running ? "ETA" : "Elapsed"}
          value={running ? (p?.etaMs === undefined ? "estimating…" : fmtDuration(p.etaMs)) : fmtDuration(s?.elapsedMs ?? p?.elapsedMs)}
        />
        <Stat label="Failures" value={fmtCount(failures)} tone={failures > 0 ? "bad" : undefined} />
        <Stat label="Cost so far" value={fmtCost(s?.usage.costUsd ?? p?.costUsd)} />
        {running && <Stat label="Running now" value={fmtCount(p?.running)} />}
      </dl>
      <div className="bt-detail-actions">
        {running && (
          <button type="button" className="danger" onClick={() => void cancelBatch(batch.id)}>
            ■ Cancel batch
          </button>
        )}
        {(batch.status === "cancelled" || batch.status === "interrupted") && (
          <button type="button" className="primary" onClick={() => void resumeBatch(batch.id)}>
            ↻ Resume batch
          </button>
        )}
        <Links batch={batch} />
      </div>
      {batch.error && (
        <p role="alert" className="page-message error">
          The batch failed: {batch.error.message}
        </p>
      )}
      {s && !running && <Summary batch={batch} />}
    </section>
  );
}

/** `wide`: a figure of two values ("424 ms / 1.2 s") takes two cells, so it is never cut. */
function Stat({ label, value, tone, wide }: { label: string; value: string; tone?: "bad" | undefined; wide?: boolean }) {
  return (
    <div className={`bt-stat${tone ? ` ${tone}` : ""}${wide ? " wide" : ""}`}>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

function Summary({ batch }: { batch: BatchView }) {
  const s = batch.summary;
  const badRows = useBatchPage((st) => st.badRows);
  if (!s) return null;
  const nodes = Object.entries(s.nodes);
  return (
    <section className="bt-summary" aria-labelledby="bt-summary-title">
      <h3 id="bt-summary-title">Summary</h3>
      <dl className="bt-totals" aria-label="Totals">
        <Stat label="OK" value={fmtCount(s.ok)} />
        <Stat label="Failed" value={fmtCount(s.failed)} tone={s.failed > 0 ? "bad" : undefined} />
        <Stat label="Bad rows" value={fmtCount(s.badRows)} tone={s.badRows > 0 ? "bad" : undefined} />
        {s.resumed > 0 && <Stat label="Resumed" value={fmtCount(s.resumed)} />}
        {s.resumed > 0 && <Stat label="Ran now" value={fmtCount(s.ran)} />}
        <Stat label="Wall time" value={fmtDuration(s.elapsedMs)} />
        <Stat wide label="Record p50 / p95" value={`${fmtDuration(s.durationMs.p50)} / ${fmtDuration(s.durationMs.p95)}`} />
        <Stat wide label="Tokens in / out" value={`${fmtTokens(s.usage.inputTokens)} / ${fmtTokens(s.usage.outputTokens)}`} />
        <Stat label="Cost" value={`${fmtCost(s.usage.costUsd)}${s.usage.estimated ? " (est.)" : ""}`} />
      </dl>
      {nodes.length > 0 && (
        <table className="bt-table">
          <caption>Time per node</caption>
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col">Calls</th>
              <th scope="col">p50</th>
              <th scope="col">p95</th>
              <th scope="col">max</th>
            </tr>
          </thead>
          <tbody>
            {nodes.map(([id, l]) => (
              <tr key={id}>
                <th scope="row">{id}</th>
                <td>{fmtCount(l.count)}</td>
                <td>{fmtDuration(l.p50)}</td>
                <td>{fmtDuration(l.p95)}</td>
                <td>{fmtDuration(l.max)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {s.failures.length > 0 && (
        <table className="bt-table">
          <caption>Failed records</caption>
          <thead>
            <tr>
              <th scope="col">Reason</th>
              <th scope="col">Count</th>
              <th scope="col">Lines</th>
            </tr>
          </thead>
          <tbody>
            {s.failures.map((f) => (
              <tr key={`${f.code}:${f.message}`}>
                <td>
                  <code>{f.code}</code> {f.message}
                </td>
                <td>{fmtCount(f.count)}</td>
                <td>
                  {f.lines.join(", ")}
                  {f.count > f.lines.length ? ", …" : ""}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {s.badRows > 0 && (
        <table className="bt-table" aria-label="Bad rows">
          <caption>Bad rows (skipped; in the errors file)</caption>
          <thead>
            <tr>
              <th scope="col">Line</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {(badRows ?? s.badRowLines.map((line) => ({ line, code: "", message: "…" }))).map((b) => (
              <tr key={b.line}>
                <td>{"endLine" in b && b.endLine !== undefined ? `${b.line}–${b.endLine}` : `line ${b.line}`}</td>
                <td>
                  {b.code && <code>{b.code}</code>} {b.message}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function RecentBatches() {
  const recent = useBatchPage((s) => s.recent);
  const currentId = useBatchPage((s) => s.current?.id);
  return (
    <section className="page-card bt-recent" aria-labelledby="bt-recent-title">
      <header className="bt-recent-head">
        <h2 id="bt-recent-title">Recent batches</h2>
        <button type="button" className="link" onClick={() => void loadRecent()} aria-label="Refresh recent batches">
          Refresh
        </button>
      </header>
      {recent.length === 0 ? (
        <p className="hint">No batches yet.</p>
      ) : (
        <ul className="bt-recent-list">
          {recent.map((b) => {
            const seen = b.summary?.seen ?? b.progress?.seen ?? 0;
            return (
              <li key={b.id} className={b.id === currentId ? "current" : undefined}>
                <button
                  type="button"
                  className="bt-recent-item"
                  aria-current={b.id === currentId ? "true" : undefined}
                  aria-label={`Show batch ${b.id}: ${b.pipelineName}, ${STATUS_LABEL[b.status].toLowerCase()}, ${seen} of ${b.total}`}
                  onClick={() => (b.id === currentId ? follow(b) : void openBatch(b.id))}
                >
                  <span className="bt-recent-name">{b.pipelineName}</span>
                  <span className={`status-pill small ${b.status}`}>{STATUS_LABEL[b.status]}</span>
                  <span className="bt-recent-meta">
                    {fmtCount(seen)} / {fmtCount(b.total)} · {fmtTime(b.createdAt)}
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
