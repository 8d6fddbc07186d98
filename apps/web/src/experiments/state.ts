import { create } from "zustand";
import { api, describeError } from "../api/client.js";

export type DatasetSummary = Awaited<ReturnType<typeof api.datasets.list.query>>[number];
export type DatasetDetail = Awaited<ReturnType<typeof api.datasets.get.query>>;
export type Experiment = Awaited<ReturnType<typeof api.experiments.get.query>>;
export type ExperimentRow = Awaited<ReturnType<typeof api.experiments.records.query>>[number];
export type Comparison = Awaited<ReturnType<typeof api.experiments.compare.query>>;
export type GateCheck = Awaited<ReturnType<typeof api.experiments.gates.mutate>>;

interface ExperimentsState {
  datasets: DatasetSummary[];
  experiments: Experiment[];
  /** The experiment whose summary and records are shown. */
  current: Experiment | null;
  rows: ExperimentRow[];
  /** Gates typed at start, per experiment id, checked by the server once it completes. */
  extraGates: Record<string, string[]>;
  gateCheck: GateCheck | null;
  message: { kind: "error" | "info"; text: string } | null;
}

export const useExperiments = create<ExperimentsState>(() => ({
  datasets: [],
  experiments: [],
  current: null,
  rows: [],
  extraGates: {},
  gateCheck: null,
  message: null,
}));

export const fail = (err: unknown): void => useExperiments.setState({ message: { kind: "error", text: describeError(err).message } });
export const info = (text: string): void => useExperiments.setState({ message: { kind: "info", text } });

export async function loadAll(): Promise<void> {
  try {
    const [datasets, experiments] = await Promise.all([api.datasets.list.query(), api.experiments.list.query()]);
    useExperiments.setState({ datasets, experiments });
  } catch (err) {
    fail(err);
  }
}

/** Uploads a new dataset; the server parses it all-or-nothing and names bad rows by line. */
export async function uploadDataset(upload: Parameters<typeof api.datasets.create.mutate>[0]): Promise<boolean> {
  try {
    const d = await api.datasets.create.mutate(upload);
    info(
      !d.created
        ? `Dataset "${d.name}" is unchanged: the file holds the same records as version ${d.version}.`
        : `Dataset "${d.name}" version ${d.version} imported: ${d.records} records.`,
    );
    await loadAll();
    return true;
  } catch (err) {
    fail(err);
    return false;
  }
}

let following: { unsubscribe: () => void } | null = null;
export function stopFollowing(): void {
  following?.unsubscribe();
  following = null;
}

/** Shows one experiment and follows its progress stream until it finishes, then loads its records and gates. */
export function showExperiment(e: Experiment): void {
  stopFollowing();
  useExperiments.setState({ current: e, rows: [], gateCheck: null });
  following = api.experiments.progress.subscribe(
    { id: e.id },
    {
      onData: (ev) => {
        useExperiments.setState({ current: ev.experiment as Experiment });
        if (ev.type === "finished") void finished(ev.experiment as Experiment);
      },
      onError: fail,
    },
  );
}

async function finished(e: Experiment): Promise<void> {
  try {
    const rows = await api.experiments.records.query({ id: e.id });
    if (useExperiments.getState().current?.id !== e.id) return;
    useExperiments.setState({ rows });
    const gates = useExperiments.getState().extraGates[e.id];
    if (gates && gates.length > 0 && e.status === "completed") useExperiments.setState({ gateCheck: await api.experiments.gates.mutate({ id: e.id, gates }) });
    await loadAll();
  } catch (err) {
    fail(err);
  }
}

export async function startExperiment(input: Parameters<typeof api.experiments.create.mutate>[0], gates: string[]): Promise<void> {
  try {
    const e = await api.experiments.create.mutate(input);
    if (gates.length > 0) useExperiments.setState((s) => ({ extraGates: { ...s.extraGates, [e.id]: gates } }));
    useExperiments.setState({ message: null });
    showExperiment(e);
    await loadAll();
  } catch (err) {
    fail(err);
  }
}

export async function cancelExperiment(id: string): Promise<void> {
  try {
    await api.experiments.cancel.mutate({ id });
  } catch (err) {
    fail(err);
  }
}

export async function resumeExperiment(id: string): Promise<void> {
  try {
    showExperiment(await api.experiments.resume.mutate({ id }));
  } catch (err) {
    fail(err);
  }
}
