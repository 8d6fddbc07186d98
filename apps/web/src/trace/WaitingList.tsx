import { useEffect, useId, useState } from "react";
import { api } from "../api/client.js";
import { noteOnline, noteProblem } from "../state/server.js";
import { openRun, resumeReview } from "./actions.js";
import { clock, shortId } from "./format.js";
import { saveReviewer, savedReviewer, useNow } from "./ReviewForm.js";
import { buildResume, excerpt, initialForm, timeoutText, waitedFor } from "./review.js";
import { useTrace } from "./store.js";

type Waiting = Awaited<ReturnType<typeof api.runs.waiting.query>>[number];

/** How often the list asks again while it is shown: reviews arrive from other tabs, the API and the CLI. */
const POLL_MS = 5000;

/**
 * Every run waiting for a review, across pipelines, newest first: where it waits, the message,
 * since when and its timeout. Open shows the run (with the full form, edits included); Approve and
 * Reject decide here without edits.
 */
export function WaitingList() {
  const historyRev = useTrace((s) => s.historyRev);
  const [rows, setRows] = useState<Waiting[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const [reviewer, setReviewer] = useState(savedReviewer);
  const now = useNow(POLL_MS);
  const id = useId();

  // biome-ignore lint/correctness/useExhaustiveDependencies: historyRev, reload and now are refresh triggers
  useEffect(() => {
    let live = true;
    api.runs.waiting
      .query({ limit: 200 })
      .then((r) => {
        if (!live) return;
        noteOnline();
        setRows(r);
        setError(null);
      })
      .catch((err) => live && setError(noteProblem(err).message));
    return () => {
      live = false;
    };
  }, [historyRev, reload, now]);

  return (
    <section className="waiting-list" aria-labelledby={`${id}-h`}>
      <div className="history-bar">
        <h3 id={`${id}-h`} className="sr-only">
          Runs waiting for review
        </h3>
        <label className="waiting-reviewer">
          <span>Your name (sent with decisions)</span>
          <input type="text" value={reviewer} onChange={(e) => setReviewer(e.target.value)} onBlur={() => saveReviewer(reviewer)} />
        </label>
        <button type="button" className="small" onClick={() => setReload((n) => n + 1)}>
          Refresh
        </button>
      </div>
      {error && (
        <p className="run-error" role="alert">
          {error}
        </p>
      )}
      {rows === null && !error && <p className="hint">Loading…</p>}
      {rows && rows.length === 0 && <p className="hint">No run is waiting for a review. Runs paused at an approval node appear here.</p>}
      {rows && rows.length > 0 && (
        <ul className="waiting-rows" aria-label="Runs waiting for review">
          {rows.map((w) => (
            <WaitingRow key={`${w.runId}:${w.span}`} w={w} now={now} reviewer={reviewer} onDecided={() => setReload((n) => n + 1)} />
          ))}
        </ul>
      )}
    </section>
  );
}

function WaitingRow({ w, now, reviewer, onDecided }: { w: Waiting; now: number; reviewer: string; onDecided: () => void }) {
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const current = useTrace((s) => s.runId === w.runId);
  const pipeline = w.pipelineName ?? w.pipelineId ?? "unsaved pipeline";
  const timeout = timeoutText(w.timeoutAt, now);
  const decide = async (decision: string) => {
    const built = buildResume(w.runId, w, decision, { ...initialForm(w), reviewer });
    if (!built.ok) {
      setProblem(built.message);
      return;
    }
    saveReviewer(reviewer);
    setBusy(true);
    setProblem(null);
    const r = await resumeReview(built.request);
    setBusy(false);
    if (r.ok) onDecided();
    else setProblem(r.message);
  };
  return (
    <li className="waiting-row" aria-label={`${pipeline} waits at ${w.nodeId}`}>
      <div className="waiting-what">
        <strong>{pipeline}</strong> · <code>{w.nodeId}</code>
        <span className="muted">
          {" "}
          · run {shortId(w.runId)}
          {current && " (shown)"} · since {clock(w.since)} ({waitedFor(w.since, now)}){timeout && ` · ${timeout}`}
        </span>
        <div className="waiting-message" title={w.message}>
          {excerpt(w.message)}
        </div>
        {problem && (
          <p className="run-error" role="alert">
            {problem}
          </p>
        )}
      </div>
      <div className="waiting-actions">
        <button type="button" className="small" onClick={() => openRun(w.runId)} aria-label={`Open run ${w.runId}`}>
          Open
        </button>
        <button
          type="button"
          className="small primary"
          disabled={busy}
          onClick={() => void decide("approved")}
          aria-label={`Approve ${w.nodeId} of run ${w.runId}`}
        >
          Approve
        </button>
        {w.decisions.includes("rejected") && (
          <button
            type="button"
            className="small danger"
            disabled={busy}
            onClick={() => void decide("rejected")}
            aria-label={`Reject ${w.nodeId} of run ${w.runId}`}
          >
            Reject
          </button>
        )}
      </div>
    </li>
  );
}
