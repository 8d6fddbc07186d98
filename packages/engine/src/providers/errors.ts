import { BackendTimeoutError, RetryableError, isPlainObject } from "@braid/core";
import { EgressError, type LastResponse } from "./http.js";
import { redact } from "./redact.js";

/** A problem with the backend's configuration or environment (missing key variable, bad base URL). Never retried. */
export class BackendConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BackendConfigError";
  }
}

const NETWORK =
  /fetch failed|terminated|other side closed|socket hang up|ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EAI_AGAIN|UND_ERR|Connection error|network|premature close|stream ended|aborted unexpectedly|Did not receive done/i;

export interface ErrorContext {
  backend: string;
  timeoutMs: number;
  timedOut: boolean;
  aborted: boolean;
  last: LastResponse;
  /** Values to scrub from every message (the key, header values from the environment). */
  secrets?: readonly string[];
  apiKeyEnv?: string | undefined;
  /** Where the protocol puts the answer text (`choices[0].message.content`), for the message when it is missing. */
  answerField?: string;
}

/**
 * Turns whatever a LangChain client threw into Braid's vocabulary: timeouts, 408, 429, 5xx,
 * overloaded and dropped connections become RetryableError (with the server's wait hint), other
 * 4xx a plain Error with a clear message. An error the server put inside a 200 answer (SSE
 * `error` events, `{"error": …}` lines or bodies) is classified the same way. The message comes
 * from the response body itself when there is one, and never contains a secret.
 */
export function toBackendError(err: unknown, ctx: ErrorContext): Error {
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
  const clean = (m: string) => scrubMessage(m, ctx.secrets ?? []);
  if (ctx.last.body?.inBand !== undefined) return inBandError(ctx.last.body.inBand, ctx);
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
  const thrown = String(e.message ?? err);
  if (status !== undefined && status >= 400) {
    const fromBody = ctx.last.status === status ? bodyMessage(ctx.last.errorBody) : undefined;
    // The clients start their own message with the status ("500 status code (no body)"); a body's message is kept whole.
    const message = clean(fromBody ?? apiMessage(e.error) ?? thrown.replace(/^\d{3}\s+/, ""));
    return httpError(status, message, retryAfter(ctx.last.status === status ? ctx.last.headers : e.headers, status), ctx);
  }
  const body = ctx.last.status !== undefined && ctx.last.status < 300 ? ctx.last.body : undefined;
  if (body?.invalidJson) {
    return new RetryableError(
      `the answer (HTTP ${ctx.last.status}, ${body.bytes} bytes) is not valid JSON; it looks cut off. It starts: ${quote(clean(body.head))}`,
    );
  }
  // A 2xx answer a client could not read (e.g. `choices: []` in a plain completion).
  if (e.name === "TypeError" && body && /undefined|null/.test(thrown))
    return new Error(unexpectedAnswer(ctx.last.status as number, body.head, ctx.secrets ?? [], ctx.answerField));
  const causes = [
    thrown,
    String((e.cause as { message?: unknown })?.message ?? ""),
    String((e.cause as { code?: unknown })?.code ?? ""),
    String(e.code ?? ""),
    String(e.name ?? ""),
  ].join(" ");
  if (NETWORK.test(causes) || e.name === "APIConnectionError") {
    const after = body && body.bytes > 0 ? ` after ${body.bytes} bytes of the answer` : "";
    return new RetryableError(`connection failed${after}: ${clean(thrown)}`);
  }
  if (e.name === "SyntaxError" && body)
    return new Error(`the answer (HTTP ${ctx.last.status}) could not be read: ${clean(thrown)}. It starts: ${quote(clean(body.head))}`);
  return new Error(clean(thrown));
}

/** A 2xx answer without the text the protocol puts in `field`: says what arrived instead. */
export function unexpectedAnswer(status: number, head: string, secrets: readonly string[], field = "the answer text"): string {
  return head.trim() === ""
    ? `the backend answered HTTP ${status} with an empty body`
    : `the backend answered HTTP ${status} without ${field}; it sent: ${quote(scrubMessage(head, secrets))}`;
}

