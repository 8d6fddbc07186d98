import { create } from "zustand";
import { api, describeError } from "../api/client.js";
import { navigate, useRoute } from "../route.js";

export type Deployment = Awaited<ReturnType<typeof api.deployments.get.query>>;
export type Policy = Awaited<ReturnType<typeof api.deployments.policy.query>>;
export type OptimizerStatus = Awaited<ReturnType<typeof api.deployments.optimizer.status.query>>;
export type VersionMetrics = Awaited<ReturnType<typeof api.deployments.optimizer.metrics.query>>[number];
export type PendingAction = Awaited<ReturnType<typeof api.deployments.optimizer.pending.query>>[number];
export type Cycle = Awaited<ReturnType<typeof api.deployments.optimizer.history.query>>[number];
export type Trial = Awaited<ReturnType<typeof api.deployments.optimizer.trials.query>>[number];
export type AuditEntry = Awaited<ReturnType<typeof api.deployments.audit.list.query>>[number];

export const useDeploymentsOpen = (): boolean => useRoute().page === "deployments";
export const openDeploymentsPage = (): void => navigate({ page: "deployments" });

interface DeploymentsState {
  pipelineId: string;
  deployment: Deployment | null;
  policy: Policy | null;
  status: OptimizerStatus | null;
  metrics: VersionMetrics | null;
  pending: PendingAction[];
  trials: Trial[];
  cycles: Cycle[];
  audit: AuditEntry[];
  auditAction: string;
  message: { kind: "error" | "info"; text: string } | null;
}

export const useDeployments = create<DeploymentsState>(() => ({
  pipelineId: "",
  deployment: null,
  policy: null,
  status: null,
  metrics: null,
  pending: [],
  trials: [],
  cycles: [],
  audit: [],
  auditAction: "",
  message: null,
}));

const set = useDeployments.setState;
export const fail = (err: unknown): void => set({ message: { kind: "error", text: describeError(err).message } });
const info = (text: string): void => set({ message: { kind: "info", text } });

/** Everything the page shows, for the chosen pipeline (the optimizer's status and history are global). */
export async function reload(): Promise<void> {
  const { pipelineId, auditAction } = useDeployments.getState();
  try {
    const [status, cycles] = await Promise.all([api.deployments.optimizer.status.query(), api.deployments.optimizer.history.query({ limit: 10 })]);
    set({ status, cycles });
    if (!pipelineId) return set({ deployment: null, policy: null, metrics: null, pending: [], trials: [], audit: [] });
    const [deployment, policy, metrics, pending, trials, audit] = await Promise.all([
      api.deployments.get.query({ pipelineId }),
      api.deployments.policy.query({ pipelineId }),
      api.deployments.optimizer.metrics.query({ pipelineId }),
      api.deployments.optimizer.pending.query({ pipelineId, status: "pending" }),
      api.deployments.optimizer.trials.query({ pipelineId, limit: 10 }),
      api.deployments.audit.list.query({ pipelineId, limit: 50, ...(auditAction ? { action: auditAction as AuditEntry["action"] } : {}) }),
    ]);
    if (useDeployments.getState().pipelineId !== pipelineId) return;
    set({ deployment, policy, metrics: metrics[0] ?? null, pending, trials, audit });
  } catch (err) {
    fail(err);
  }
}

/** Runs one change, says what it did, and shows the result (or the server's message, naming the field). */
export async function act(what: string, fn: () => Promise<unknown>): Promise<boolean> {
  try {
    await fn();
    info(what);
    await reload();
    return true;
  } catch (err) {
    fail(err);
    return false;
  }
}
