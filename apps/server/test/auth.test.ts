import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REST_ROUTES } from "../src/http/rest.js";
import { appRouter } from "../src/trpc/router.js";
import { json, startApp } from "./helpers.js";

const TOKEN = "s3cret-token-for-tests";

type Proc = { _def: { type: "query" | "mutation" | "subscription" } };
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, Proc>).map(([path, p]) => ({ path, type: p._def.type }));

function trpcRequest(base: string, path: string, type: string, headers: Record<string, string>) {
  const input = encodeURIComponent(JSON.stringify({ runId: "x", id: "x" }));
  if (type === "mutation")
    return fetch(`${base}/trpc/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ runId: "x", id: "x" }),
    });
  return fetch(`${base}/trpc/${path}?input=${input}`, { headers: { ...headers, ...(type === "subscription" ? { accept: "text/event-stream" } : {}) } });
}

/** With a token set, every procedure and route refuses a missing or wrong token; only /healthz is open. */
describe("token mode", () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  beforeAll(async () => {
    ctx = await startApp({ BRAID_TOKEN: TOKEN });
  });
  afterAll(() => ctx.stop());

  it("knows every procedure and route it checks", () => {
    expect(procedures.length).toBeGreaterThanOrEqual(16);
    expect(REST_ROUTES.length).toBeGreaterThanOrEqual(7);
  });

  for (const [label, headers] of [
    ["missing", {}],
    ["wrong", { authorization: "Bearer wrong" }],
    ["wrong cookie", { cookie: "braid_token=wrong" }],
  ] as const) {
    it(`rejects a ${label} token on every tRPC procedure`, async () => {
      for (const p of procedures) {
        const res = await trpcRequest(ctx.url, p.path, p.type, headers);
        const text = await res.text();
        if (p.type === "subscription") {
          // tRPC streams errors over SSE: the stream must carry UNAUTHORIZED and no data.
          expect({ path: p.path, unauthorized: text.includes("UNAUTHORIZED") || res.status === 401 }).toEqual({ path: p.path, unauthorized: true });
          expect(text).not.toContain('"seq"');
        } else {
          expect({ path: p.path, status: res.status }).toEqual({ path: p.path, status: 401 });
        }
      }
    });

    it(`rejects a ${label} token on every REST route`, async () => {
      for (const r of REST_ROUTES) {
        const path = r.path.replace(/:\w+/g, "x");
        const res = await fetch(`${ctx.url}${path}`, { method: r.method, headers: { ...headers }, ...(r.method === "POST" ? { body: "{}" } : {}) });
        expect({ route: `${r.method} ${r.path}`, status: res.status }).toEqual({ route: `${r.method} ${r.path}`, status: 401 });
        const body = await res.json();
        expect(body.error.code).toBe("E_UNAUTHORIZED");
      }
    });
  }

  it("leaves /healthz open and accepts the right token by header or login cookie", async () => {
    expect((await fetch(`${ctx.url}/healthz`)).status).toBe(200);
    expect((await json(`${ctx.url}/api/pipelines`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await json(`${ctx.url}/api/login`, { method: "POST", body: JSON.stringify({ token: "nope" }) })).status).toBe(401);
    const login = await fetch(`${ctx.url}/api/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: TOKEN }),
    });
    const cookie = login.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/braid_token=.*HttpOnly; SameSite=Strict/);
    const withCookie = await fetch(`${ctx.url}/trpc/pipelines.list`, { headers: { cookie: cookie.split(";")[0] as string } });
    expect(withCookie.status).toBe(200);
  });
});

describe("address safety", () => {
  it("refuses to listen on a non-loopback address without a token", async () => {
    const { configFromEnv } = await import("../src/config.js");
    expect(() => configFromEnv({ BRAID_HOST: "0.0.0.0" })).toThrow(/refusing to listen on 0\.0\.0\.0 without BRAID_TOKEN/);
    expect(configFromEnv({ BRAID_HOST: "0.0.0.0", BRAID_TOKEN: "t" }).host).toBe("0.0.0.0");
    expect(configFromEnv({}).host).toBe("127.0.0.1");
  });
});

/** BRAID_TOKENS names each token; audit records carry the name (never the token), BRAID_TOKEN keeps working as `token`. */
describe("named tokens", () => {
  const ALICE = "alice-secret-1";
  const BOB = "bob-secret-2";
  let ctx: Awaited<ReturnType<typeof startApp>>;
  beforeAll(async () => {
    ctx = await startApp({ BRAID_TOKEN: TOKEN, BRAID_TOKENS: `alice:${ALICE}, bob:${BOB}` });
  });
  afterAll(() => ctx.stop());

  const send = (path: string, token: string, body: unknown, method = "POST") =>
    json(`${ctx.url}${path}`, { method, headers: { authorization: `Bearer ${token}` }, body: JSON.stringify(body) });

  it("records the token's name as the actor of REST and tRPC actions, and never the token", async () => {
    expect((await send("/api/pipelines/sequential/tags", ALICE, { tag: "live", version: 1 })).status).toBe(200);
    expect((await send("/api/optimizer/stop", BOB, {})).status).toBe(200);
    expect((await send("/api/optimizer/start", TOKEN, {})).status).toBe(200);
    const trpc = await fetch(`${ctx.url}/trpc/deployments.untag`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${BOB}` },
      body: JSON.stringify({ pipelineId: "sequential", tag: "live" }),
    });
    expect(trpc.status).toBe(200);
    const audit = await json(`${ctx.url}/api/audit`, { headers: { authorization: `Bearer ${ALICE}` } });
    const seen = (audit.body as Array<{ action: string; actor: string }>).map((e) => `${e.action}:${e.actor}`).reverse();
    expect(seen).toEqual(["tag:alice", "stop:bob", "start:token", "untag:bob"]);
    const raw = JSON.stringify(audit.body);
    for (const secret of [ALICE, BOB, TOKEN]) expect(raw).not.toContain(secret);
  });

  it("refuses a token that is not configured, and logs in with any named one", async () => {
    expect((await send("/api/optimizer/stop", "carol-unknown", {})).status).toBe(401);
    const login = await json(`${ctx.url}/api/login`, { method: "POST", body: JSON.stringify({ token: BOB }) });
    expect(login.status).toBe(200);
  });

  it("refuses a malformed BRAID_TOKENS entry without echoing it", async () => {
    const { configFromEnv } = await import("../src/config.js");
    expect(() => configFromEnv({ BRAID_TOKENS: "alice:a,justasecret" })).toThrow(/entry 2: expected name:token/);
    expect(() => configFromEnv({ BRAID_TOKENS: "alice:a,justasecret" })).not.toThrow(/justasecret/);
    expect(() => configFromEnv({ BRAID_TOKENS: "local:x" })).toThrow(/reserved/);
    expect(configFromEnv({ BRAID_HOST: "0.0.0.0", BRAID_TOKENS: "ci:t" }).tokens).toEqual([{ name: "ci", token: "t" }]);
  });
});

describe("a config built in code", () => {
  it("with only `token` (no `tokens` list) still requires that token", async () => {
    const { authenticate } = await import("../src/http/auth.js");
    const req = (auth?: string) => ({ headers: auth ? { authorization: auth } : {} }) as unknown as import("node:http").IncomingMessage;
    expect(authenticate(req(), { token: TOKEN })).toEqual({ authed: false, actor: "anonymous" });
    expect(authenticate(req(`Bearer ${TOKEN}`), { token: TOKEN })).toEqual({ authed: true, actor: "token" });
    expect(authenticate(req(), {})).toEqual({ authed: true, actor: "local" });
  });
});