function httpError(status: number, message: string, retryAfterMs: number | undefined, ctx: ErrorContext, where = ""): Error {
  const text = `HTTP ${status}${where}: ${message}`;
  if (status === 408 || status === 429 || status >= 500) return new RetryableError(text, { status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  const hint =
    status === 401 || status === 403
      ? ctx.apiKeyEnv
        ? ` (check the key in ${ctx.apiKeyEnv})`
        : " (the backend wants a key: set apiKeyEnv to the name of an environment variable that holds it)"
      : "";
  return new Error(`${text}${hint}`);
}

/** Error types and codes (OpenAI, Anthropic, gateways) to the HTTP status they stand for. */
const KIND_STATUS: Array<[RegExp, number]> = [
  [/rate_?limit|too_many|quota/, 429],
  [/overload/, 529],
  [/timeout/, 408],
  [/unavailable/, 503],
  [/invalid_request|bad_request|context_length|validation/, 400],
  [/authentication|unauthori[sz]ed/, 401],
  [/permission|forbidden/, 403],
  [/not_found/, 404],
];
/** When only the text says what happened. */
const TEXT_STATUS: Array<[RegExp, number]> = [
  [/rate.?limit|too many requests/i, 429],
  [/overload|busy|capacity|unavailable|try again/i, 503],
];

/**
 * An error the server reported inside a 200 answer, classified like the HTTP error it stands for:
 * an explicit status (`status`, `code: 429`, `"code": "503"`), else the error's type or code
 * (`rate_limit_error`, `overloaded_error`, `server_error`, `invalid_request_error`…), else its
 * text. A failure the server did not explain, after it had accepted the request, is a 500.
 */
export function inBandError(raw: unknown, ctx: ErrorContext): Error {
  const o: Record<string, unknown> = isPlainObject(raw) ? raw : { message: typeof raw === "string" ? raw : JSON.stringify(raw) };
  const message = scrubMessage(messageOf(o) ?? JSON.stringify(o), ctx.secrets ?? []);
  const explicit = [o.status, o.status_code, o.statusCode, o.http_status, o.code].map(statusOr).find((s) => s !== undefined);
  const kind = `${String(o.type ?? "")} ${String(o.code ?? "")}`.toLowerCase();
  const status = explicit ?? KIND_STATUS.find(([re]) => re.test(kind))?.[1] ?? TEXT_STATUS.find(([re]) => re.test(message))?.[1] ?? 500;
  return httpError(status, message, retryAfter(ctx.last.headers, status), ctx, " (inside a 200 answer)");
}

/**
 * The server's own message from an error body, in the shapes servers use: `{error: {message}}`
 * (OpenAI, Anthropic), `{error: "…"}` (Ollama), `{message}`, `{detail}` (FastAPI, also a list of
 * `{msg}`), `{error_description}`, `{title}`, `{errors: [{message}]}`. A body that says
 * `{"error": "TypeError", "message": "…"}` gives both. Plain text is taken as it is.
 */
export function bodyMessage(text: string | undefined): string | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1];
    return title?.trim() || text.trim();
  }
  return isPlainObject(doc) ? (messageOf(doc) ?? JSON.stringify(doc)) : JSON.stringify(doc);
}

function messageOf(o: Record<string, unknown>): string | undefined {
  const str = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined);
  const detail = Array.isArray(o.detail)
    ? o.detail.map((d) => (isPlainObject(d) ? (str(d.msg) ?? str(d.message) ?? JSON.stringify(d)) : String(d))).join("; ")
    : str(o.detail);
  const errors = Array.isArray(o.errors) && isPlainObject(o.errors[0]) ? (str(o.errors[0].message) ?? str(o.errors[0].msg)) : undefined;
  const inner = isPlainObject(o.error) ? messageOf(o.error) : undefined;
  const own = str(o.message) ?? detail ?? str(o.error_description) ?? errors ?? str(o.title) ?? str(o.msg);
  const label = str(o.error);
  if (inner) return inner;
  if (label && own && label !== own) return `${label}: ${own}`;
  return label ?? own;
}

