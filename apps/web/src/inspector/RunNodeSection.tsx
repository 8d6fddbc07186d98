import { useEffect, useId, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import { api } from "../api/client.js";
import { noteOnline, noteProblem } from "../state/server.js";
import { useEditor } from "../state/store.js";
import { openDetails, type RunSummary, useRunBusy, useTrace, watchRun } from "../trace/store.js";

const EXAMPLE = "example";

/**
 * "Run this node": the node alone, on the example input or on the upstream outputs a past run of
 * this pipeline recorded; nothing upstream or downstream runs. The result opens in node details.
 */
export function RunNodeSection({ nodeId }: { nodeId: string }) {
  const { doc, pipelineId } = useEditor(useShallow((s) => ({ doc: s.doc, pipelineId: s.saved.id })));
  const historyRev = useTrace((s) => s.historyRev);
  const busy = useRunBusy();
  const [runs, setRuns] = useState<RunSummary[]>([]);
  const [source, setSource] = useState(EXAMPLE);
  const [problem, setProblem] = useState<{ message: string; code?: string } | null>(null);
  const [starting, setStarting] = useState(false);
  const id = useId();

  // Past runs that recorded outputs: this saved pipeline's, or, for an unsaved one, those of the same name.
  // biome-ignore lint/correctness/useExhaustiveDependencies: historyRev is a refresh trigger (a run ended)
  useEffect(() => {
    let live = true;
    api.runs.list
      .query({ limit: 50, ...(pipelineId ? { pipelineId } : {}) })
      .then((list) => {
        if (!live) return;
        setRuns(list.filter((r) => r.status !== "queued" && !r.options?.onlyNode && (pipelineId || r.pipelineName === doc.name)));
      })
      .catch(() => {
        if (live) setRuns([]);
      });
    return () => {
      live = false;
    };
  }, [pipelineId, doc.name, historyRev]);

  const run = async () => {
    setStarting(true);
    setProblem(null);
    try {
      const fromRun = source === EXAMPLE ? undefined : source;
      const r = await api.runs.runNode.mutate({ nodeId, pipeline: doc, ...(pipelineId ? { pipelineId } : {}), ...(fromRun ? { fromRun } : {}) });
      noteOnline();
      watchRun(r.runId, { graph: "doc", pipeline: doc });
      openDetails(nodeId);
    } catch (err) {
      const p = noteProblem(err);
      setProblem({ message: p.offline ? "The server cannot be reached." : p.message, ...(p.braidCode ? { code: p.braidCode } : {}) });
    } finally {
      setStarting(false);
    }
  };

  return (
    <section className="run-node" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`} className="field-label">
        Run this node
      </h3>
      <p className="hint">Runs only this node, without the rest of the graph; the result opens in node details.</p>
      <label className="field" htmlFor={`${id}-src`}>
        <span className="field-label">Upstream outputs from</span>
        <select id={`${id}-src`} value={source} onChange={(e) => setSource(e.target.value)}>
          <option value={EXAMPLE}>the example input</option>
          {runs.map((r) => (
            <option key={r.id} value={r.id}>
              run {r.id.slice(-6)} · {r.status} · {new Date(r.createdAt).toLocaleTimeString()}
            </option>
          ))}
        </select>
      </label>
      {problem && (
        <p className="run-error" role="alert">
          {problem.code && <code>{problem.code}</code>} {problem.message}
        </p>
      )}
      <button
        type="button"
        className="small primary"
        disabled={busy || starting}
        onClick={() => void run()}
        title={busy ? "Wait for the run on screen to end first" : undefined}
      >
        {/* The icon is not in the name: "▶ Run" stays the toolbar's button alone. */}
        <span aria-hidden="true">▶ </span>Run this node
      </button>
    </section>
  );
}
