import type { RunEvent } from "@braid/core";

/**
 * A run paused at an approval node, as its reviewer sees it: the node_waiting event's content.
 * The run on screen reads it from its events (`pendingReview`), the "Waiting for review" list
 * from the server's `runs.waiting`; both forms build the same resume request here.
 */
export interface PendingReview {
  nodeId: string;
  span: string;
  message: string;
  reviews?: string;
  /** The output under review (absent when the node reviews nothing). */
  value?: unknown;
  allowEdit: boolean;
  decisions: string[];
  timeoutAt?: number;
  /** When the node started waiting (epoch ms). */
  since: number;
}

/** The server's bounds for the free-text fields (runs.resume), checked before sending so nothing typed is lost to a 400. */
export const REVIEW_TEXT_MAX = 2000;

/** The review a run waits for now: the last node_waiting of a run whose latest event is run_waiting. */
export function pendingReview(events: readonly RunEvent[]): PendingReview | undefined {
  const last = events[events.length - 1];
  if (last?.type !== "run_waiting") return undefined;
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e?.type !== "node_waiting" || e.nodeId !== last.nodeId) continue;
    return {
      nodeId: e.nodeId,
      span: e.span,
      message: e.message,
      ...(e.reviews !== undefined ? { reviews: e.reviews } : {}),
      value: e.value,
      allowEdit: e.allowEdit,
      decisions: e.decisions,
      ...(e.timeoutAt !== undefined ? { timeoutAt: e.timeoutAt } : {}),
      since: e.at,
    };
  }
  return undefined;
}

/** What the reviewer filled in. `valueText` is only sent when `editing` (and the node allows edits). */
export interface ReviewFormState {
  editing: boolean;
  valueText: string;
  reviewer: string;
  comment: string;
}

export const initialForm = (review: PendingReview, reviewer = ""): ReviewFormState => ({
  editing: false,
  valueText: review.value === undefined ? "" : JSON.stringify(review.value, null, 2),
  reviewer,
  comment: "",
});

export interface ResumeRequest {
  runId: string;
  node: string;
  decision: string;
  value?: unknown;
  reviewer?: string;
  comment?: string;
}

export type ResumeBuild = { ok: true; request: ResumeRequest } | { ok: false; field: "value" | "reviewer" | "comment" | "decision"; message: string };

/**
 * The runs.resume request for a decision, or the reason it cannot be sent (named by field, as
 * the server names it). An edited value must be JSON; it goes with `approved` only, since a
 * rejected output is not used downstream as edited.
 */
export function buildResume(runId: string, review: PendingReview, decision: string, form: ReviewFormState): ResumeBuild {
  if (!review.decisions.includes(decision))
    return { ok: false, field: "decision", message: `decision: "${decision}" is not one of ${review.decisions.join(", ")}` };
  const request: ResumeRequest = { runId, node: review.nodeId, decision };
  if (form.editing && review.allowEdit && decision === "approved") {
    const parsed = parseValue(form.valueText);
    if (!parsed.ok) return { ok: false, field: "value", message: `Edited value: ${parsed.message}` };
    request.value = parsed.value;
  }
  const reviewer = form.reviewer.trim();
  const comment = form.comment.trim();
  if (reviewer.length > REVIEW_TEXT_MAX) return { ok: false, field: "reviewer", message: `Reviewer: at most ${REVIEW_TEXT_MAX} characters` };
  if (comment.length > REVIEW_TEXT_MAX) return { ok: false, field: "comment", message: `Comment: at most ${REVIEW_TEXT_MAX} characters` };
  if (reviewer) request.reviewer = reviewer;
  if (comment) request.comment = comment;
  return { ok: true, request };
}

/** The form field a server refusal is about: E_REVIEW_INVALID messages start with the field's name. */
export function fieldOfProblem(message: string): "value" | "reviewer" | "comment" | "decision" | undefined {
  const m = /^(value|reviewer|comment|decision):/.exec(message);
  return m ? (m[1] as "value" | "reviewer" | "comment" | "decision") : undefined;
}

/** The edited text as JSON, with the parser's own reason when it is not. */
export function parseValue(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  if (text.trim() === "") return { ok: false, message: "empty; enter JSON (for example null, a string in quotes, or an object)" };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, message: `not valid JSON (${(err as Error).message})` };
  }
}

/** "for 3 min", "for 2 h": how long a run has waited. */
export function waitedFor(since: number, now: number): string {
  return `for ${span(Math.max(0, now - since))}`;
}

/** "times out in 40 s", or "timing out" once due (the server takes the timeout branch). */
export function timeoutText(timeoutAt: number | undefined, now: number): string | undefined {
  if (timeoutAt === undefined) return undefined;
  const left = timeoutAt - now;
  return left <= 0 ? "timing out" : `times out in ${span(left)}`;
}

function span(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 86_400_000) return `${+(ms / 3_600_000).toFixed(1)} h`;
  return `${+(ms / 86_400_000).toFixed(1)} d`;
}

/** The message cut to one line of `max` characters, for the list. */
export function excerpt(message: string, max = 90): string {
  const line = message.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** The decision line of a decided review, for replay: "approved by Ann: looks fine". */
export function decisionText(r: { decision?: string; reviewer?: string; comment?: string }): string | undefined {
  if (r.decision === undefined) return undefined;
  return `${r.decision}${r.reviewer ? ` by ${r.reviewer}` : r.decision === "timeout" ? " (nobody decided in time)" : ""}${r.comment ? `: “${r.comment}”` : ""}`;
}
