import { GATE_METRICS, checkGate, evaluationOf } from "@braid/core";
import { useEffect, useState } from "react";
import { type BackendView, type PipelineSummary, api } from "../api/client.js";
import { parseGateLines } from "./format.js";
import { fail, startExperiment, useExperiments } from "./state.js";

type Versions = Awaited<ReturnType<typeof api.pipelines.versions.query>>;

/**
 * The start form: a saved pipeline version, a dataset version, evaluators (the pipeline's own
 * `evaluation` section unless replaced), concurrency, seed, backend and optional gates.
 */
export function NewExperiment() {
  const datasets = useExperiments((s) => s.datasets);
  const [pipelines, setPipelines] = useState<PipelineSummary[]>([]);
  const [backends, setBackends] = useState<BackendView[]>([]);
  const [pipelineId, setPipelineId] = useState("");
  const [versions, setVersions] = useState<Versions>([]);
  const [version, setVersion] = useState(0);
  const [section, setSection] = useState<{ evaluators: unknown[]; gates: string[] }>({ evaluators: [], gates: [] });
  const [datasetId, setDatasetId] = useState("");
  const [dsVersions, setDsVersions] = useState<number[]>([]);
  const [dsVersion, setDsVersion] = useState(0);
  const [evaluators, setEvaluators] = useState("");
  const [concurrency, setConcurrency] = useState("4");
  const [seed, setSeed] = useState("1");
  const [backend, setBackend] = useState("");
  const [gates, setGates] = useState("");
  const [gateError, setGateError] = useState<string | null>(null);

  useEffect(() => {
    api.pipelines.list.query().then(setPipelines, fail);
    api.backends.list.query().then(setBackends, fail);
  }, []);
  useEffect(() => {
    if (!pipelineId) return setVersions([]);
    api.pipelines.versions.query({ id: pipelineId }).then((v) => {
      setVersions(v);
      setVersion(Math.max(0, ...v.map((x) => x.version)));
    }, fail);
  }, [pipelineId]);
  useEffect(() => {
    if (!pipelineId || !version) return;
    api.pipelines.get.query({ id: pipelineId, version }).then((p) => {
      const s = evaluationOf(p.pipeline);
      setSection({ evaluators: s.evaluators, gates: s.gates });
    }, fail);
  }, [pipelineId, version]);
  useEffect(() => {
    if (!datasetId) return setDsVersions([]);
    api.datasets.get.query({ id: datasetId, preview: 0 }).then((d) => {
      setDsVersions(d.versions.map((v) => v.version));
      setDsVersion(d.current.version);
    }, fail);
  }, [datasetId]);

  const start = () => {
    setGateError(null);
    let extra: unknown;
    if (evaluators.trim()) {
      try {
        extra = JSON.parse(evaluators);
      } catch (err) {
        return setGateError(`Evaluators: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
      }
    }
    const lines = parseGateLines(gates);
    // Checked as the server's gates route checks them, before anything runs; the server checks again on completion.
    for (const g of lines) {
      try {
        checkGate(g, { metrics: GATE_METRICS, baseline: false });
      } catch (err) {
        return setGateError(err instanceof Error ? err.message : String(err));
      }
    }
    void startExperiment(
      {
        pipelineId,
        pipelineVersion: version,
        datasetId,
        datasetVersion: dsVersion,
        useEvaluationSection: section.evaluators.length > 0,
        ...(extra !== undefined ? { evaluators: extra } : {}),
        concurrency: Number(concurrency),
        seed: Number(seed),
        ...(backend ? { backend } : {}),
      },
      lines,
    );
  };
  return (
    <section className="page-card" aria-labelledby="ex-new">
      <h2 id="ex-new">New experiment</h2>
      <div className="ex-form">
        <label>
          Pipeline
          <select value={pipelineId} onChange={(e) => setPipelineId(e.target.value)}>
            <option value="">Choose a saved pipeline…</option>
            {pipelines.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Pipeline version
          <select value={version} onChange={(e) => setVersion(Number(e.target.value))}>
            {versions.map((v) => (
              <option key={v.version} value={v.version}>
                v{v.version}
              </option>
            ))}
          </select>
        </label>
        <label>
          Dataset
          <select value={datasetId} onChange={(e) => setDatasetId(e.target.value)}>
            <option value="">Choose a dataset…</option>
            {datasets.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Dataset version
          <select value={dsVersion} onChange={(e) => setDsVersion(Number(e.target.value))}>
            {dsVersions.map((v) => (
              <option key={v} value={v}>
                v{v}
              </option>
            ))}
          </select>
        </label>
        <label>
          Concurrency
          <input type="number" min={1} value={concurrency} onChange={(e) => setConcurrency(e.target.value)} />
        </label>
        <label>
          Seed
          <input type="number" min={0} value={seed} onChange={(e) => setSeed(e.target.value)} />
        </label>
        <label>
          Backend
          <select value={backend} onChange={(e) => setBackend(e.target.value)}>
            <option value="">As the pipeline says</option>
            {backends.map((b) => (
              <option key={b.name} value={b.name}>
                {b.name}
                {b.simulated ? " (simulated)" : ""}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="ex-evaluators">
        <strong>The pipeline's evaluators:</strong>{" "}
        {!pipelineId ? (
          <span className="hint">choose a pipeline to see its `evaluation` section.</span>
        ) : section.evaluators.length === 0 ? (
          <span className="hint">none (this version has no `evaluation` section): give some below.</span>
        ) : (
          <ul>
            {section.evaluators.map((e) => (
              <li key={JSON.stringify(e)}>
                <code>{JSON.stringify(e)}</code>
              </li>
            ))}
            {section.gates.map((g) => (
              <li key={g}>
                gate <code>{g}</code>
              </li>
            ))}
          </ul>
        )}
      </div>
      <label className="ex-block">
        Extra evaluators (JSON list)
        <textarea
          rows={3}
          value={evaluators}
          onChange={(e) => setEvaluators(e.target.value)}
          placeholder='[{"type": "critique-pass"}, {"type": "latency", "value": 5000}]'
          spellCheck={false}
        />
      </label>
      <label className="ex-block">
        Gates (one per line)
        <textarea rows={2} value={gates} onChange={(e) => setGates(e.target.value)} placeholder="score >= 0.8" spellCheck={false} />
      </label>
      {gateError && (
        <p role="alert" className="page-message error">
          {gateError}
        </p>
      )}
      <button type="button" className="primary" disabled={!pipelineId || !datasetId || !version || !dsVersion} onClick={start}>
        Start experiment
      </button>
    </section>
  );
}
