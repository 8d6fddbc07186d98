import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { parseCookies } from "./util.js";

export const TOKEN_COOKIE = "braid_token";

const digest = (s: string) => createHash("sha256").update(s).digest();

/** Constant-time comparison on digests, so neither content nor length leaks through timing. */
export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * A token may come as `Authorization: Bearer`, an `X-Braid-Token` header, or the cookie set by
 * POST /api/login (EventSource cannot send headers, so browsers use the cookie).
 */
export function requestToken(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith("Bearer ")) return auth.slice(7).trim();
  const header = req.headers["x-braid-token"];
  if (typeof header === "string") return header;
  return parseCookies(req.headers.cookie)[TOKEN_COOKIE];
}

export function isAuthorized(req: IncomingMessage, token: string | undefined): boolean {
  return token === undefined || tokenMatches(requestToken(req), token);
}
