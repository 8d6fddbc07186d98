import { useEffect, useId, useState } from "react";
import { resumeReview } from "./actions.js";
import { pretty } from "./format.js";
import { type PendingReview, type ReviewFormState, buildResume, fieldOfProblem, initialForm, timeoutText, waitedFor } from "./review.js";

const REVIEWER_KEY = "braid.reviewer.v1";

/** The reviewer's name, remembered in this browser so every decision carries it without retyping. */
export function savedReviewer(): string {
  try {
    return globalThis.localStorage?.getItem(REVIEWER_KEY) ?? "";
  } catch {
    return "";
  }
}

export function saveReviewer(name: string): void {
  try {
    if (name.trim()) globalThis.localStorage?.setItem(REVIEWER_KEY, name.trim());
    else globalThis.localStorage?.removeItem(REVIEWER_KEY);
  } catch {
    // Storage refused (private mode): the name is simply not remembered.
  }
}

/** Re-renders every `ms` so relative times ("for 2 min", "times out in 30 s") stay true. */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

/**
 * Approve / edit / reject a run paused at an approval node: the rendered message, the value
 * under review (an editable JSON field once "Edit value" is pressed, when the node allows it), an
 * optional reviewer name and comment. A refused request (409, 400) shows its message above the
 * buttons and keeps everything typed.
 */
export function ReviewForm({ runId, review }: { runId: string; review: PendingReview }) {
  const [form, setForm] = useState<ReviewFormState>(() => initialForm(review, savedReviewer()));
  const [problem, setProblem] = useState<{ field: string; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const now = useNow();
  const id = useId();
  const patch = (p: Partial<ReviewFormState>) => setForm((f) => ({ ...f, ...p }));

  const send = async (decision: string) => {
    const built = buildResume(runId, review, decision, form);
    if (!built.ok) {
      setProblem({ field: built.field, message: built.message });
      return;
    }
    setBusy(true);
    setProblem(null);
    saveReviewer(form.reviewer);
    const r = await resumeReview(built.request);
    setBusy(false);
    if (!r.ok) setProblem({ field: fieldOfProblem(r.message) ?? "server", message: r.message });
  };

  const timeout = timeoutText(review.timeoutAt, now);
  const canReject = review.decisions.includes("rejected");
  return (
    <section className="review-form" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>Waiting for review</h3>
      <p className="review-message">{review.message}</p>
      <p className="hint">
        Waiting {waitedFor(review.since, now)}
        {timeout && ` · ${timeout}`}
      </p>
      <div className="review-value">
        <span className="review-label" id={`${id}-v`}>
          {form.editing ? "Edited value (JSON)" : "Value under review"}
          {review.reviews && <span className="muted"> · output of {review.reviews}</span>}
        </span>
        {form.editing ? (
          <textarea
            aria-labelledby={`${id}-v`}
            aria-invalid={problem?.field === "value"}
            aria-describedby={problem?.field === "value" ? `${id}-p` : undefined}
            value={form.valueText}
            onChange={(e) => patch({ valueText: e.target.value })}
            rows={Math.min(12, Math.max(4, form.valueText.split("\n").length + 1))}
            spellCheck={false}
          />
        ) : (
          <pre>{review.value === undefined ? "(nothing: this node reviews no output)" : pretty(review.value)}</pre>
        )}
      </div>
      <label className="nd-field">
        <span>Reviewer (optional)</span>
        <input type="text" value={form.reviewer} onChange={(e) => patch({ reviewer: e.target.value })} aria-invalid={problem?.field === "reviewer"} />
      </label>
      <label className="nd-field">
        <span>Comment (optional)</span>
        <textarea value={form.comment} onChange={(e) => patch({ comment: e.target.value })} rows={2} aria-invalid={problem?.field === "comment"} />
      </label>
      {problem && (
        <p className="run-error" role="alert" id={`${id}-p`}>
          {problem.message}
        </p>
      )}
      <div className="review-buttons">
        {form.editing ? (
          <button type="button" className="primary" disabled={busy} onClick={() => void send("approved")} aria-label="Approve with edits">
            ✓ Approve with edits
          </button>
        ) : (
          <button type="button" className="primary" disabled={busy} onClick={() => void send("approved")} aria-label="Approve">
            ✓ Approve
          </button>
        )}
        {canReject && (
          <button type="button" className="danger" disabled={busy} onClick={() => void send("rejected")} aria-label="Reject">
            ✕ Reject
          </button>
        )}
        {review.allowEdit &&
          (form.editing ? (
            <button
              type="button"
              disabled={busy}
              onClick={() => {
                patch({ editing: false, valueText: initialForm(review).valueText });
                if (problem?.field === "value") setProblem(null);
              }}
            >
              Discard edits
            </button>
          ) : (
            <button type="button" disabled={busy} onClick={() => patch({ editing: true })} aria-label="Edit value">
              ✎ Edit value
            </button>
          ))}
      </div>
    </section>
  );
}
