import type { Pipeline } from "@braid/core";
import type { Change } from "diff";
import { useEffect, useState } from "react";
import { describeError } from "../api/client.js";
import { type LoadedRun, loadRun } from "./actions.js";
import { type NodeComparison, type NodeSide, type RunComparison, compareRuns } from "./compare.js";
import { money, ms, shortId } from "./format.js";
import { TraceModal } from "./TraceModal.js";

function DiffView({ changes, label }: { changes: Change[]; label: string }) {
  return (
    <section aria-label={label}>
      <pre className="diff">
        {changes.map((c, i) =>
          c.added ? (
            // biome-ignore lint/suspicious/noArrayIndexKey: a diff's parts are ordered and never reordered
            <ins key={i}>{c.value}</ins>
          ) : c.removed ? (
            // biome-ignore lint/suspicious/noArrayIndexKey: a diff's parts are ordered and never reordered
            <del key={i}>{c.value}</del>
          ) : (
            // biome-ignore lint/suspicious/noArrayIndexKey: a diff's parts are ordered and never reordered
            <span key={i}>{c.value}</span>
          ),
        )}
      </pre>
    </section>
  );
}

const cell = (s: NodeSide | undefined, f: (s: NodeSide) => string) => (s ? f(s) : "—");

function delta(a: number | undefined, b: number | undefined, fmt: (n: number) => string) {
  if (a === undefined || b === undefined || a === b) return null;
  const d = b - a;
  return (
    <span className={d > 0 ? "delta-up" : "delta-down"}>
      {" "}
      ({d > 0 ? "+" : "−"}
      {fmt(Math.abs(d))})
    </span>
  );
}

function NodeRow({ c }: { c: NodeComparison }) {
  const changed = !c.outputSame || !c.promptSame || c.a?.status !== c.b?.status || c.a?.branch !== c.b?.branch;
  return (
    <details className={`cmp-node ${changed ? "cmp-changed" : ""}`} open={changed && (!c.outputSame || !c.promptSame)} aria-label={`Node ${c.nodeId}`}>
      <summary>
        <code className="cmp-id">{c.nodeId}</code>
        <span className="cmp-cell">
          {cell(c.a, (s) => s.status + (s.reused ? " (reused)" : ""))} → {cell(c.b, (s) => s.status + (s.reused ? " (reused)" : ""))}
        </span>
        <span className="cmp-cell">
          {cell(c.a, (s) => ms(s.durationMs))} → {cell(c.b, (s) => ms(s.durationMs))}
        </span>
        <span className="cmp-cell">
          {cell(c.a, (s) => `${s.tokens} tok`)} → {cell(c.b, (s) => `${s.tokens} tok`)}
          {delta(c.a?.tokens, c.b?.tokens, (n) => `${n}`)}
        </span>
        <span className="cmp-cell">
          {cell(c.a, (s) => money(s.costUsd))} → {cell(c.b, (s) => money(s.costUsd))}
        </span>
        <span className="cmp-flags">
          {(c.a?.branch !== undefined || c.b?.branch !== undefined) && (
            <span className={c.a?.branch !== c.b?.branch ? "badge badge-bad" : "badge"}>
              {c.a?.branch ?? "—"} → {c.b?.branch ?? "—"}
            </span>
          )}
          {!c.promptSame && <span className="badge badge-warn">prompt differs</span>}
          {!c.outputSame && <span className="badge badge-warn">output differs</span>}
          {!changed && <span className="muted">same</span>}
        </span>
      </summary>
      <div className="cmp-diffs">
        {!c.promptSame && (
          <div>
            <h4>Prompt</h4>
            <DiffView changes={c.promptDiff} label={`Prompt diff for ${c.nodeId}`} />
          </div>
        )}
        {!c.outputSame && (
          <div>
            <h4>Output</h4>
            <DiffView changes={c.outputDiff} label={`Output diff for ${c.nodeId}`} />
          </div>
        )}
        {c.promptSame && c.outputSame && <p className="muted">Same prompt and the same output.</p>}
      </div>
    </details>
  );
}