/** The provider's own message from an SDK error's parsed body. */
function apiMessage(body: unknown): string | undefined {
  return isPlainObject(body) ? messageOf(body) : typeof body === "string" && body.trim() !== "" ? body : undefined;
}

function isHttpErrorName(e: { name?: unknown }): boolean {
  return typeof e.name === "string" && /Error$/.test(e.name) && e.name !== "TypeError" && e.name !== "SyntaxError";
}

function numberOr(v: unknown): number | undefined {
  return typeof v === "number" && Number.isInteger(v) ? v : undefined;
}

/** An HTTP error status written as a number or a three-digit string. */
function statusOr(v: unknown): number | undefined {
  const n = typeof v === "number" ? v : typeof v === "string" && /^\d{3}$/.test(v) ? Number(v) : undefined;
  return n !== undefined && n >= 400 && n <= 599 ? n : undefined;
}

/**
 * How long the server asks a client to wait, in ms: `retry-after-ms` (OpenAI), `Retry-After`
 * (seconds or an HTTP date), and on a 429 OpenAI's `x-ratelimit-reset-requests` /
 * `x-ratelimit-reset-tokens` (durations like `1s`, `6m0s`, `20ms`), taking the limit that is
 * used up (`x-ratelimit-remaining-*: 0`) when the server says which.
 */
export function retryAfter(headers: unknown, status?: number, now = Date.now()): number | undefined {
  const get = (name: string): string | undefined => {
    if (!headers) return undefined;
    if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
    const v = (headers as Record<string, unknown>)[name];
    return typeof v === "string" ? v : undefined;
  };
  const ms = get("retry-after-ms");
  if (ms !== undefined && ms.trim() !== "" && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Math.round(Number(ms));
  const ra = get("retry-after")?.trim();
  if (ra) {
    const secs = Number(ra);
    if (Number.isFinite(secs) && secs >= 0) return Math.round(secs * 1000);
    const date = Date.parse(ra);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  if (status !== 429) return undefined;
  const resets = (["requests", "tokens"] as const).flatMap((k) => {
    const reset = parseDuration(get(`x-ratelimit-reset-${k}`));
    return reset === undefined ? [] : [{ reset, spent: get(`x-ratelimit-remaining-${k}`)?.trim() === "0" }];
  });
  const spent = resets.filter((r) => r.spent);
  const pick = spent.length ? spent : resets;
  return pick.length ? Math.max(...pick.map((r) => r.reset)) : undefined;
}

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };

/** A Go-style duration as OpenAI writes it (`1s`, `6m0s`, `1m30.5s`, `20ms`, `2h0m0s`), or bare seconds, in ms. */
export function parseDuration(text: string | undefined): number | undefined {
  const t = text?.trim();
  if (!t) return undefined;
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  if (!/^(\d+(\.\d+)?(h|ms|m|s|us|µs|ns))+$/.test(t)) return undefined;
  let total = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
  return Math.round(total);
}

const quote = (head: string) => {
  const one = head.replace(/\s+/g, " ").trim();
  return one.length > 200 ? `${one.slice(0, 200)}…` : one;
};

/** One line, no LangChain troubleshooting links, no secret, bounded length. */
export function scrubMessage(message: string, secrets: readonly string[]): string {
  let m = redact(message, secrets)
    .replace(/\s*Troubleshooting URL:.*$/s, "")
    .replace(/\s+/g, " ")
    .trim();
  m = m.replace(/\b(sk|pk|rk)-[A-Za-z0-9_*.-]{6,}/g, "[redacted]");
  return m.length > 400 ? `${m.slice(0, 400)}…` : m;
}
