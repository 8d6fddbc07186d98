import { AsyncLocalStorage } from "node:async_hooks";
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";
import type { ServerConfig } from "../config.js";
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

/** A token with the name audit records give its holder (BRAID_TOKENS=name:token; BRAID_TOKEN is named `token`). */
export interface NamedToken {
  name: string;
  token: string;
}

/** The name of the configured token `given` matches; every token is compared, so timing does not tell which one matched. */
export function tokenName(given: string | undefined, tokens: readonly NamedToken[]): string | undefined {
  let found: string | undefined;
  for (const t of tokens) if (tokenMatches(given, t.token) && found === undefined) found = t.name;
  return found;
}

/** Whether the request may use the API, and who it acts as: the token's name, or `local` when no token is configured. */
export function authenticate(req: IncomingMessage, config: Pick<ServerConfig, "token" | "tokens">): { authed: boolean; actor: string } {
  const tokens = configuredTokens(config);
  if (tokens.length === 0) return { authed: true, actor: "local" };
  const name = tokenName(requestToken(req), tokens);
  return name === undefined ? { authed: false, actor: "anonymous" } : { authed: true, actor: name };
}

/** The accepted tokens; a config built in code with only `token` still requires it (named `token`). */
export function configuredTokens(config: Pick<ServerConfig, "token" | "tokens">): NamedToken[] {
  return config.tokens?.length ? config.tokens : config.token !== undefined ? [{ name: "token", token: config.token }] : [];
}

/** Who the current request acts as; set by the HTTP server around each request so audit records name the token, never the token itself. */
export const requestActor = new AsyncLocalStorage<string>();

/** The current request's actor; `local` outside a request (the CLI, the optimizer's own timer uses its own name). */
export const currentActor = (): string => requestActor.getStore() ?? "local";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** `name` and optional `port` of a Host value (`[::1]:5116`, `example.com`), lower-cased. */
function splitHost(value: string): { name: string; port: string } {
  const v = value.trim().toLowerCase();
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(v);
  return m ? { name: m[1] as string, port: m[2] ?? "" } : { name: v, port: "" };
}

function inAllowList(host: string, allowed: readonly string[]): boolean {
  const { name } = splitHost(host);
  return allowed.some((entry) => entry === host || entry === name);
}

/**
 * DNS rebinding reaches a loopback server through a name the attacker controls, so the Host must
 * be a name that cannot be rebound: an IP literal (what a browser sends for http://127.0.0.1:…,
 * on any port, so a dev proxy keeping its own port works), `localhost`, the configured listen
 * host, or a name listed in BRAID_ALLOWED_HOSTS (for a reverse proxy).
 */
export function hostAllowed(host: string | undefined, config: Pick<ServerConfig, "host" | "allowedHosts">): boolean {
  if (!host) return false;
  const { name } = splitHost(host);
  if (name === "localhost" || isIP(name.replace(/^\[|\]$/g, "")) !== 0) return true;
  if (name === config.host.toLowerCase() || name === `[${config.host.toLowerCase()}]`) return true;
  return inAllowList(host.toLowerCase(), config.allowedHosts);
}

/**
 * Whether a state-changing request may come from where the browser says it comes from. Requests
 * with neither Origin nor Sec-Fetch-Site (curl, SDKs) are not from a web page and pass; a page's
 * request passes only from this server's own origin (or a BRAID_ALLOWED_HOSTS origin). Another
 * port of the same host is another origin, which Sec-Fetch-Site reports as `same-site`.
 */
export function crossOriginReason(req: IncomingMessage, config: Pick<ServerConfig, "allowedHosts">): string | undefined {
  if (SAFE_METHODS.has(req.method ?? "GET")) return undefined;
  const site = req.headers["sec-fetch-site"];
  if (typeof site === "string" && site !== "same-origin" && site !== "none") return `Sec-Fetch-Site is "${site}"`;
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  let originHost: string;
  try {
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    return `Origin "${origin}" is not a URL`;
  }
  const host = (req.headers.host ?? "").toLowerCase();
  if (originHost === "" || (originHost !== host && !inAllowList(originHost, config.allowedHosts)))
    return `Origin "${origin}" is not this server (${host || "no Host"})`;
  return undefined;
}

/**
 * Failed logins per client address in a sliding window. Past the limit, every login from that
 * address (right token or not) waits until the oldest failure leaves the window.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit: ServerConfig["loginRateLimit"],
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until `address` may try again; 0 when it may now. */
  retryAfter(address: string): number {
    const recent = this.recent(address);
    if (recent.length < this.limit.maxFailures) return 0;
    const oldest = recent[recent.length - this.limit.maxFailures] as number;
    return Math.max(1, Math.ceil((oldest + this.limit.windowMs - this.now()) / 1000));
  }

  fail(address: string): void {
    // Bounded memory under a flood from many addresses: forget addresses whose failures have expired.
    if (this.failures.size > 10_000) for (const a of [...this.failures.keys()]) if (this.recent(a).length === 0) this.failures.delete(a);
    this.failures.set(address, [...this.recent(address), this.now()]);
  }

  succeed(address: string): void {
    this.failures.delete(address);
  }

  private recent(address: string): number[] {
    const since = this.now() - this.limit.windowMs;
    return (this.failures.get(address) ?? []).filter((t) => t > since);
  }
}
