import { useState } from "react";
import { api, describeError } from "../api/client.js";
import { brief, deltaText, gateText, num, parseGateLines, pct, verdictText } from "./format.js";
import { openRecordRun } from "./Summary.js";
import { type Comparison, type Experiment, useExperiments } from "./state.js";

/**
 * A/B: a candidate experiment against a baseline over the same dataset version. Per metric the
 * delta with its paired-bootstrap 95 % interval and a verdict; `select-best` win rate when a judge
 * ran; relative gates; per record, both outputs and verdicts, largest disagreement first.
 */
export function Compare() {
  const all = useExperiments((s) => s.experiments);
  const experiments = all.filter((e) => e.status === "completed");
  const [a, setA] = useState("");
  const [b, setB] = useState("");
  const [gates, setGates] = useState("");
  const [result, setResult] = useState<Comparison | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const compare = async () => {
    setBusy(true);
    setProblem(null);
    try {
      const lines = parseGateLines(gates);
      setResult(await api.experiments.compare.query({ a, b, ...(lines.length > 0 ? { gates: lines } : {}) }));
    } catch (err) {
      setResult(null);
      setProblem(describeError(err).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="page-card" aria-labelledby="ex-compare">
      <h2 id="ex-compare">Compare (A/B)</h2>
      {experiments.length < 2 ? (
        <p className="hint">Two completed experiments over the same dataset version can be compared here.</p>
      ) : (
        <>
          <div className="ex-row">
            <ExperimentSelect name="Candidate" value={a} onChange={setA} options={experiments} />
            <ExperimentSelect name="Baseline" value={b} onChange={setB} options={experiments} />
            <label className="ex-grow">
              Relative gates (one per line)
              <textarea rows={1} value={gates} onChange={(e) => setGates(e.target.value)} placeholder="score >= baseline.score - 0.03" spellCheck={false} />
            </label>
            <button type="button" className="primary" disabled={!a || !b || a === b || busy} onClick={() => void compare()}>
              Compare
            </button>
          </div>
          {problem && (
            <p role="alert" className="page-message error">
              {problem}
            </p>
          )}
        </>
      )}
      {result && <ComparisonView c={result} />}
    </section>
  );
}

function ExperimentSelect({ name, value, onChange, options }: { name: string; value: string; onChange: (id: string) => void; options: Experiment[] }) {
  return (
    <label>
      {name}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">Choose…</option>
        {options.map((e) => (
          <option key={e.id} value={e.id}>
            {e.name} ({e.pipelineId} v{e.pipelineVersion})
          </option>
        ))}
      </select>
    </label>
  );
}

function ComparisonView({ c }: { c: Comparison }) {
  return (
    <section className="ex-comparison" aria-label="Comparison">
      <p className="hint">
        {c.records} paired records · {c.resamples.toLocaleString("en-US")} bootstrap resamples (seed {c.seed}) · candidate − baseline
      </p>
      <table className="ex-table" aria-label="Metric deltas">
        <thead>
          <tr>
            <th>Metric</th>
            <th>Candidate</th>
            <th>Baseline</th>
            <th>Delta (95 % CI)</th>
            <th>Verdict</th>
          </tr>
        </thead>
        <tbody>
          {c.metrics.map((d) => {
            const v = verdictText(d.verdict);
            return (
              <tr key={d.metric} className={v === "better" ? "pass" : v === "worse" ? "fail" : undefined}>
                <td>{d.metric}</td>
                <td>{num(d.candidate)}</td>
                <td>{num(d.baseline)}</td>
                <td>{deltaText(d.delta, d.ci)}</td>
                <td>{v}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {c.selectBest && (
        <p>
          Judge's preference (select-best):{" "}
          {c.selectBest.winRate === undefined
            ? "no record could be judged"
            : `candidate wins ${pct(c.selectBest.winRate)} of ${c.selectBest.judged} judged records`}
          {c.selectBest.errors > 0 ? ` · ${c.selectBest.errors} undecided (${c.selectBest.firstError ?? "judge error"})` : ""}
        </p>
      )}
      {c.gates && (
        <ul className="ex-gates" aria-label="Comparison gates">
          {c.gates.map((g, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the same gate may be given twice
            <li key={i} className={g.passed ? "pass" : "fail"}>
              {g.passed ? "✓" : "✗"} {gateText(g)}
            </li>
          ))}
        </ul>
      )}
      <h3>Records that disagree ({c.disagreements.length}), largest difference first</h3>
      {c.disagreements.length === 0 ? (
        <p className="hint">Every record scored the same on both sides.</p>
      ) : (
        <div className="ex-scroll">
          <table className="ex-table" aria-label="Disagreements">
            <thead>
              <tr>
                <th>#</th>
                <th>Score A / B</th>
                <th>Candidate output</th>
                <th>Baseline output</th>
              </tr>
            </thead>
            <tbody>
              {c.disagreements.map((d) => {
                const runs = c.runs[d.index];
                return (
                  <tr key={d.index}>
                    <td>{d.index + 1}</td>
                    <td>
                      {num(d.candidateScore)} / {num(d.baselineScore)}
                    </td>
                    <Side side={d.candidate} runId={runs?.candidate} which="candidate" index={d.index} />
                    <Side side={d.baseline} runId={runs?.baseline} which="baseline" index={d.index} />
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Side({
  side,
  runId,
  which,
  index,
}: {
  side: Comparison["disagreements"][number]["candidate"];
  runId: string | undefined;
  which: string;
  index: number;
}) {
  return (
    <td className={side.pass ? "pass" : "fail"}>
      <span className="ex-verdict">{side.pass ? "✓ pass" : "✗ fail"}</span> <code>{brief(side.output, 160)}</code>
      {side.reasons.length > 0 && <div className="hint">{side.reasons.join("; ")}</div>}
      {runId && (
        <button type="button" className="link" onClick={() => openRecordRun(runId)} aria-label={`Open the ${which} run of record ${index + 1}`}>
          open run
        </button>
      )}
    </td>
  );
}
