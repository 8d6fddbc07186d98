import { useEffect } from "react";
import "../styles/experiments.css";
import { PageHeader, PageMessage } from "../components/PageChrome.js";
import { Compare } from "./Compare.js";
import { openDeploymentsPage } from "../deployments/state.js";
import { Datasets } from "./Datasets.js";
import { NewExperiment } from "./NewExperiment.js";
import { closeExperimentsPage, useExperimentsOpen } from "./route.js";
import { loadAll, showExperiment, stopFollowing, useExperiments } from "./state.js";
import { Summary } from "./Summary.js";

/** The Experiments page (`#/experiments`): datasets, experiments over saved pipelines, summaries and A/B. Renders nothing elsewhere. */
export function ExperimentsPage() {
  return useExperimentsOpen() ? <Page /> : null;
}

function Page() {
  useEffect(() => {
    void loadAll();
    return () => {
      stopFollowing();
      useExperiments.setState({ message: null });
    };
  }, []);
  const message = useExperiments((s) => s.message);
  return (
    <section className="app-page ex-page" aria-labelledby="ex-title">
      <PageHeader
        id="ex-title"
        title="Experiments"
        hint="Run a saved pipeline version over a dataset version, score every record with evaluators, check gates and compare two experiments."
      >
        <div className="ex-row">
          <button type="button" onClick={openDeploymentsPage}>
            Deployments
          </button>
          <button type="button" onClick={closeExperimentsPage}>
            ← Back to the designer
          </button>
        </div>
      </PageHeader>
      <PageMessage message={message} onDismiss={() => useExperiments.setState({ message: null })} />
      <div className="ex-grid">
        <div className="ex-col">
          <Datasets />
          <NewExperiment />
          <ExperimentList />
        </div>
        <div className="ex-col ex-wide">
          <Summary />
          <Compare />
        </div>
      </div>
    </section>
  );
}

function ExperimentList() {
  const experiments = useExperiments((s) => s.experiments);
  const current = useExperiments((s) => s.current?.id);
  const datasets = useExperiments((s) => s.datasets);
  if (experiments.length === 0) return null;
  const datasetName = (id: string) => datasets.find((d) => d.id === id)?.name ?? id;
  return (
    <section className="page-card" aria-labelledby="ex-list">
      <h2 id="ex-list">Recent experiments</h2>
      <ul className="ex-list">
        {experiments.map((e) => (
          <li key={e.id}>
            <button type="button" className={e.id === current ? "link on" : "link"} onClick={() => showExperiment(e)} aria-label={`Open experiment ${e.name}`}>
              {e.name}
            </button>{" "}
            <span className="hint">
              {e.status} · {e.done}/{e.total} · {e.pipelineId} v{e.pipelineVersion} over {datasetName(e.datasetId)} v{e.datasetVersion}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
