import { PipelineGraph, type SpanView } from "@braid/core";
import { useId, useMemo, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import { configFields } from "../doc/schemaFields.js";
import { useEditor } from "../state/store.js";
import { rerunFromNode, shownConfig } from "./actions.js";
import { money, ms, pretty } from "./format.js";
import { ReviewForm } from "./ReviewForm.js";
import { decisionText } from "./review.js";
import { closeDetails, openDetails, runEnded, useTrace } from "./store.js";

/**
 * Everything one node execution was sent and returned: the resolved prompt and system prompt,
 * the tokens as they stream, the raw response, the parsed output, the critique or route result,
 * retries, fallbacks and errors, backend (marked simulated), tokens and cost. From here the node
 * can be re-run, optionally with an edited prompt, reusing everything upstream.
 */
export function NodeDetails() {
  const t = useTrace(
    useShallow((s) => ({
      details: s.details,
      view: s.view,
      rev: s.rev,
      runId: s.runId,
      pipeline: s.pipeline,
      graph: s.graph,
      status: s.view.status,
      only: s.view.only,
      parentRunId: s.view.parentRunId,
      ended: runEnded(s),
    })),
  );
  const backends = useEditor((s) => s.backends);
  // The review the run waits for now, whatever step is shown: deciding is about the run, not the replay position.
  const review = useTrace((s) => s.brief.review);
  const headId = useId();
  if (!t.details || !t.runId) return null;
  const { nodeId } = t.details;
  const node = t.view.nodes[nodeId];
  const spans = (node?.spans ?? []).map((id) => t.view.spans[id]).filter((s): s is SpanView => !!s);
  const span = spans.find((s) => s.span === t.details?.span) ?? spans[spans.length - 1];
  const kind = span?.kind ?? t.pipeline?.nodes.find((n) => n.id === nodeId)?.kind;
  const simulated = span?.backend ? backends?.find((b) => b.name === span.backend)?.simulated : undefined;
  return (
    <aside className="node-details" aria-labelledby={headId}>
      <div className="nd-head">
        <h2 id={headId}>
          Node details: <code>{nodeId}</code>
        </h2>
        <button type="button" className="ghost" onClick={closeDetails} aria-label="Close node details">
          ✕
        </button>
      </div>
      <div className="nd-body" data-rev={t.rev}>
        <p className="nd-kind muted">
          {kind ?? "node"} · run {t.runId}
        </p>
        {t.only && (
          <p className="hint nd-single">
            Single-node run: only <code>{t.only}</code> ran, on {t.parentRunId ? `the upstream outputs of run ${t.parentRunId}` : "the example input"}.
          </p>
        )}
        {spans.length > 1 && (
          <fieldset className="nd-spans" aria-label="Executions">
            {spans.map((s, i) => (
              <button
                key={s.span}
                type="button"
                className={`small ${s === span ? "active" : ""}`}
                aria-pressed={s === span}
                onClick={() => openDetails(nodeId, s.span)}
                aria-label={`Execution ${i + 1} of ${spans.length}`}
              >
                #{i + 1} {s.status === "running" ? "●" : s.status === "failed" ? "✕" : "✓"}
              </button>
            ))}
          </fieldset>
        )}
        {review && review.nodeId === nodeId && <ReviewForm key={`${t.runId}:${review.span}`} runId={t.runId} review={review} />}
        {!span ? (
          <p className="hint">This node has not run{t.status === "running" ? " yet" : " at this step"}.</p>
        ) : (
          <SpanDetails span={span} simulated={simulated} reviewing={review?.span === span.span} />
        )}
        {node && !t.only && <RerunForm key={`${t.runId}:${nodeId}`} nodeId={nodeId} ended={t.ended} />}
      </div>
    </aside>
  );
}

function Block({ label, text, live }: { label: string; text: string | undefined; live?: boolean }) {
  const id = useId();
  if (text === undefined || text === "") return null;
  return (
    <section className="nd-block" aria-labelledby={id}>
      <h3 id={id}>{label}</h3>
      <pre className={live ? "nd-live" : undefined}>
        {text}
        {live && <span className="nd-caret" aria-hidden="true" />}
      </pre>
    </section>
  );
}

function SpanDetails({ span: s, simulated, reviewing }: { span: SpanView; simulated: boolean | undefined; reviewing: boolean }) {
  const waiting = s.status === "running" && s.review !== undefined && s.review.decision === undefined;
  const running = s.status === "running" && !waiting;
  return (
    <>
      <dl className="nd-facts">
        <dt>Status</dt>
        <dd className={`nd-status nd-${waiting ? "waiting" : s.status}`}>
          {waiting ? "waiting for review" : s.status === "ok" ? "ok" : s.status}
          {s.reused && <span className="badge badge-reused">↺ reused from the parent run</span>}
          {s.cached && <span className="badge">cache hit</span>}
          {s.retries.length > 0 && <span className="badge badge-retried">⟳ retried {s.retries.length}×</span>}
        </dd>
        {s.backend && (
          <>
            <dt>Backend</dt>
            <dd>
              {s.backend}
              {s.model && <span className="muted"> · {s.model}</span>}
              {simulated && <span className="badge badge-sim">simulated</span>}
            </dd>
          </>
        )}
        <dt>Latency</dt>
        <dd>{running ? "running…" : waiting ? "—" : ms(s.durationMs)}</dd>
        <dt>Tokens</dt>
        <dd>
          {s.usage.inputTokens} in · {s.usage.outputTokens} out
          {s.usage.estimated ? " (estimated)" : ""}
        </dd>
        <dt>Cost</dt>
        <dd>{money(s.usage.costUsd)}</dd>
        {s.branch !== undefined && (
          <>
            <dt>{s.metrics !== undefined ? "Iteration" : "Decision"}</dt>
            <dd className="nd-decision">
              {s.metrics !== undefined && (
                <>
                  attempt {s.attempt}
                  {s.maxAttempts ? `/${s.maxAttempts}` : ""}
                  {Object.entries(s.metrics).map(([k, v]) => ` · ${k} ${v}`)}
                  {s.passed !== undefined && (s.passed ? " · passed" : " · not passed")} ·{" "}
                </>
              )}
              → <strong>{s.branch}</strong>
              {s.reason && <span>: {s.reason}</span>}
            </dd>
          </>
        )}
      </dl>
      {s.error && (
        <div className="run-error" role="alert">
          <code>{s.error.code}</code> {s.error.message}
        </div>
      )}
      {s.retries.length > 0 && (
        <section className="nd-block">
          <h3>Retries</h3>
          <ul className="nd-list">
            {s.retries.map((r, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: retries are ordered and never reordered
              <li key={i}>
                attempt {r.attempt} on {r.backend}: {r.error} (waited {r.delayMs} ms)
              </li>
            ))}
          </ul>
        </section>
      )}
      {s.fallbacks.length > 0 && (
        <section className="nd-block">
          <h3>Fallbacks</h3>
          <ul className="nd-list">
            {s.fallbacks.map((f, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: fallbacks are ordered and never reordered
              <li key={i}>
                {f.from} → {f.to}: {f.reason}
              </li>
            ))}
          </ul>
        </section>
      )}
      {/* The open review form shows the same message and value; the record is for decided reviews and replay. */}
      {s.review && !reviewing && <ReviewRecord review={s.review} />}
      <Block label="System prompt" text={s.system} />
      <Block label="Resolved prompt" text={s.prompt} />
      <Block label="Streamed tokens" text={s.tokens || (running ? "" : undefined)} live={running} />
      {running && !s.tokens && !s.review && <p className="hint">Waiting for the first tokens…</p>}
      <Block label="Raw response" text={s.raw} />
      <Block label="Parsed output" text={s.status === "ok" ? pretty(s.output) : undefined} />
    </>
  );
}

/** What an approval node showed its reviewer and, once decided, who decided what (replay reads it here). */
function ReviewRecord({ review }: { review: NonNullable<SpanView["review"]> }) {
  const id = useId();
  const decided = decisionText(review);
  return (
    <section className="nd-block" aria-labelledby={id}>
      <h3 id={id}>Review</h3>
      <dl className="nd-facts">
        <dt>Message</dt>
        <dd className="review-message">{review.message}</dd>
        <dt>Decision</dt>
        <dd className="nd-decision">{decided ? <strong>{decided}</strong> : <span className="muted">not decided yet</span>}</dd>
        {review.reviewer && (
          <>
            <dt>Reviewer</dt>
            <dd>{review.reviewer}</dd>
          </>
        )}
        {review.comment && (
          <>
            <dt>Comment</dt>
            <dd>{review.comment}</dd>
          </>
        )}
      </dl>
      {decided && <Block label="Value shown to the reviewer" text={pretty(review.value)} />}
    </section>
  );
}

/** Re-run from this node, with its prompt (and other config) optionally edited first. */
function RerunForm({ nodeId, ended }: { nodeId: string; ended: boolean }) {
  const pipeline = useTrace((s) => s.pipeline);
  const initial = useMemo(() => shownConfig(nodeId) ?? {}, [nodeId]);
  const { prompt: p0, system: s0, ...rest0 } = initial as { prompt?: unknown; system?: unknown };
  const [prompt, setPrompt] = useState(typeof p0 === "string" ? p0 : "");
  const [system, setSystem] = useState(typeof s0 === "string" ? s0 : "");
  const [other, setOther] = useState(JSON.stringify(rest0, null, 2));
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();
  const downstream = useMemo(() => (pipeline ? [...new PipelineGraph(pipeline).downstream(nodeId)] : [nodeId]), [pipeline, nodeId]);
  // The form offers the text fields the node's kind has: its config schema says which.
  const registry = useEditor((s) => s.registry);
  const kindFields = useMemo(() => {
    const kind = registry.get(pipeline?.nodes.find((n) => n.id === nodeId)?.kind ?? "");
    return new Set(kind ? configFields(kind).map((f) => f.key) : []);
  }, [registry, pipeline, nodeId]);
  const hasPrompt = typeof p0 === "string" || kindFields.has("prompt");
  const hasSystem = typeof s0 === "string" || kindFields.has("system");
  const submit = async () => {
    let rest: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(other || "{}");
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("the config must be a JSON object");
      rest = parsed as Record<string, unknown>;
    } catch (err) {
      setProblem(`Config: ${(err as Error).message}`);
      return;
    }
    const config: Record<string, unknown> = { ...rest };
    if (prompt.trim()) config.prompt = prompt;
    if (system.trim()) config.system = system;
    const same =
      JSON.stringify(config) ===
      JSON.stringify({ ...rest0, ...(typeof p0 === "string" ? { prompt: p0 } : {}), ...(typeof s0 === "string" ? { system: s0 } : {}) });
    setBusy(true);
    setProblem(null);
    await rerunFromNode(nodeId, same ? undefined : config);
    setBusy(false);
  };
  return (
    <section className="nd-rerun" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>Re-run from this node</h3>
      <p className="hint">
        Runs <code>{nodeId}</code>
        {downstream.length > 1 ? ` and the ${downstream.length - 1} node${downstream.length === 2 ? "" : "s"} downstream of it` : ""} again. Every other node
        reuses its recorded output: no LLM calls, no cost.
      </p>
      {hasPrompt && (
        <label className="nd-field">
          <span>Prompt</span>
          <textarea value={prompt} onChange={(e) => setPrompt(e.target.value)} rows={3} aria-label="Re-run prompt" spellCheck={false} />
        </label>
      )}
      {hasSystem && (
        <label className="nd-field">
          <span>System prompt</span>
          <textarea value={system} onChange={(e) => setSystem(e.target.value)} rows={2} aria-label="Re-run system prompt" spellCheck={false} />
        </label>
      )}
      <details className="nd-other">
        <summary>Other config (JSON)</summary>
        <textarea value={other} onChange={(e) => setOther(e.target.value)} rows={5} aria-label="Re-run other config (JSON)" spellCheck={false} />
      </details>
      {problem && (
        <p className="run-error" role="alert">
          {problem}
        </p>
      )}
      <button
        type="button"
        className="primary"
        disabled={!ended || busy}
        onClick={() => void submit()}
        aria-label={`Re-run from ${nodeId}`}
        title={ended ? undefined : "Wait for the run to end (or cancel it) first"}
      >
        ↻ Re-run from {nodeId}
      </button>
      {!ended && <p className="hint">Available once the run has ended.</p>}
    </section>
  );
}
