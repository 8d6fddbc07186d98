import { request } from "node:http";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp } from "./helpers.js";

/**
 * A sweep of bad requests over the routes a client can reach: every answer must be a coded 4xx
 * (`{"error": {"code": …}}`) or a plain acceptance of hostile data as data — never a 5xx, never a
 * hang. The counts go to the log (the closing note of the trust issue quotes them).
 */
const fixture = JSON.parse(readFileSync(new URL("../../../test-fixtures/hostile-strings.json", import.meta.url), "utf8")) as {
  jsonPayloads: unknown[];
  labels: string[];
};

interface Probe {
  what: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

const deep = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;

function raw(base: string, p: Probe): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: p.method,
        path: p.path,
        headers: { ...(p.body !== undefined ? { "content-type": "application/json" } : {}), ...p.headers },
        timeout: 10_000,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          body += c;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${p.what}: no answer in 10 s`)));
    req.on("error", reject);
    if (p.body !== undefined) req.write(p.body);
    req.end();
  });
}

function probes(): Probe[] {
  const bodies: Array<[string, string]> = [
    ["truncated JSON", "{"],
    ["not JSON", "hello"],
    ["NUL bytes", '{"a":"\u0000"}'],
    ["JSON nested 5,000 deep", deep(5000)],
    ["a number", "42"],
    ["null", "null"],
    ...fixture.jsonPayloads.map((v, i): [string, string] => [`hostile payload ${i}`, JSON.stringify(v)]),
    ...fixture.labels.slice(0, 6).map((l, i): [string, string] => [`hostile label ${i} as a body`, JSON.stringify({ name: l, pipeline: l, runId: l })]),
  ];
  const posts = [
    "/api/pipelines/parallel/runs",
    "/api/pipelines/no-such/runs",
    "/api/runs/no-such/resume",
    "/api/runs/no-such/cancel",
    "/api/pipelines/parallel/batches",
    "/api/datasets?name=x",
    "/api/experiments",
    "/api/login",
    "/trpc/runs.start",
    "/trpc/pipelines.save",
    "/trpc/runs.resume",
    "/trpc/backends.save",
  ];
  const out: Probe[] = [];
  for (const path of posts) for (const [what, body] of bodies) out.push({ what: `${what} → POST ${path}`, method: "POST", path, body });
  const gets = [
    "/api/runs/%E0%A4%A",
    "/%E0%A4%A",
    "/api/runs/no-such",
    "/api/runs/no-such/events",
    "/api/runs?status=bogus",
    "/api/experiments/compare?a=x&b=y",
    "/api/datasets/no-such",
    `/trpc/pipelines.get?input=${encodeURIComponent(deep(5000))}`,
    `/trpc/pipelines.get?input=${encodeURIComponent("{")}`,
    "/api/pipelines/parallel/runs?seed=1e400",
    "/api/../../etc/passwd",
  ];
  for (const path of gets) out.push({ what: `GET ${path.slice(0, 60)}`, method: "GET", path });
  const run = { method: "POST", path: "/api/pipelines/parallel/runs", body: "{}" };
  out.push(
    { what: "text/plain run body", ...run, headers: { "content-type": "text/plain" } },
    { what: "cross-site POST", ...run, headers: { "sec-fetch-site": "cross-site" } },
    { what: "Origin of another port", ...run, headers: { origin: "http://127.0.0.1:1" } },
    { what: "Origin null", ...run, headers: { origin: "null" } },
    { what: "rebound Host name", ...run, headers: { host: "evil.example:5116" } },
    { what: "malformed cookie", ...run, headers: { cookie: "braid_token=%E0%A4%A" } },
    { what: "unknown backend header", ...run, headers: { "x-braid-backend": "ghost" } },
    { what: "bad Last-Event-ID", method: "GET", path: "/api/runs/x/events", headers: { "last-event-id": "-1" } },
    { what: "PUT on a POST route", method: "PUT", path: "/api/pipelines/parallel/runs", body: "{}" },
  );
  return out;
}

describe("bad-input sweep", () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  beforeAll(async () => {
    ctx = await startApp();
  });
  afterAll(() => ctx.stop());

  it("answers every bad request with a coded 4xx or takes hostile data as data; never a 5xx", async () => {
    const list = probes();
    const counts = { tried: 0, coded4xx: 0, uncoded4xx: 0, accepted: 0, server5xx: 0 };
    const problems: string[] = [];
    for (const p of list) {
      const r = await raw(ctx.url, p);
      counts.tried++;
      if (r.body.includes("root:x:0:0")) problems.push(`${p.what}: served a system file`);
      if (r.status >= 500) {
        counts.server5xx++;
        problems.push(`${p.what}: ${r.status} ${r.body.slice(0, 120)}`);
      } else if (r.status >= 400) {
        let code: unknown;
        try {
          const b = JSON.parse(r.body);
          // REST: error.code; tRPC: data.braidCode (a Braid code), else data.code (tRPC's own, e.g. BAD_REQUEST).
          const candidates = [b?.error?.data?.braidCode, typeof b?.error?.code === "string" ? b.error.code : undefined, b?.error?.data?.code];
          code = candidates.find((c) => typeof c === "string");
        } catch {
          code = undefined;
        }
        if (typeof code === "string" && code.length > 0) counts.coded4xx++;
        else {
          counts.uncoded4xx++;
          problems.push(`${p.what}: ${r.status} without a code: ${r.body.slice(0, 120)}`);
        }
      } else {
        counts.accepted++;
        if (process.env.SWEEP_VERBOSE) console.log(`accepted: ${p.what} → ${r.status}`);
      }
    }
    console.log(
      `bad-input sweep: ${counts.tried} bad inputs tried · ${counts.coded4xx} coded 4xx · ${counts.accepted} accepted as data · ${counts.uncoded4xx} 4xx without a code · ${counts.server5xx} 5xx`,
    );
    if (problems.length) console.log(problems.join("\n"));
    expect(problems).toEqual([]);
    expect(counts.tried).toBe(list.length);
    expect(counts.coded4xx).toBeGreaterThan(counts.tried / 2);
    // The server is still well after the sweep.
    const health = await raw(ctx.url, { what: "healthz", method: "GET", path: "/healthz" });
    expect(health.status).toBe(200);
  }, 60_000);
});
