import { Handle, type NodeProps, Position, useUpdateNodeInternals } from "@xyflow/react";
import { createContext, memo, useContext, useEffect, useLayoutEffect, useRef } from "react";
import type { BraidFlowNode } from "../doc/derive.js";
import { NodeRunStrip } from "../trace/NodeRunStrip.js";
import { useTrace } from "../trace/store.js";
import { KindIcon } from "./KindIcon.js";
import { kindColour } from "./kindColour.js";

const BRANCH_WIDTH = 78;
const MIN_WIDTH = 230;
const RUN_MARK = { idle: "○", running: "●", ok: "✓", failed: "✕" } as const;

/**
 * True while the canvas is zoomed out below COMPACT_ZOOM (state/fit.ts). The canvas reads the zoom
 * with one boolean selector on React Flow's store, so nodes re-render when it crosses the
 * threshold, never per pan or zoom frame.
 */
export const CompactContext = createContext(false);

/** One canvas node for every kind: icon, label, backend badge and the config essentials. */
function BraidNodeView({ id, data, selected }: NodeProps<BraidFlowNode>) {
  const { node, branches } = data;
  // The run reaches a node through its own slice only: a token streamed elsewhere does not render it.
  const run = useTrace((s) => s.overlays[id]);
  const hovered = useTrace((s) => s.hover === id);
  const updateNodeInternals = useUpdateNodeInternals();
  const branchKey = branches?.join("\u0000") ?? "";
  // Handles follow the branches: React Flow must re-measure them when they change. Not on mount:
  // React Flow measures new nodes itself, and a call per node would cost a pass per node.
  const mounted = useRef(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: branchKey is the trigger
  useEffect(() => {
    if (mounted.current) updateNodeInternals(id);
    mounted.current = true;
  }, [id, branchKey, updateNodeInternals]);

  const compact = useContext(CompactContext);
  // The full card's height, kept so the compact form takes the same box (edges and layout do not jump).
  const box = useRef<HTMLDivElement>(null);
  const fullHeight = useRef<number | undefined>(undefined);
  useLayoutEffect(() => {
    if (!compact && box.current) fullHeight.current = box.current.offsetHeight;
  });

  const label = node.label?.trim() ? node.label : node.id;
  const summary = data.summary;
  const width = Math.max(MIN_WIDTH, (branches?.length ?? 0) * BRANCH_WIDTH);
  const cls = [
    "bn",
    data.severity ? `bn-${data.severity}` : "",
    selected ? "bn-selected" : "",
    run ? `bn-st-${run.waiting ? "waiting" : run.status}` : "",
    hovered ? "bn-hover" : "",
  ];

  if (compact) {
    // Zoomed out: kind icon, label and status in type big enough to read at this zoom.
    return (
      <div
        className={[...cls, "bn-compact"].filter(Boolean).join(" ")}
        style={{ width, minHeight: fullHeight.current, ...kindColour(data.colour) }}
        title={`${label} (${data.title} · ${node.id})`}
      >
        {data.hasTarget && <Handle type="target" position={Position.Top} />}
        <KindIcon icon={data.icon} title={data.title} className="bn-compact-icon" />
        <span className="bn-compact-label">{label}</span>
        {(run || data.severity) && (
          <span
            className={`bn-compact-status bn-compact-${run?.waiting ? "waiting" : (run?.status ?? data.severity)}`}
            role="img"
            aria-label={run ? (run.waiting ? "waiting for review" : run.status) : (data.severity as string)}
          >
            {run ? (run.waiting ? "❚❚" : RUN_MARK[run.status]) : data.severity === "error" ? "!" : "?"}
          </span>
        )}
        {branches
          ? branches.map((b, i) => (
              <Handle key={b} id={b} type="source" position={Position.Bottom} style={{ left: `${((i + 0.5) / branches.length) * 100}%` }} />
            ))
          : data.hasSource && <Handle type="source" position={Position.Bottom} />}
      </div>
    );
  }

  return (
    <div
      ref={box}
      className={cls.filter(Boolean).join(" ")}
      style={{ width, ...kindColour(data.colour) }}
      title={data.problems.length ? data.problems.join("\n") : undefined}
    >
      {data.hasTarget && <Handle type="target" position={Position.Top} role="button" aria-label={`Connect to ${node.id}`} />}
      <div className="bn-head">
        <KindIcon icon={data.icon} title={data.title} />
        <span className="bn-titles">
          <span className="bn-label">{label}</span>
          <span className="bn-sub">
            {data.title} · <span className="bn-id">{node.id}</span>
          </span>
        </span>
        {data.severity && (
          <span
            className={`bn-flag bn-flag-${data.severity}`}
            role="img"
            aria-label={`${data.problems.length} ${data.severity === "error" ? "error" : "warning"}${data.problems.length === 1 ? "" : "s"}`}
          >
            {data.severity === "error" ? "!" : "?"}
          </span>
        )}
      </div>
      {summary.excerpt && <div className="bn-excerpt">{summary.excerpt}</div>}
      {summary.facts.length > 0 && (
        <ul className="bn-facts">
          {summary.facts.map((f) => (
            <li key={f}>{f}</li>
          ))}
        </ul>
      )}
      {data.backend && (
        <div className="bn-badges">
          <span className={`badge ${data.backend.known ? "" : "badge-bad"}`}>⚙ {data.backend.name}</span>
          {data.backend.simulated && <span className="badge badge-sim">simulated</span>}
          {!data.backend.known && <span className="badge badge-bad">unknown backend</span>}
        </div>
      )}
      {run && <NodeRunStrip id={id} o={run} />}
      {branches ? (
        <div className="bn-branches">
          {branches.map((b, i) => {
            const left = `${((i + 0.5) / branches.length) * 100}%`;
            return (
              <div key={b} className={`bn-branch bn-branch-${/^[a-z]+$/.test(b) ? b : "x"}`} style={{ left }}>
                <span className="bn-branch-label">{b}</span>
                <Handle id={b} type="source" position={Position.Bottom} style={{ left: "50%" }} role="button" aria-label={`Connect from ${node.id}: ${b}`} />
              </div>
            );
          })}
        </div>
      ) : (
        data.hasSource && <Handle type="source" position={Position.Bottom} role="button" aria-label={`Connect from ${node.id}`} />
      )}
    </div>
  );
}

export const BraidNode = memo(BraidNodeView);
