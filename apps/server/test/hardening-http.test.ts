/**
 * What a hostile page or client can make the HTTP server do: DNS rebinding (Host), cross-origin
 * and cross-port writes (Origin, Sec-Fetch-Site), non-JSON bodies on JSON routes, malformed
 * cookies and paths, login guessing, and unbounded seeds. Raw node:http requests, because fetch
 * will not send a chosen Host or Sec-Fetch-Site.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, startApp, tempDir } from "./helpers.js";

const TOKEN = "hardening-token";

/** One request with exactly these headers; the body parsed as JSON when it is. */
function raw(base: string, path: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  const u = new URL(base);
  return new Promise<{ status: number; body: any; headers: Record<string, unknown> }>((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, path, method: opts.method ?? "GET", headers: { host: u.host, ...opts.headers }, setHost: false },
      (res) => {
        let text = "";
        res.on("data", (d) => {
          text += d;
        });
        res.on("end", () => {
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, body, headers: res.headers });
        });
      },
    );
    req.on("error", reject);
    req.end(opts.body);
  });
}

const runCount = async (ctx: Awaited<ReturnType<typeof startApp>>) => (await ctx.app.services.runs.list({ limit: 1000 })).length;

describe("Host, Origin and Content-Type checks (no token)", () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  let port: string;
  beforeAll(async () => {
    ctx = await startApp({ BRAID_ALLOWED_HOSTS: "braid.example.com, proxy.example:8443" });
    port = new URL(ctx.url).port;
  });
  afterAll(() => ctx.stop());

  it("refuses a rebound Host on every kind of route with 421, and accepts loopback names, IP literals and allowed hosts", async () => {
    for (const path of ["/healthz", "/api/pipelines", "/trpc/pipelines.list", "/"]) {
      const r = await raw(ctx.url, path, { headers: { host: `attacker.example:${port}` } });
      expect({ path, status: r.status, code: r.body?.error?.code }).toEqual({ path, status: 421, code: "E_HOST_NOT_ALLOWED" });
    }
    expect((await raw(ctx.url, "/api/pipelines", { headers: { host: "localhost.attacker.example" } })).status).toBe(421);
    expect((await raw(ctx.url, "/api/pipelines", { headers: { host: "proxy.example:9999" } })).status).toBe(421);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, "LOCALHOST:5173", "braid.example.com", "proxy.example:8443"]) {
      const r = await raw(ctx.url, "/api/pipelines", { headers: { host } });
      expect({ host, status: r.status }).toEqual({ host, status: 200 });
    }
  });

  it("refuses text/plain runs and batches from another origin (403) and starts nothing", async () => {
    const before = await runCount(ctx);
    const attacks: Array<[string, Record<string, string>]> = [
      ["/api/pipelines/sequential/runs", { origin: "http://attacker.example", "content-type": "text/plain" }],
      ["/api/pipelines/sequential/batches", { origin: "http://attacker.example", "content-type": "text/plain" }],
      // another port of the same host is another origin
      ["/api/pipelines/sequential/runs", { origin: "http://127.0.0.1:1", "content-type": "application/json" }],
      ["/api/pipelines/sequential/runs", { "sec-fetch-site": "same-site", "content-type": "application/json" }],
      ["/api/pipelines/sequential/runs", { "sec-fetch-site": "cross-site", "content-type": "application/json" }],
      ["/api/pipelines/sequential/runs", { origin: "null", "content-type": "application/json" }],
      ["/trpc/backends.test", { origin: "http://attacker.example", "content-type": "application/json" }],
      ["/trpc/runs.start", { "sec-fetch-site": "cross-site", "content-type": "text/plain" }],
    ];
    for (const [path, headers] of attacks) {
      const r = await raw(ctx.url, path, { method: "POST", headers, body: '{"name":"x","pipelineId":"sequential"}\n' });
      expect({ path, headers, status: r.status, code: r.body?.error?.code }).toEqual({ path, headers, status: 403, code: "E_CROSS_ORIGIN" });
    }
    expect(await runCount(ctx)).toBe(before);
  });

  it("accepts same-origin browser requests and header-less clients (curl, SDKs)", async () => {
    const sameOrigin = await raw(ctx.url, "/api/pipelines/sequential/runs", {
      method: "POST",
      headers: { origin: ctx.url, "sec-fetch-site": "same-origin", "content-type": "application/json" },
      body: "{}",
    });
    expect(sameOrigin.status).toBe(202);
    const curl = await raw(ctx.url, "/api/pipelines/sequential/runs", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(curl.status).toBe(202);
    // a dev proxy (Vite) keeps its own Host and Origin: the page and the Host agree
    const viaProxy = await raw(ctx.url, "/trpc/pipelines.delete", {
      method: "POST",
      headers: { host: "localhost:5173", origin: "http://localhost:5173", "content-type": "application/json" },
      body: JSON.stringify({ id: "nope" }),
    });
    expect(viaProxy.status).toBe(404);
    // an origin a reverse proxy serves Braid under
    const proxied = await raw(ctx.url, "/trpc/pipelines.delete", {
      method: "POST",
      headers: { origin: "https://braid.example.com", "content-type": "application/json" },
      body: JSON.stringify({ id: "nope" }),
    });
    expect(proxied.status).toBe(404);
  });

  it("refuses non-JSON bodies on JSON routes and tRPC calls with 415, but keeps the batch upload's CSV and JSONL", async () => {
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      const rest = await raw(ctx.url, "/api/pipelines/sequential/runs", { method: "POST", headers: { "content-type": type }, body: "{}" });
      expect({ type, status: rest.status, code: rest.body?.error?.code }).toEqual({ type, status: 415, code: "E_UNSUPPORTED_MEDIA_TYPE" });
      const trpc = await raw(ctx.url, "/trpc/pipelines.delete", { method: "POST", headers: { "content-type": type }, body: '{"id":"x"}' });
      expect({ type, status: trpc.status, code: trpc.body?.error?.code }).toEqual({ type, status: 415, code: "E_UNSUPPORTED_MEDIA_TYPE" });
    }
    const login = await raw(ctx.url, "/api/login", { method: "POST", headers: { "content-type": "text/plain" }, body: '{"token":"x"}' });
    expect(login.status).toBe(415);
    // no body at all needs no type
    expect((await raw(ctx.url, "/api/pipelines/sequential/runs", { method: "POST" })).status).toBe(202);
    const csv = await raw(ctx.url, "/api/pipelines/sequential/batches", {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body: "country,segment\nChile,nurses\n",
    });
    expect(csv.status).toBe(202);
    const jsonl = await raw(ctx.url, "/api/pipelines/sequential/batches", {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: '{"country":"Chile","segment":"x"}\n',
    });
    expect(jsonl.status).toBe(202);
  });

  it("bounds the REST seed exactly like tRPC's", async () => {
    expect((await json(`${ctx.url}/api/pipelines/sequential/runs?seed=2147483647`, { method: "POST" })).status).toBe(202);
    for (const seed of ["2147483648", "1e300", "-1", "1.5", ""]) {
      const r = await json(`${ctx.url}/api/pipelines/sequential/runs?seed=${seed}`, { method: "POST" });
      expect({ seed, status: r.status, code: r.body.error?.code }).toEqual({ seed, status: 400, code: "E_BAD_REQUEST" });
    }
    const trpc = await json(`${ctx.url}/trpc/runs.start`, { method: "POST", body: JSON.stringify({ pipelineId: "sequential", seed: 2147483648 }) });
    expect(trpc.status).toBe(400);
  });
});

