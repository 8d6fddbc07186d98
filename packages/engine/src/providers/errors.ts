import { BackendTimeoutError, RetryableError } from "@braid/core";
import { EgressError, type LastResponse } from "./http.js";

/** A problem with the backend's configuration or environment (missing key variable, bad base URL). Never retried. */
export class BackendConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BackendConfigError";
  }
}

const NETWORK =
  /fetch failed|terminated|other side closed|socket hang up|ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EAI_AGAIN|UND_ERR|Connection error|network|premature close|stream ended|aborted unexpectedly|Did not receive done/i;

/**
 * Turns whatever a LangChain client threw into Braid's vocabulary: timeouts, 408, 429, 5xx and
 * dropped connections become RetryableError (with Retry-After), other 4xx a plain Error with a clear
 * message. Messages never contain the API key.
 */
export function toBackendError(
  err: unknown,
  ctx: {
    backend: string;
    timeoutMs: number;
    timedOut: boolean;
    aborted: boolean;
    last: LastResponse;
    secret?: string | undefined;
    apiKeyEnv?: string | undefined;
  },
): Error {
  if (ctx.aborted) {
    const e = new Error("call aborted");
    e.name = "AbortError";
    return e;
  }
  if (ctx.timedOut) return new BackendTimeoutError(`no complete answer within ${ctx.timeoutMs} ms (timeout)`);
  // Our own refusals pass through, even when a client wrapped them ("Connection error.").
  for (let c: unknown = err, i = 0; c && i < 5; c = (c as { cause?: unknown }).cause, i++) {
    if (c instanceof EgressError || c instanceof BackendConfigError || c instanceof RetryableError) return c;
  }
  const e = (err ?? {}) as {
    status?: unknown;
    status_code?: unknown;
    headers?: unknown;
    message?: unknown;
    name?: unknown;
    cause?: unknown;
    code?: unknown;
    error?: unknown;
  };
  const status = numberOr(e.status) ?? numberOr(e.status_code) ?? (isHttpErrorName(e) ? ctx.last.status : undefined);
  const message = clean(apiMessage(e.error) ?? String(e.message ?? err), ctx.secret);
  if (status !== undefined && status >= 400) {
    const retryAfterMs = retryAfter(e.headers) ?? (ctx.last.status === status ? retryAfter(ctx.last.headers) : undefined);
    const text = `HTTP ${status}: ${message.replace(/^\d{3}\s+/, "")}`;
    if (status === 408 || status === 429 || status >= 500) return new RetryableError(text, { status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
    const hint =
      status === 401 || status === 403
        ? ctx.apiKeyEnv
          ? ` (check the key in ${ctx.apiKeyEnv})`
          : " (the backend wants a key: set apiKeyEnv to the name of an environment variable that holds it)"
        : "";
    return new Error(`${text}${hint}`);
  }
  // A 2xx answer a client could not read (e.g. `choices: []` in a plain completion).
  if (e.name === "TypeError" && ctx.last.status !== undefined && ctx.last.status < 300 && /undefined|null/.test(message)) {
    return new Error(`the backend answered HTTP ${ctx.last.status} but the response had no choices or missing fields (${message})`);
  }
  const causes = [
    message,
    String((e.cause as { message?: unknown })?.message ?? ""),
    String((e.cause as { code?: unknown })?.code ?? ""),
    String(e.code ?? ""),
    String(e.name ?? ""),
  ].join(" ");
  if (NETWORK.test(causes) || e.name === "APIConnectionError") return new RetryableError(`connection failed: ${message}`);
  return new Error(message);
}

/** The provider's own error message from an error body (`{error: {message}}` or `{message}`). */
function apiMessage(body: unknown): string | undefined {
  const b = body as { message?: unknown; error?: { message?: unknown } } | undefined;
  if (typeof b?.error?.message === "string") return b.error.message;
  if (typeof b?.message === "string") return b.message;
  return undefined;
}

function isHttpErrorName(e: { name?: unknown }): boolean {
  return typeof e.name === "string" && /Error$/.test(e.name) && e.name !== "TypeError" && e.name !== "SyntaxError";
}

function numberOr(v: unknown): number | undefined {
  return typeof v === "number" && Number.isInteger(v) ? v : undefined;
}

/** Retry-After as seconds or an HTTP date, or OpenAI's `retry-after-ms`. */
export function retryAfter(headers: unknown): number | undefined {
  const get = (name: string): string | undefined => {
    if (!headers) return undefined;
    if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
    const v = (headers as Record<string, unknown>)[name];
    return typeof v === "string" ? v : undefined;
  };
  const ms = get("retry-after-ms");
  if (ms !== undefined && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Math.round(Number(ms));
  const ra = get("retry-after");
  if (ra === undefined) return undefined;
  const secs = Number(ra);
  if (Number.isFinite(secs) && secs >= 0) return Math.round(secs * 1000);
  const date = Date.parse(ra);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** One line, no LangChain troubleshooting links, no key, bounded length. */
function clean(message: string, secret?: string): string {
  let m = message
    .replace(/\s*Troubleshooting URL:.*$/s, "")
    .replace(/\s+/g, " ")
    .trim();
  if (secret && secret.length >= 4) m = m.split(secret).join("[redacted]");
  m = m.replace(/\b(sk|pk|rk)-[A-Za-z0-9_*.-]{6,}/g, "[redacted]");
  return m.length > 400 ? `${m.slice(0, 400)}…` : m;
}
