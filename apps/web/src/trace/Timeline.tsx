import type { SpanView } from "@braid/core";
import { useMemo } from "react";
import { useShallow } from "zustand/react/shallow";
import { ms } from "./format.js";
import { openDetails, setHover, useTrace } from "./store.js";

const LANE_HEIGHT = 26;

interface Bar {
  span: SpanView;
  left: number;
  width: number;
  end: number;
}

/**
 * Each node execution as a span on a time axis. Overlapping spans (parallel branches) sit on
 * separate lanes, as the engine's view assigns them; every loop iteration is its own span.
 * Hovering a span highlights its node on the canvas; a click opens the node's details.
 */
export function Timeline() {
  const { view, items, step, rev, hover, selected } = useTrace(
    useShallow((s) => ({ view: s.view, items: s.items, step: s.step, rev: s.rev, hover: s.hover, selected: s.details?.span })),
  );
  // biome-ignore lint/correctness/useExhaustiveDependencies: the view is mutated in place; rev says when it changed
  const layout = useMemo(() => {
    const spans = view.order.map((id) => view.spans[id]).filter((s): s is SpanView => !!s);
    const t0 = view.startedAt ?? spans[0]?.startedAt ?? 0;
    // "Now" is the time of the event at the step shown, so a replay draws exactly what was known then.
    const now = items[step - 1]?.event.at ?? t0;
    const ends = spans.map((s) => s.finishedAt ?? now);
    const tEnd = Math.max(t0 + 1, now, ...ends);
    const total = tEnd - t0;
    const bars: Bar[] = spans.map((s, i) => {
      const end = ends[i] as number;
      return { span: s, left: ((s.startedAt - t0) / total) * 100, width: (Math.max(end - s.startedAt, 0) / total) * 100, end };
    });
    return { bars, total, lanes: Math.max(view.lanes, 1), t0 };
  }, [view, items, step, rev]);

  if (layout.bars.length === 0) return <p className="hint">Each node execution appears here as a span on a time axis while the run goes.</p>;
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return (
    <div className="timeline">
      <div className="tl-axis" aria-hidden="true">
        {ticks.map((f) => (
          <span key={f} style={{ left: `${f * 100}%` }}>
            {ms(layout.total * f)}
          </span>
        ))}
      </div>
      <ul className="tl-lanes" aria-label="Timeline" style={{ height: layout.lanes * LANE_HEIGHT + 4 }}>
        {Array.from({ length: layout.lanes }, (_, lane) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: lanes are positions
          <li key={`lane${lane}`} className="tl-lane-bg" style={{ top: lane * LANE_HEIGHT }} aria-hidden="true" />
        ))}
        {layout.bars.map(({ span: s, left, width, end }) => {
          const iteration = s.span.split("#").pop();
          const label = `${s.nodeId}${iteration && iteration !== "1" ? ` #${iteration}` : ""}`;
          const waiting = s.status === "running" && s.review !== undefined && s.review.decision === undefined;
          const state = waiting ? "waiting" : s.status === "running" ? "running" : s.status === "failed" ? "failed" : s.reused ? "reused" : "ok";
          return (
            <li key={s.span} className="tl-item" style={{ top: lane(s) * LANE_HEIGHT, left: `${left}%`, width: `max(${width}%, 3px)` }}>
              <button
                type="button"
                className={`tl-span tl-${state}${hover === s.nodeId ? " tl-hover" : ""}${selected === s.span ? " tl-selected" : ""}`}
                aria-label={`Span ${label}: ${state}${s.durationMs !== undefined ? `, ${ms(s.durationMs)}` : ""}, lane ${lane(s) + 1}`}
                data-lane={lane(s)}
                data-start={s.startedAt - layout.t0}
                data-end={end - layout.t0}
                data-node={s.nodeId}
                onMouseEnter={() => setHover(s.nodeId)}
                onMouseLeave={() => setHover(null)}
                onFocus={() => setHover(s.nodeId)}
                onBlur={() => setHover(null)}
                onClick={() => openDetails(s.nodeId, s.span)}
                title={`${label} · ${state}${s.durationMs !== undefined ? ` · ${ms(s.durationMs)}` : ""}`}
              >
                <span className="tl-label">
                  {label}
                  {s.durationMs !== undefined && <span className="tl-dur"> {ms(s.durationMs)}</span>}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

const lane = (s: SpanView) => s.lane;
