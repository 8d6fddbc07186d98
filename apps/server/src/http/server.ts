import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import type { Services } from "../services.js";
import { appRouter } from "../trpc/router.js";
import { LoginLimiter, authenticate, crossOriginReason, hostAllowed, requestActor } from "./auth.js";
import { handleRest, login } from "./rest.js";
import { serveStatic } from "./static.js";
import { HttpError, isJsonContentType, sendError, sendJson } from "./util.js";

/** One port: /healthz, /api (REST + SSE for applications), /trpc (the web app), and the web app itself. */
export function createHttpServer(services: Services): Server {
  const limiter = new LoginLimiter(services.config.loginRateLimit, services.config.now);
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: "/trpc/",
    maxBodySize: services.config.bodyLimit,
    createContext: ({ req }) => ({ services, ...authenticate(req, services.config) }),
    onError: ({ error, path }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`braid: tRPC ${path ?? "?"}: ${error.message}`);
    },
  });

  const server = createServer((req, res) => {
    // Audit records name the request's token (its name, never the token); see http/auth.ts.
    requestActor
      .run(authenticate(req, services.config).actor, () => handle(req, res, services, trpc, limiter))
      .catch((err) => {
        if (err instanceof HttpError) {
          if (!res.headersSent) sendError(res, err);
          else res.end();
          return;
        }
        console.error(`braid: ${req.method} ${req.url}: ${(err as Error)?.message ?? err}`);
        if (!res.headersSent) sendJson(res, 500, { error: { code: "E_INTERNAL", message: "internal error; see the server log" } });
        else res.end();
      });
  });
  // Requests Node's parser refuses before any handler sees them (a URL or headers over 16 KB, bad
  // framing) get the same coded JSON error as everything else, not a bare status line.
  server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const tooLarge = err.code === "HPE_HEADER_OVERFLOW";
    const body = JSON.stringify({
      error: tooLarge
        ? { code: "E_BAD_REQUEST", message: "the request line or headers exceed 16 KB; send large inputs in a POST body" }
        : { code: "E_BAD_REQUEST", message: "malformed HTTP request" },
    });
    const status = tooLarge ? "431 Request Header Fields Too Large" : "400 Bad Request";
    socket.end(
      `HTTP/1.1 ${status}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  return server;
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  services: Services,
  trpc: ReturnType<typeof createHTTPHandler>,
  limiter: LoginLimiter,
): Promise<void> {
  checkProvenance(req, services.config);
  const url = new URL(req.url ?? "/", "http://braid.local");
  if (url.pathname === "/healthz") {
    sendJson(res, 200, { ok: true, ...services.manager.stats });
    return;
  }
  if (url.pathname === "/api/login" && req.method === "POST") return login(req, res, services, limiter);
  const isApi = url.pathname.startsWith("/api/") || url.pathname.startsWith("/trpc/");
  if (isApi && url.pathname.startsWith("/trpc/")) {
    // tRPC would also take multipart/form-data and octet-stream bodies, which pages may send cross-origin.
    if (req.method === "POST" && !isJsonContentType(req.headers["content-type"]))
      throw new HttpError(415, "E_UNSUPPORTED_MEDIA_TYPE", `tRPC calls take Content-Type: application/json (got ${req.headers["content-type"] ?? "none"})`);
    // tRPC checks the token itself (see trpc/init.ts), so its errors keep the tRPC shape the client expects.
    trpc(req, res);
    return;
  }
  if (isApi) {
    if (!authenticate(req, services.config).authed)
      throw new HttpError(401, "E_UNAUTHORIZED", "a valid token is required: Authorization: Bearer <BRAID_TOKEN>");
    if (await handleRest(req, res, url, services)) return;
    throw new HttpError(404, "E_NOT_FOUND", `no API route ${req.method} ${url.pathname}`);
  }
  if ((req.method === "GET" || req.method === "HEAD") && serveStatic(services.config.webDir, url.pathname, res)) return;
  throw new HttpError(404, "E_NOT_FOUND", url.pathname === "/" ? "the web app is not built; run `pnpm start`" : `not found: ${url.pathname}`);
}

/** Every request: a Host that DNS rebinding cannot forge; every state-changing request: not from another origin. */
function checkProvenance(req: IncomingMessage, config: Services["config"]): void {
  if (!hostAllowed(req.headers.host, config))
    throw new HttpError(421, "E_HOST_NOT_ALLOWED", `Host "${req.headers.host ?? ""}" is not this server; add it to BRAID_ALLOWED_HOSTS if a proxy forwards it`);
  const reason = crossOriginReason(req, config);
  if (reason) throw new HttpError(403, "E_CROSS_ORIGIN", `refused a cross-origin request: ${reason}`);
}
