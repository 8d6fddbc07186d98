/** What the server needs to export run traces over OTLP/HTTP; absent when BRAID_OTEL_ENDPOINT is not set. */
export interface OtelConfig {
  /** The full OTLP/HTTP traces URL (`…/v1/traces`). */
  tracesUrl: string;
  /** Export prompts, system prompts, inputs and outputs (redacted) as span attributes. */
  content: boolean;
  serviceName: string;
  /** How long finished spans wait to be batched before an export starts. */
  scheduleDelayMs: number;
  /** Spans held while the receiver is slow or down; past it, new spans are dropped, never queued without bound. */
  maxQueueSize: number;
  /** One export request's limit: a receiver that never answers is given up on after this. */
  exportTimeoutMs: number;
  /** How long closing the server waits to flush what is queued. */
  shutdownTimeoutMs: number;
}

const TRACES_PATH = "/v1/traces";

function intVar(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
}

/** `http://host:4318` gets `/v1/traces` appended; a URL that already ends in it is used as given. */
export function tracesUrlFrom(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(`BRAID_OTEL_ENDPOINT must be an http(s) URL such as http://127.0.0.1:4318, got "${endpoint}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`BRAID_OTEL_ENDPOINT must use http or https (OTLP/HTTP), got "${url.protocol}"`);
  }
  const path = url.pathname.replace(/\/+$/, "");
  url.pathname = path.endsWith(TRACES_PATH) ? path : `${path}${TRACES_PATH}`;
  return url.toString();
}

/**
 * The standard OTEL_BSP_* variables tune the batch processor; the defaults keep a slow receiver
 * from holding spans (or the shutdown) for long.
 */
export function otelConfigFromEnv(env: NodeJS.ProcessEnv = process.env): OtelConfig | undefined {
  const endpoint = env.BRAID_OTEL_ENDPOINT?.trim();
  if (!endpoint) return undefined;
  const content = env.BRAID_OTEL_CONTENT ?? "";
  if (!["", "0", "1", "false", "true"].includes(content)) throw new Error(`BRAID_OTEL_CONTENT must be 1 or 0, got "${content}"`);
  return {
    tracesUrl: tracesUrlFrom(endpoint),
    content: content === "1" || content === "true",
    serviceName: env.OTEL_SERVICE_NAME || "braid",
    scheduleDelayMs: intVar(env, "OTEL_BSP_SCHEDULE_DELAY", 1000),
    maxQueueSize: Math.max(1, intVar(env, "OTEL_BSP_MAX_QUEUE_SIZE", 2048)),
    exportTimeoutMs: Math.max(1, intVar(env, "OTEL_BSP_EXPORT_TIMEOUT", 10_000)),
    shutdownTimeoutMs: intVar(env, "BRAID_OTEL_SHUTDOWN_MS", 3000),
  };
}
