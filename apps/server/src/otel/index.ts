import type { IncomingHttpHeaders } from "node:http";
import type { BackendPool, RunEvent } from "@braid/engine";
import { isTerminal } from "@braid/engine";
import { type Context, ROOT_CONTEXT, type Tracer, defaultTextMapGetter } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import type { TracerProvider } from "@opentelemetry/sdk-trace";
import type { EventHub } from "../runs/hub.js";
import type { RunStore } from "../store/runs.js";
import type { OtelConfig } from "./config.js";
import { createTracerProvider } from "./exporter.js";
import { writeRunTrace } from "./spans.js";

/** A caller's trace context (`traceparent`, `tracestate`) waits here until its run ends; bounded in case runs never do. */
const MAX_PENDING_PARENTS = 10_000;

/**
 * Exports one OpenTelemetry trace per run, built from the run's event log once it has ended. It
 * only listens to the event hub, so the engine and the run's path never wait on it: a terminal
 * event queues the run, and its spans are written on a later turn of the event loop and exported
 * in the background by the batch processor.
 */
export class RunTracing {
  private readonly provider: TracerProvider;
  private readonly abort: () => void;
  private readonly tracer: Tracer;
  private readonly propagator = new W3CTraceContextPropagator();
  private readonly parents = new Map<string, Record<string, string>>();
  private readonly ended: string[] = [];
  private scheduled: NodeJS.Immediate | undefined;
  private drained: Promise<void> = Promise.resolve();
  private readonly unlisten: () => void;
  private closed = false;
  private readonly log: (message: string) => void;

  constructor(
    private readonly config: OtelConfig,
    private readonly deps: { hub: EventHub; runs: RunStore; pool: BackendPool; log?: (message: string) => void },
  ) {
    this.log = deps.log ?? ((m: string) => console.warn(m));
    ({ provider: this.provider, abort: this.abort } = createTracerProvider(config, this.log));
    this.tracer = this.provider.getTracer("braid");
    this.unlisten = deps.hub.listenAll((e) => {
      if (!isTerminal(e.event)) return;
      this.ended.push(e.event.runId);
      this.scheduled ??= setImmediate(() => void this.drain());
    });
  }

  /** The run joins the caller's trace when its request carried a valid W3C `traceparent`. */
  joinTrace(runId: string, headers: IncomingHttpHeaders): void {
    const carrier: Record<string, string> = {};
    for (const name of this.propagator.fields()) {
      const v = headers[name];
      const value = Array.isArray(v) ? v[0] : v;
      if (value) carrier[name] = value;
    }
    if (!carrier.traceparent) return;
    if (this.parents.size >= MAX_PENDING_PARENTS) this.parents.delete(this.parents.keys().next().value as string);
    this.parents.set(runId, carrier);
  }

  private parentOf(runId: string): Context {
    const carrier = this.parents.get(runId);
    this.parents.delete(runId);
    return carrier ? this.propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter) : ROOT_CONTEXT;
  }

  /** Traces the runs that ended; one drain after another, so close() waits for every trace begun before it. */
  private drain(): Promise<void> {
    this.scheduled = undefined;
    const ended = this.ended.splice(0);
    this.drained = this.drained.then(async () => {
      for (const runId of ended) {
        try {
          await this.trace(runId);
        } catch (err) {
          // Tracing must never take the server down; a run that cannot be traced is skipped.
          this.log(`braid: could not build the trace of run ${runId}: ${(err as Error).message}`);
        }
      }
    });
    return this.drained;
  }

  /** The whole log from the store, so a run resumed after a restart is traced from its first event. */
  private async trace(runId: string): Promise<void> {
    const record = await this.deps.runs.get(runId);
    const events: RunEvent[] = (await this.deps.runs.events(runId)).map((s) => s.event).filter((e) => e.type !== "token");
    writeRunTrace(
      this.tracer,
      events,
      {
        ...(record?.pipelineId ? { pipelineId: record.pipelineId } : {}),
        ...(record?.pipelineVersion !== undefined ? { pipelineVersion: record.pipelineVersion } : {}),
        ...(record?.pipeline.name ? { pipelineName: record.pipeline.name } : {}),
      },
      this.parentOf(runId),
      {
        content: this.config.content,
        backend: (name) => {
          const b = this.deps.pool.get(name);
          return b ? { provider: b.provider, model: b.model } : undefined;
        },
      },
    );
  }

  /**
   * Traces the runs that ended during shutdown (before the store closes), then flushes for at most
   * `shutdownTimeoutMs`, then drops any export still in flight: a receiver that hangs cannot hold
   * the server open.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unlisten();
    if (this.scheduled) clearImmediate(this.scheduled);
    await this.drain();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.provider.shutdown().catch(() => {}),
      new Promise<void>((r) => {
        timer = setTimeout(r, this.config.shutdownTimeoutMs);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
    this.abort();
  }
}
