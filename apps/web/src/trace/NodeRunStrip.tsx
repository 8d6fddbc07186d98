import { memo } from "react";
import { money, ms, tokens } from "./format.js";
import type { NodeOverlay } from "./session.js";
import { openDetails } from "./store.js";

const STATUS: Record<NodeOverlay["status"], string> = { idle: "not run", running: "running", ok: "ok", failed: "failed" };

/** The run on one canvas node: status badge, latency, tokens and cost, a critique's attempts and score, a route's branch. */
function NodeRunStripView({ id, o }: { id: string; o: NodeOverlay }) {
  const status = o.status === "ok" && o.retried ? "retried" : STATUS[o.status];
  if (o.waiting) return <WaitingStrip id={id} />;
  return (
    <div className={`bn-run bn-run-${o.status}`}>
      <div className="bn-run-line">
        <span className={`run-badge run-badge-${o.status}${o.retried ? " run-badge-retried" : ""}`}>
          {o.status === "running" ? "●" : o.status === "ok" ? "✓" : o.status === "failed" ? "✕" : "○"} {status}
        </span>
        {o.executions > 1 && <span className="bn-run-fact">×{o.executions}</span>}
        {o.status === "running" && o.streamed > 0 && <span className="bn-run-fact">{o.streamed} chars streamed</span>}
        {o.status !== "running" && o.status !== "idle" && (
          <span className="bn-run-fact" title="Time, tokens and cost over all visits">
            {ms(o.durationMs)} · {tokens(o.tokens)} · {money(o.costUsd)}
            {o.estimated ? " est." : ""}
          </span>
        )}
        <button
          type="button"
          className="bn-run-details nodrag"
          onClick={(e) => {
            e.stopPropagation();
            openDetails(id);
          }}
          aria-label={`Run details for ${id}`}
          title="What this node was sent and returned"
        >
          details
        </button>
      </div>
      {(o.reused || o.cached || o.attempts !== undefined || o.branch !== undefined || o.error) && (
        <div className="bn-run-line">
          {o.reused && <span className="badge badge-reused">↺ reused</span>}
          {o.cached && <span className="badge">cached</span>}
          {o.retried && o.status === "ok" && <span className="badge badge-retried">⟳ retried</span>}
          {o.attempts !== undefined && (
            <span className="bn-run-fact bn-run-critique">
              attempt {o.attempts}/{o.maxAttempts ?? "?"}
              {o.metrics && Object.entries(o.metrics).map(([k, v]) => ` · ${k} ${Math.round(v * 100) / 100}`)}
              {o.passed !== undefined && (o.passed ? " · passed" : " · not yet")}
            </span>
          )}
          {o.branch !== undefined && o.attempts === undefined && <span className="bn-run-fact">→ {o.branch}</span>}
          {o.error && (
            <span className="bn-run-error" title={o.error}>
              {o.error.length > 60 ? `${o.error.slice(0, 59)}…` : o.error}
            </span>
          )}
        </div>
      )}
    </div>
  );
}

/** A node the run is paused at: the review form opens in node details beside the canvas. */
function WaitingStrip({ id }: { id: string }) {
  return (
    <div className="bn-run bn-run-waiting">
      <div className="bn-run-line">
        <span className="run-badge run-badge-waiting">❚❚ Waiting for review</span>
        <button
          type="button"
          className="bn-run-details bn-run-review nodrag"
          onClick={(e) => {
            e.stopPropagation();
            openDetails(id);
          }}
          aria-label={`Review ${id}`}
          title="Approve, edit or reject what this node holds"
        >
          Review…
        </button>
      </div>
    </div>
  );
}

export const NodeRunStrip = memo(NodeRunStripView);
