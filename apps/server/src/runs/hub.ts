import type { RunEvent } from "@braid/engine";
import type { RunStore, StoredEvent } from "../store/runs.js";

type Listener = (e: StoredEvent) => void;

/**
 * Live delivery of stored events. The manager appends an event to the store first and only then
 * publishes it here, so a subscriber that reads the log and then follows live events sees every
 * event exactly once, in sequence order.
 */
export class EventHub {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly everyRun = new Set<Listener>();
  private forward: ((runId: string, e: StoredEvent) => void) | undefined;

  /**
   * @param pollMs queue mode: a follower with nothing new for this long reads the log again, so an
   * event the relay lost (Redis restarting) is still delivered, from the log.
   */
  constructor(private readonly pollMs?: number) {}

  /** An event this process stored: to its own listeners, and to other processes' when a relay is attached. */
  publish(runId: string, e: StoredEvent): void {
    this.deliver(runId, e);
    this.forward?.(runId, e);
  }

  /** An event to this process's listeners only (one another process stored, arriving by the relay). */
  deliver(runId: string, e: StoredEvent): void {
    for (const l of this.listeners.get(runId) ?? []) l(e);
    for (const l of this.everyRun) l(e);
  }

  /** Queue mode: every event published here also goes out by `send` (see queue/relay.ts). */
  forwardTo(send: (runId: string, e: StoredEvent) => void): void {
    this.forward = send;
  }

  /** Every published event of every run (trace export); the listener must return quickly. */
  listenAll(l: Listener): () => void {
    this.everyRun.add(l);
    return () => this.everyRun.delete(l);
  }

  listen(runId: string, l: Listener): () => void {
    let set = this.listeners.get(runId);
    if (!set) {
      set = new Set();
      this.listeners.set(runId, set);
    }
    set.add(l);
    return () => {
      set.delete(l);
      if (set.size === 0) this.listeners.delete(runId);
    };
  }

  /**
   * Every event after `afterSeq`: first from the log, then live, without gap or duplicate, until the
   * run's terminal event. Ends early when `signal` aborts.
   */
  async *follow(store: RunStore, runId: string, afterSeq: number, signal?: AbortSignal): AsyncGenerator<StoredEvent> {
    const buffered: StoredEvent[] = [];
    let wake: (() => void) | undefined;
    const stop = this.listen(runId, (e) => {
      buffered.push(e);
      wake?.();
    });
    const onAbort = () => wake?.();
    signal?.addEventListener("abort", onAbort);
    try {
      // A run's status turns final in the same transaction that stores its terminal event, so a run
      // already final here has its whole log stored: when the reader is at or past its end (an
      // EventSource reconnecting after the end sends the last id), there is nothing left to wait for.
      const finished = FINAL.has((await store.get(runId))?.status ?? "");
      let last = afterSeq;
      for (const e of await store.events(runId, afterSeq)) {
        yield e;
        last = e.seq;
        if (isTerminal(e.event)) return;
      }
      if (finished) return;
      for (;;) {
        if (signal?.aborted) return;
        const next = buffered.shift();
        if (!next) {
          const woken = await new Promise<boolean>((resolve) => {
            wake = () => resolve(true);
            if (this.pollMs !== undefined) setTimeout(() => resolve(false), this.pollMs).unref();
          });
          wake = undefined;
          if (!woken) {
            for (const e of await store.events(runId, last)) {
              yield e;
              last = e.seq;
              if (isTerminal(e.event)) return;
            }
            if (FINAL.has((await store.get(runId))?.status ?? "")) return;
          }
          continue;
        }
        if (next.seq <= last) continue;
        if (next.seq > last + 1) {
          // Events published while the log was being read: fetch the missing range from the log.
          for (const e of await store.events(runId, last, next.seq - last - 1)) {
            yield e;
            last = e.seq;
          }
        }
        yield next;
        last = next.seq;
        if (isTerminal(next.event)) return;
      }
    } finally {
      stop();
      signal?.removeEventListener("abort", onAbort);
    }
  }
}

const FINAL = new Set(["completed", "failed", "cancelled"]);
const isTerminal = (e: RunEvent) => e.type === "run_finished" || e.type === "run_failed" || e.type === "run_cancelled";