describe("token mode: cookies, origins and login guessing", () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  let clock = 1_000_000;
  const web = tempDir("braid-web-");
  beforeAll(async () => {
    mkdirSync(join(web.dir, "assets"));
    writeFileSync(join(web.dir, "index.html"), "<!doctype html><title>braid</title>");
    ctx = await startApp({ BRAID_TOKEN: TOKEN }, { webDir: web.dir, loginRateLimit: { maxFailures: 3, windowMs: 60_000 }, now: () => clock });
  });
  afterAll(async () => {
    await ctx.stop();
    web.cleanup();
  });

  it("refuses a cookie-authenticated POST from another port's origin, and accepts it from its own", async () => {
    const cookie = `braid_token=${TOKEN}`;
    const otherPort = await raw(ctx.url, "/api/pipelines/sequential/runs", {
      method: "POST",
      headers: { cookie, origin: "http://127.0.0.1:3000", "sec-fetch-site": "same-site", "content-type": "application/json" },
      body: "{}",
    });
    expect(otherPort.status).toBe(403);
    expect(otherPort.body.error.code).toBe("E_CROSS_ORIGIN");
    const own = await raw(ctx.url, "/api/pipelines/sequential/runs", {
      method: "POST",
      headers: { cookie, origin: ctx.url, "sec-fetch-site": "same-origin", "content-type": "application/json" },
      body: "{}",
    });
    expect(own.status).toBe(202);
  });

  it("treats a malformed cookie as no token (401), and a malformed % in a static path as 400", async () => {
    const cookie = "braid_token=%E0%A4%A";
    const rest = await raw(ctx.url, "/api/pipelines", { headers: { cookie } });
    expect([rest.status, rest.body.error.code]).toEqual([401, "E_UNAUTHORIZED"]);
    const trpc = await raw(ctx.url, "/trpc/pipelines.list", { headers: { cookie } });
    expect(trpc.status).toBe(401);
    // a good cookie next to a malformed one still counts
    expect((await raw(ctx.url, "/api/pipelines", { headers: { cookie: `x=%E0%A4%A; braid_token=${TOKEN}` } })).status).toBe(200);
    const path = await raw(ctx.url, "/%E0%A4%A");
    expect([path.status, path.body.error.code]).toEqual([400, "E_BAD_REQUEST"]);
    expect((await raw(ctx.url, "/assets/%E0%A4%A.js")).status).toBe(400);
    expect((await raw(ctx.url, "/some/client/route")).status).toBe(200);
  });

  it("limits failed logins per address (429 with Retry-After) until the window passes", async () => {
    const login = (token: string) => json(`${ctx.url}/api/login`, { method: "POST", body: JSON.stringify({ token }) });
    for (let i = 0; i < 3; i++) expect((await login(`guess-${i}`)).status).toBe(401);
    const limited = await login(TOKEN);
    expect([limited.status, limited.body.error.code, limited.headers.get("retry-after")]).toEqual([429, "E_RATE_LIMITED", "60"]);
    clock += 30_000;
    expect((await login(TOKEN)).headers.get("retry-after")).toBe("30");
    clock += 30_001;
    const ok = await login(TOKEN);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("set-cookie")).toContain("braid_token=");
    // a success clears the address's failures
    for (let i = 0; i < 2; i++) expect((await login("wrong")).status).toBe(401);
    expect((await login(TOKEN)).status).toBe(200);
  });
});
