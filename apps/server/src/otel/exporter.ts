import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { type ExportResult, ExportResultCode } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, type ReadableSpan, type SpanExporter, TracerProvider } from "@opentelemetry/sdk-trace";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import { redactString } from "@braid/engine";
import type { OtelConfig } from "./config.js";

/** Longest attribute value exported; content attributes beyond it are cut by the SDK. */
const MAX_ATTRIBUTE_CHARS = 16_384;

/**
 * The OTLP exporter reports failures only through the OpenTelemetry diagnostics logger, which is
 * silent by default: this says so once, then stays quiet for `quietMs` so a receiver that is down
 * does not flood the server's log.
 */
export class ReportingExporter implements SpanExporter {
  private quietUntil = 0;
  private suppressed = 0;

  constructor(
    private readonly inner: SpanExporter,
    private readonly url: string,
    private readonly log: (message: string) => void,
    private readonly quietMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      if (result.code !== ExportResultCode.SUCCESS) this.report(result.error, spans.length);
      done(result);
    });
  }

  private report(error: Error | undefined, dropped: number): void {
    const t = this.now();
    if (t < this.quietUntil) {
      this.suppressed++;
      return;
    }
    const before = this.suppressed ? ` (${this.suppressed} more failure(s) since the last report)` : "";
    this.suppressed = 0;
    this.quietUntil = t + this.quietMs;
    const why = redactString(error?.message ?? "unknown error", "error", []);
    this.log(
      `braid: OpenTelemetry export to ${redactString(this.url, "url", [])} failed: ${why}; ${dropped} span(s) dropped${before}. Runs are not affected; next report in ${Math.round(this.quietMs / 1000)} s at most.`,
    );
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/**
 * A provider owned by the server (never registered globally, so several servers can run in one
 * process). Spans go through a bounded batch queue; each export is cut off after its timeout.
 * `abort` destroys the exporter's connections, so a request to a receiver that hangs does not
 * outlive the server (and keep the process alive) until its timeout.
 */
export function createTracerProvider(config: OtelConfig, log: (message: string) => void): { provider: TracerProvider; abort: () => void } {
  const agent = config.tracesUrl.startsWith("https:") ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  const otlp = new OTLPTraceExporter({ url: config.tracesUrl, timeoutMillis: config.exportTimeoutMs, httpAgentOptions: () => agent });
  const processor = new BatchSpanProcessor({
    exporter: new ReportingExporter(otlp, config.tracesUrl, log),
    maxQueueSize: config.maxQueueSize,
    maxExportBatchSize: Math.min(512, config.maxQueueSize),
    scheduledDelayMillis: config.scheduleDelayMs,
    exportTimeoutMillis: config.exportTimeoutMs,
  });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.serviceName }),
    spanProcessors: [processor],
    spanLimits: { attributeValueLengthLimit: MAX_ATTRIBUTE_CHARS },
  });
  return { provider, abort: () => agent.destroy() };
}
