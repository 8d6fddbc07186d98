import { type WaitingAt, waitingAt } from "@braid/engine";
import type { RunStore } from "../store/runs.js";

/** setTimeout's longest delay (about 24.8 days); longer waits are re-armed in steps. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * One timer per waiting run whose node has a timeout. Timers live in memory: on boot the manager
 * schedules them again from each waiting run's logged `timeoutAt`, so an overdue one fires at once.
 */
export class ApprovalTimers {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly fire: (runId: string, nodeId: string) => void,
    private readonly now: () => number,
  ) {}

  schedule(runId: string, nodeId: string, at: number): void {
    this.clear(runId);
    const delay = Math.max(0, at - this.now());
    const t = setTimeout(
      () => {
        this.timers.delete(runId);
        if (delay > MAX_DELAY_MS) this.schedule(runId, nodeId, at);
        else this.fire(runId, nodeId);
      },
      Math.min(delay, MAX_DELAY_MS),
    );
    // A pending review must not keep a CLI process or a test alive.
    t.unref?.();
    this.timers.set(runId, t);
  }

  clear(runId: string): void {
    const t = this.timers.get(runId);
    if (t) clearTimeout(t);
    this.timers.delete(runId);
  }

  clearAll(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}

/** A run waiting for a review, as the "Waiting for review" list shows it. */
export interface WaitingReview {
  runId: string;
  pipelineId?: string;
  pipelineName?: string;
  nodeId: string;
  span: string;
  message: string;
  reviews?: string;
  value: unknown;
  allowEdit: boolean;
  decisions: string[];
  timeoutAt?: number;
  /** When the node started waiting (epoch ms). */
  since: number;
}

/** The node a stored run waits at, or undefined when it is not waiting. */
export async function waitingNode(store: RunStore, runId: string): Promise<WaitingAt | undefined> {
  return waitingAt((await store.events(runId)).map((e) => e.event));
}

/** Every waiting run, newest first, with what its reviewer needs to see. */
export async function waitingReviews(store: RunStore, filter: { pipelineId?: string; limit?: number } = {}): Promise<WaitingReview[]> {
  const out: WaitingReview[] = [];
  for (const run of await store.list({ status: "waiting", ...filter })) {
    const w = await waitingNode(store, run.id);
    if (!w) continue;
    out.push({
      runId: run.id,
      ...(run.pipelineId !== undefined ? { pipelineId: run.pipelineId } : {}),
      ...(run.pipelineName !== undefined ? { pipelineName: run.pipelineName } : {}),
      nodeId: w.nodeId,
      span: w.span,
      message: w.message,
      ...(w.reviews !== undefined ? { reviews: w.reviews } : {}),
      value: w.value,
      allowEdit: w.allowEdit,
      decisions: w.decisions,
      ...(w.timeoutAt !== undefined ? { timeoutAt: w.timeoutAt } : {}),
      since: w.at,
    });
  }
  return out;
}
