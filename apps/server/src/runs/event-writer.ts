import type { RunEvent } from "@braid/engine";
import type { SqlStatement } from "../store/checkpoints.js";
import type { RunStore } from "../store/runs.js";
import type { EventHub } from "./hub.js";

/**
 * The run manager's write path. Events are buffered for one turn of the event loop and written in
 * one transaction, then published: still written before anyone sees them, at a fraction of the
 * commits. LangGraph's checkpoint writes join the same transactions (see `journal`).
 */
export class EventWriter {
  private readonly events: Array<{ runId: string; event: RunEvent }> = [];
  private readonly checkpoints: SqlStatement[][] = [];
  private scheduled = false;
  /** Batches are written one after another, so they are published in the order of their sequence numbers. */
  private flushed: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: RunStore,
    private readonly hub: EventHub,
  ) {}

  append(runId: string, event: RunEvent): void {
    this.events.push({ runId, event });
    this.schedule();
  }

  /**
   * A checkpoint write joins the events of the same turn: a node's node_finished and the task
   * writes LangGraph saves as it returns are committed together. Batches commit one at a time in
   * the order they were made, so whatever a crash leaves is a prefix of the run, the log and the
   * checkpoint agreeing on which nodes finished. The write counts as made once queued: LangGraph
   * chains its checkpoint saves one after another, and waiting for each commit would let them fall
   * behind the events they belong with whenever commits are slower than steps (PostgreSQL). A
   * failed commit fails the events queued with it, which stops the process (see flush).
   */
  journal(statements: SqlStatement[]): void {
    this.checkpoints.push(statements);
    this.schedule();
  }

  /** Writes what is buffered, then publishes it; resolves when every event appended so far is written and published. */
  flush(): Promise<void> {
    const batch = this.events.splice(0);
    const checkpoints = this.checkpoints.splice(0);
    if (batch.length === 0 && checkpoints.length === 0) return this.flushed;
    const written = this.flushed.then(async () => {
      const seqs = await this.store.appendBatch(batch, checkpoints.flat());
      for (const [i, item] of batch.entries()) this.hub.publish(item.runId, { seq: seqs[i] as number, event: item.event });
    });
    // A failed write fails its own callers (a store that cannot take events stops the process, as
    // SQLite's errors always did: a queue worker's runs then resume elsewhere), never later batches.
    this.flushed = written.catch(() => {});
    return written;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }
}
