import type { IncomingMessage, ServerResponse } from "node:http";
import { MAX_JSON_DEPTH, jsonDepth, safeJsonParse } from "@braid/engine";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, err: HttpError): void {
  sendJson(res, err.status, { error: { code: err.code, message: err.message, ...err.extra } }, err.headers);
}

/** Reads a body up to `limit` bytes; past it the request is refused with 413 before more is buffered. */
export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit)
    throw new HttpError(413, "E_BODY_TOO_LARGE", `request body is ${declared} bytes; the limit is ${limit} (BRAID_BODY_LIMIT)`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, "E_BODY_TOO_LARGE", `request body exceeds the limit of ${limit} bytes (BRAID_BODY_LIMIT)`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** A JSON media type (`application/json`, `application/problem+json`), parameters ignored. */
export function isJsonContentType(value: string | undefined): boolean {
  const type = (value ?? "").split(";", 1)[0]?.trim().toLowerCase() ?? "";
  return type === "application/json" || /^application\/[\w.+-]+\+json$/.test(type);
}

/**
 * Reads a JSON body. A body must say it is JSON: text/plain and form types are what a page on
 * another origin can send without a CORS preflight, so they are refused before anything is read.
 */
export async function readJson(
  req: IncomingMessage,
  limit: number,
  { allowEmpty = false, maxDepth = MAX_JSON_DEPTH }: { allowEmpty?: boolean; maxDepth?: number } = {},
): Promise<unknown> {
  const hasBody = Number(req.headers["content-length"] ?? 0) > 0 || req.headers["transfer-encoding"] !== undefined;
  if (hasBody && !isJsonContentType(req.headers["content-type"]))
    throw new HttpError(415, "E_UNSUPPORTED_MEDIA_TYPE", `send the body as Content-Type: application/json (got ${req.headers["content-type"] ?? "none"})`);
  const text = await readBody(req, limit);
  if (text.trim() === "") {
    if (allowEmpty) return undefined;
    throw new HttpError(400, "E_PARSE", "request body is empty; send JSON");
  }
  let value: unknown;
  try {
    value = safeJsonParse(text);
  } catch (err) {
    throw new HttpError(400, "E_PARSE", `request body is not valid JSON: ${(err as Error).message}`);
  }
  if (jsonDepth(value, maxDepth) > maxDepth) throw new HttpError(400, "E_TOO_DEEP", `request body nests deeper than ${maxDepth} levels (BRAID_MAX_JSON_DEPTH)`);
  return value;
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i <= 0) continue;
    // A value that is not valid percent-encoding is treated as absent (so a bad token cookie gets 401, not 500).
    try {
      out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      // skipped
    }
  }
  return out;
}
