import { createReadStream, existsSync, statSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { HttpError } from "./util.js";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".map": "application/json",
};

/** Scripts only from this origin: user text can never become script, even if some view forgot to escape it. */
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** Serves the built web app; unknown paths get index.html so client-side routes work. */
export function serveStatic(webDir: string, pathname: string, res: ServerResponse): boolean {
  if (!existsSync(webDir)) return false;
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    throw new HttpError(400, "E_BAD_REQUEST", "the path is not valid percent-encoding");
  }
  const rel = normalize(decoded).replace(/^([/\\])+/, "");
  let file = join(webDir, rel);
  if (!file.startsWith(webDir + sep) && file !== webDir) return false;
  if (!existsSync(file) || statSync(file).isDirectory()) file = join(webDir, "index.html");
  if (!existsSync(file)) return false;
  const type = TYPES[extname(file)] ?? "application/octet-stream";
  const immutable = file.includes(`${sep}assets${sep}`);
  res.writeHead(200, {
    "content-type": type,
    "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    "x-content-type-options": "nosniff",
    ...(type.startsWith("text/html") ? { "content-security-policy": CSP, "referrer-policy": "no-referrer" } : {}),
  });
  createReadStream(file).pipe(res);
  return true;
}
