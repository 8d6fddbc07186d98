import { AUDIT_ACTIONS } from "@braid/core";
import { useEffect, useState } from "react";
import "../styles/experiments.css";
import { PageHeader, PageMessage } from "../components/PageChrome.js";
import { type PipelineSummary, api } from "../api/client.js";
import { BarFigure } from "../experiments/Charts.js";
import { ms, pct } from "../experiments/format.js";
import { closeExperimentsPage, openExperimentsPage } from "../experiments/route.js";
import { Optimizer } from "./Optimizer.js";
import { Policy } from "./Policy.js";
import { SuggestionEvidence, Suggestions } from "./Suggestions.js";
import { type VersionMetrics, act, reload, useDeployments, useDeploymentsOpen } from "./state.js";

type LiveVersionMetrics = VersionMetrics["live"];

/**
 * Deployments (`#/deployments`): per pipeline, its versions with the `live` and `candidate` tags,
 * the traffic split and policy, live metrics per version, pending approvals, the optimizer's
 * cycles and the audit trail. Renders nothing elsewhere.
 */
export function DeploymentsPage() {
  return useDeploymentsOpen() ? <Page /> : null;
}

function Page() {
  const [pipelines, setPipelines] = useState<PipelineSummary[]>([]);
  const pipelineId = useDeployments((s) => s.pipelineId);
  const message = useDeployments((s) => s.message);
  useEffect(() => {
    api.pipelines.list.query().then(setPipelines, () => setPipelines([]));
    void reload();
    return () => useDeployments.setState({ message: null });
  }, []);
  return (
    <section className="app-page ex-page" aria-labelledby="dp-title">
      <PageHeader
        id="dp-title"
        title="Deployments"
        hint="Tag the version REST callers get (live) and the one on trial (candidate); the optimizer sends canary traffic, checks the gates on live metrics, rolls back or asks for approval, and records why."
      >
        <div className="ex-row">
          <button type="button" onClick={openExperimentsPage}>
            Experiments
          </button>
          <button type="button" onClick={closeExperimentsPage}>
            ← Back to the designer
          </button>
        </div>
      </PageHeader>
      <PageMessage message={message} onDismiss={() => useDeployments.setState({ message: null })} />
      <div className="ex-row">
        <label>
          Pipeline
          <select
            value={pipelineId}
            onChange={(e) => {
              useDeployments.setState({ pipelineId: e.target.value, message: null });
              void reload();
            }}
          >
            <option value="">Choose a saved pipeline…</option>
            {pipelines.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="ex-grid">
        <div className="ex-col">
          <Optimizer />
          {pipelineId && <Policy key={pipelineId} />}
        </div>
        <div className="ex-col ex-wide">{pipelineId && <PipelineView />}</div>
      </div>
    </section>
  );
}

function PipelineView() {
  return (
    <>
      <Versions />
      <Metrics />
      <Pending />
      <Suggestions />
      <Audit />
    </>
  );
}

function Versions() {
  const d = useDeployments((s) => s.deployment);
  if (!d) return null;
  const id = d.pipelineId;
  return (
    <section className="page-card" aria-labelledby="dp-versions">
      <div className="ex-row ex-spread">
        <h2 id="dp-versions">Versions</h2>
        {d.candidate !== undefined && (
          <button
            type="button"
            className="small primary"
            onClick={() => void act(`Version ${d.candidate} is live.`, () => api.deployments.promote.mutate({ pipelineId: id }))}
          >
            Promote candidate v{d.candidate}
          </button>
        )}
      </div>
      <p className="hint">
        REST runs get v{d.liveVersion}
        {d.live === undefined ? " (the latest: nothing is tagged live)" : ""}
        {d.candidate !== undefined ? `; the candidate v${d.candidate} gets the canary share when the policy is on.` : "."}
      </p>
      <table className="ex-table" aria-label="Versions">
        <thead>
          <tr>
            <th>Version</th>
            <th>Saved</th>
            <th>Tags</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {d.versions.map((v) => (
            <tr key={v.version}>
              <td>
                v{v.version} {v.message ? <span className="hint">· {v.message}</span> : null}
              </td>
              <td>{new Date(v.createdAt).toLocaleString()}</td>
              <td>
                {v.tags.map((t) => (
                  <span key={t} className={`status-pill ${t === "live" ? "completed" : "running"}`}>
                    {t}
                  </span>
                ))}
              </td>
              <td>
                {!v.tags.includes("live") && (
                  <button
                    type="button"
                    className="small"
                    aria-label={`Make v${v.version} live`}
                    onClick={() => void act(`Version ${v.version} is live.`, () => api.deployments.restore.mutate({ pipelineId: id, version: v.version }))}
                  >
                    Make live
                  </button>
                )}{" "}
                {v.tags.includes("candidate") ? (
                  <button
                    type="button"
                    className="small"
                    aria-label={`Untag candidate v${v.version}`}
                    onClick={() => void act("The candidate tag is removed.", () => api.deployments.untag.mutate({ pipelineId: id, tag: "candidate" }))}
                  >
                    Untag candidate
                  </button>
                ) : (
                  !v.tags.includes("live") && (
                    <button
                      type="button"
                      className="small"
                      aria-label={`Tag v${v.version} as candidate`}
                      onClick={() =>
                        void act(`Version ${v.version} is the candidate.`, () =>
                          api.deployments.tag.mutate({ pipelineId: id, tag: "candidate", version: v.version }),
                        )
                      }
                    >
                      Tag candidate
                    </button>
                  )
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Metrics() {
  const m = useDeployments((s) => s.metrics);
  if (!m) return null;
  const rows = [["live", m.live], ...(m.candidate ? [["candidate", m.candidate] as const] : [])] as const;
  return (
    <section className="page-card" aria-labelledby="dp-metrics">
      <div className="ex-row ex-spread">
        <h2 id="dp-metrics">Live metrics</h2>
        <button type="button" className="small" onClick={() => void reload()}>
          Refresh
        </button>
      </div>
      <p className="hint">
        REST runs in the window (last {m.live.window.runs} runs, last {Math.round(m.live.window.ms / 60000)} min).
      </p>
      <table className="ex-table" aria-label="Live metrics">
        <thead>
          <tr>
            <th>Version</th>
            <th>Runs</th>
            <th>Error rate</th>
            <th>p50 / p95</th>
            <th>Cost per 1,000</th>
            <th>Critique pass rate</th>
            <th>Online score</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([tag, v]) => (
            <tr key={tag}>
              <td>
                {tag} v{v.version}
              </td>
              <td>{v.runs}</td>
              <td>{pct(v.errorRate)}</td>
              <td>
                {ms(v.p50LatencyMs)} / {ms(v.p95LatencyMs)}
              </td>
              <td>${v.costPer1k.toFixed(4)}</td>
              <td>{v.critiquePassRate === undefined ? "—" : pct(v.critiquePassRate)}</td>
              <td>
                {v.score === undefined ? "—" : `${v.score.toFixed(3)} over ${v.onlineRuns} runs`}
                {v.onlineErrors > 0 ? <span className="hint"> ({v.onlineErrors} not scored)</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <OnlinePassRates rows={rows} />
      <div className="ex-charts">
        <BarFigure
          title="Online score by version"
          data={rows.map(([tag, v]) => ({ label: `${tag} v${v.version}`, count: Math.round((v.score ?? 0) * 1000) / 1000 }))}
          unit="score"
        />
        <BarFigure
          title="p95 latency by version (ms)"
          data={rows.map(([tag, v]) => ({ label: `${tag} v${v.version}`, count: Math.round(v.p95LatencyMs) }))}
          unit="ms"
        />
        <BarFigure
          title="Error rate by version (%)"
          data={rows.map(([tag, v]) => ({ label: `${tag} v${v.version}`, count: Math.round(v.errorRate * 1000) / 10 }))}
          unit="%"
          fmt={(x) => `${x} %`}
        />
        <BarFigure
          title="Cost per 1,000 runs by version (USD)"
          data={rows.map(([tag, v]) => ({ label: `${tag} v${v.version}`, count: Math.round(v.costPer1k * 10000) / 10000 }))}
          unit="USD"
        />
      </div>
    </section>
  );
}

/** Each online evaluator's pass rate per version: what moved the online score. */
function OnlinePassRates({ rows }: { rows: ReadonlyArray<readonly [string, LiveVersionMetrics]> }) {
  const names = [...new Set(rows.flatMap(([, v]) => Object.keys(v.passRates)))].sort();
  if (names.length === 0) return <p className="hint">No online evaluator scored a run in the window (the pipeline's evaluators run on live runs).</p>;
  return (
    <table className="ex-table" aria-label="Online evaluators">
      <thead>
        <tr>
          <th>Online evaluator</th>
          {rows.map(([tag, v]) => (
            <th key={tag}>
              {tag} v{v.version}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {names.map((n) => (
          <tr key={n}>
            <td>{n}</td>
            {rows.map(([tag, v]) => (
              <td key={tag}>{v.passRates[n] === undefined ? "—" : pct(v.passRates[n])}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Pending() {
  const pending = useDeployments((s) => s.pending);
  if (pending.length === 0) return null;
  return (
    <section className="page-card" aria-labelledby="dp-pending">
      <h2 id="dp-pending">Waiting for approval</h2>
      <ul className="ex-list">
        {pending.map((a) => (
          <li key={a.id}>
            <strong>
              {a.kind === "promote" ? "Promote" : "Try suggestion"} v{a.version}
            </strong>{" "}
            <span className="hint">{a.reason}</span> {a.kind === "suggestion" && <SuggestionEvidence evidence={a.evidence} />}
            <button
              type="button"
              className="small primary"
              onClick={() => void act(`Approved: v${a.version}.`, () => api.deployments.optimizer.approve.mutate({ id: a.id }))}
            >
              Approve
            </button>{" "}
            <button
              type="button"
              className="small"
              onClick={() => void act(`Rejected: v${a.version}.`, () => api.deployments.optimizer.reject.mutate({ id: a.id }))}
            >
              Reject
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Audit() {
  const audit = useDeployments((s) => s.audit);
  const action = useDeployments((s) => s.auditAction);
  const pipelineId = useDeployments((s) => s.pipelineId);
  return (
    <section className="page-card" aria-labelledby="dp-audit">
      <div className="ex-row ex-spread">
        <h2 id="dp-audit">Audit trail</h2>
        <div className="ex-row">
          <label>
            Action
            <select
              value={action}
              onChange={(e) => {
                useDeployments.setState({ auditAction: e.target.value });
                void reload();
              }}
            >
              <option value="">every action</option>
              {AUDIT_ACTIONS.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          </label>
          <a
            className="button small"
            href={`/api/audit?format=jsonl&pipelineId=${encodeURIComponent(pipelineId)}${action ? `&action=${action}` : ""}`}
            download
          >
            Export JSONL
          </a>
        </div>
      </div>
      <div className="ex-scroll">
        <table className="ex-table" aria-label="Audit trail">
          <thead>
            <tr>
              <th>When</th>
              <th>Who</th>
              <th>Action</th>
              <th>Why</th>
            </tr>
          </thead>
          <tbody>
            {audit.map((e) => (
              <tr key={e.id}>
                <td>{new Date(e.at).toLocaleTimeString()}</td>
                <td>{e.actor}</td>
                <td>{e.action}</td>
                <td>
                  {e.reason}
                  {Object.keys(e.evidence).length > 0 && (
                    <details>
                      <summary className="hint">evidence</summary>
                      <code>{JSON.stringify(e.evidence)}</code>
                    </details>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
