/**
 * Carries events and cancel requests between processes over Redis pub/sub. Events are stored
 * before they are published, so pub/sub only wakes followers: one lost while Redis restarts is
 * read from the log by the follower's poll (EventHub pollMs), never lost.
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { RunEvent } from "@braid/engine";
import type { EventHub } from "../runs/hub.js";
import type { StoredEvent } from "../store/runs.js";

interface EventMessage {
  /** The process that stored it, which has delivered it to its own listeners already. */
  o: string;
  r: string;
  s: number;
  e: RunEvent;
}

export class RedisRelay {
  readonly origin = randomUUID();
  private readonly eventsChannel: string;
  private readonly cancelChannel: string;
  private readonly cancelHandlers = new Set<(runId: string, reason: string) => void>();

  constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    prefix: string,
  ) {
    this.eventsChannel = `${prefix}:events`;
    this.cancelChannel = `${prefix}:cancel`;
  }

  /** Subscribes; from then on other processes' events reach `hub`'s listeners and this process's go out. */
  async attach(hub: EventHub): Promise<void> {
    this.sub.on("message", (channel: string, raw: string) => {
      try {
        if (channel === this.eventsChannel) {
          const m = JSON.parse(raw) as EventMessage;
          if (m.o !== this.origin) hub.deliver(m.r, { seq: m.s, event: m.e });
        } else if (channel === this.cancelChannel) {
          const m = JSON.parse(raw) as { r: string; why: string };
          for (const h of this.cancelHandlers) h(m.r, m.why);
        }
      } catch {
        // A malformed message (another program on the channel) is not ours to act on.
      }
    });
    if (this.sub.status === "wait") await this.sub.connect();
    await this.sub.subscribe(this.eventsChannel, this.cancelChannel);
    hub.forwardTo((runId, e) => this.sendEvent(runId, e));
  }

  private sendEvent(runId: string, e: StoredEvent): void {
    const m: EventMessage = { o: this.origin, r: runId, s: e.seq, e: e.event };
    // Fire and forget: a follower whose wake-up is lost reads the event from the log.
    this.pub.publish(this.eventsChannel, JSON.stringify(m)).catch(() => {});
  }

  async sendCancel(runId: string, reason: string): Promise<void> {
    await this.pub.publish(this.cancelChannel, JSON.stringify({ r: runId, why: reason }));
  }

  onCancel(handler: (runId: string, reason: string) => void): void {
    this.cancelHandlers.add(handler);
  }
}