/** Two runs side by side, node by node. Both are loaded with their own graphs and events. */
export function CompareDialog({ a, b }: { a: string; b: string }) {
  const [state, setState] = useState<{ cmp: RunComparison; ra: LoadedRun; rb: LoadedRun } | { error: string } | null>(null);
  useEffect(() => {
    let live = true;
    Promise.all([loadRun(a), loadRun(b)])
      .then(([ra, rb]) => {
        if (!live) return;
        const cmp = compareRuns(
          { runId: a, pipeline: ra.info.pipeline as Pipeline, items: ra.items },
          { runId: b, pipeline: rb.info.pipeline as Pipeline, items: rb.items },
        );
        setState({ cmp, ra, rb });
      })
      .catch((err) => live && setState({ error: describeError(err).message }));
    return () => {
      live = false;
    };
  }, [a, b]);
  return (
    <TraceModal title={`Compare runs ${shortId(a)} and ${shortId(b)}`} wide>
      {!state && <p className="hint">Loading both runs…</p>}
      {state && "error" in state && (
        <p className="run-error" role="alert">
          {state.error}
        </p>
      )}
      {state && "cmp" in state && (
        <div className="compare">
          {differentPipelines(state.ra, state.rb) && (
            <p className="hint compare-warning" role="note" aria-label="Different pipelines">
              ⚠ These runs are of different pipelines: A ran {pipelineLabel(state.ra)}, B ran {pipelineLabel(state.rb)}. Nodes are matched by id, so differences
              may come from the pipelines rather than the runs.
            </p>
          )}
          <table className="cmp-totals">
            <caption className="sr-only">Totals</caption>
            <thead>
              <tr>
                <th>Run</th>
                <th>Status</th>
                <th>Duration</th>
                <th>Tokens</th>
                <th>Cost</th>
                <th>Lineage</th>
              </tr>
            </thead>
            <tbody>
              {[
                { r: state.ra, t: state.cmp.totals.a, name: "A" },
                { r: state.rb, t: state.cmp.totals.b, name: "B" },
              ].map(({ r, t, name }) => (
                <tr key={name}>
                  <td>
                    <strong>{name}</strong> <code>{r.info.id}</code>
                  </td>
                  <td>{t.status}</td>
                  <td>{ms(t.durationMs)}</td>
                  <td>{t.tokens}</td>
                  <td>{money(t.costUsd)}</td>
                  <td className="muted">
                    {r.info.parentRunId
                      ? `${r.info.fromNode ? `re-run from ${r.info.fromNode}` : "fork"} of ${shortId(r.info.parentRunId)}`
                      : r.info.pipelineVersion !== undefined
                        ? `version ${r.info.pipelineVersion}`
                        : ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <section aria-label="Final output">
            <h3>Final output {state.cmp.outputSame ? <span className="muted">— the same</span> : <span className="badge badge-warn">differs</span>}</h3>
            {!state.cmp.outputSame && <DiffView changes={state.cmp.outputDiff} label="Final output diff" />}
          </section>
          <section aria-label="Path taken">
            <h3>Path taken {state.cmp.pathSame ? <span className="muted">— the same</span> : <span className="badge badge-warn">differs</span>}</h3>
            {!state.cmp.pathSame && (
              <div className="cmp-paths">
                {[state.cmp.pathA, state.cmp.pathB].map((p, i) => {
                  const other = new Set(i === 0 ? state.cmp.pathB : state.cmp.pathA);
                  return (
                    <ul key={i === 0 ? "a" : "b"} aria-label={`Path of run ${i === 0 ? "A" : "B"}`}>
                      {p.map((e) => (
                        <li key={e} className={other.has(e) ? "" : "cmp-only"}>
                          {e}
                        </li>
                      ))}
                    </ul>
                  );
                })}
              </div>
            )}
          </section>
          <section aria-label="Nodes">
            <h3>Node by node (A → B)</h3>
            {state.cmp.nodes.map((c) => (
              <NodeRow key={c.nodeId} c={c} />
            ))}
          </section>
        </div>
      )}
    </TraceModal>
  );
}

/** Two runs of different saved pipelines, or of unsaved documents with different names. */
function differentPipelines(a: LoadedRun, b: LoadedRun): boolean {
  if (a.info.pipelineId || b.info.pipelineId) return a.info.pipelineId !== b.info.pipelineId;
  return (a.info.pipeline as Pipeline).name !== (b.info.pipeline as Pipeline).name;
}

function pipelineLabel(r: LoadedRun): string {
  const name = `“${(r.info.pipeline as Pipeline).name}”`;
  return r.info.pipelineId ? `${name} (${r.info.pipelineId}${r.info.pipelineVersion !== undefined ? ` v${r.info.pipelineVersion}` : ""})` : `${name} (unsaved)`;
}
