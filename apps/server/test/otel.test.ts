import { readFileSync, writeFileSync } from "node:fs";
import { type Server, createServer } from "node:http";
import { join } from "node:path";
import type { RunEvent } from "@braid/engine";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createApp } from "../src/app.js";
import { configFromEnv } from "../src/config.js";
import { tracesUrlFrom } from "../src/otel/config.js";
import { json, startApp, tempDir, waitFor } from "./helpers.js";

const fixture = JSON.parse(readFileSync(new URL("../../../test-fixtures/hostile-strings.json", import.meta.url), "utf8")) as { canarySecrets: string[] };
/** The part of each canary that must never leave: the whole key, the token, the URL's password. */
const SECRET_PARTS = ["sk-canary-0123456789abcdef", "canary-token-xyz", "canary-pass"];

type Value = string | number | boolean | undefined;
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startMs: number;
  endMs: number;
  attrs: Record<string, Value>;
  events: Array<{ name: string; attrs: Record<string, Value> }>;
  status: { code?: number; message?: string };
}

interface AnyValue {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
}
const attrMap = (list: Array<{ key: string; value: AnyValue }> = []): Record<string, Value> =>
  Object.fromEntries(
    list.map(({ key, value: v }) => [key, v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : undefined) ?? v.doubleValue ?? v.boolValue]),
  );
const ms = (nanos: string | number) => Number(BigInt(nanos) / 1_000_000n);

/** A loopback OTLP/HTTP receiver: decodes the JSON export requests it is sent, or misbehaves on purpose. */
async function receiver(mode: "ok" | "hang" | "500" = "ok") {
  const bodies: string[] = [];
  let requests = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      requests++;
      if (req.url !== "/v1/traces" || req.headers["content-type"] !== "application/json")
        throw new Error(`unexpected ${req.url} ${req.headers["content-type"]}`);
      bodies.push(Buffer.concat(chunks).toString("utf8"));
      if (mode === "hang") return; // never answers
      res.writeHead(mode === "500" ? 500 : 200, { "content-type": "application/json" }).end("{}");
    });
  });
  let open = 0;
  server.on("connection", (socket) => {
    open++;
    socket.on("close", () => open--);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bodies,
    get requests() {
      return requests;
    },
    get openConnections() {
      return open;
    },
    spans(): OtlpSpan[] {
      return bodies.flatMap((b) =>
        (JSON.parse(b).resourceSpans ?? []).flatMap((rs: any) =>
          (rs.scopeSpans ?? []).flatMap((ss: any) =>
            (ss.spans ?? []).map((s: any) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId || undefined,
              name: s.name,
              startMs: ms(s.startTimeUnixNano),
              endMs: ms(s.endTimeUnixNano),
              attrs: attrMap(s.attributes),
              events: (s.events ?? []).map((e: any) => ({ name: e.name, attrs: attrMap(e.attributes) })),
              status: s.status ?? {},
            })),
          ),
        ),
      );
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
type Receiver = Awaited<ReturnType<typeof receiver>>;

const FAST = { OTEL_BSP_SCHEDULE_DELAY: "10", BRAID_OTEL_SHUTDOWN_MS: "300" };

async function runAndTrace(ctx: Awaited<ReturnType<typeof startApp>>, rx: Receiver, pipeline: string, init: RequestInit = {}) {
  const r = await json(`${ctx.url}/api/pipelines/${pipeline}/runs?wait=true`, { method: "POST", ...init });
  expect(r.status).toBe(200);
  const runId = r.body.runId as string;
  const events = (await ctx.app.services.runs.events(runId)).map((e) => e.event);
  const root = await waitFor(`the trace of ${runId}`, () => rx.spans().find((s) => s.attrs["braid.run.id"] === runId), 5000);
  // Node spans end before the run span, so they are in the same or an earlier export.
  const spans = rx.spans().filter((s) => s.traceId === root.traceId);
  const nodeSpan = (span: string) => spans.find((s) => s.attrs["braid.span"] === span) as OtlpSpan;
  return { runId, events, root, spans, nodeSpan, body: r.body };
}

describe("OpenTelemetry traces", () => {
  let rx: Receiver;
  let ctx: Awaited<ReturnType<typeof startApp>>;
  beforeAll(async () => {
    rx = await receiver();
    ctx = await startApp({ BRAID_OTEL_ENDPOINT: rx.endpoint, ...FAST });
  });
  afterAll(async () => {
    await ctx.stop();
    await rx.close();
  });

  it("exports one trace per run: a run span, and one child span per node execution (loop passes apart)", async () => {
    const t = await runAndTrace(ctx, rx, "validation-loop");
    const roots = rx.spans().filter((s) => s.attrs["braid.run.id"] === t.runId);
    expect(roots).toHaveLength(1);
    const end = t.events.at(-1) as Extract<RunEvent, { type: "run_finished" }>;
    expect(t.root.name).toBe("braid.run Validated records (validation loop)");
    expect(t.root.parentSpanId).toBeUndefined();
    expect(t.root.attrs).toMatchObject({
      "braid.pipeline.id": "validation-loop",
      "braid.pipeline.version": 1,
      "braid.run.status": "completed",
      "braid.usage.input_tokens": end.usage.inputTokens,
      "braid.usage.output_tokens": end.usage.outputTokens,
      "braid.usage.total_tokens": end.usage.inputTokens + end.usage.outputTokens,
      "braid.cost_usd": end.usage.costUsd,
    });
    expect([t.root.startMs, t.root.endMs]).toEqual([t.events[0]?.at, end.at]);
    const executions = t.events.flatMap((e) => (e.type === "node_started" ? [e] : []));
    expect(executions.map((e) => e.span)).toContain("check#2");
    const children = t.spans.filter((s) => s.spanId !== t.root.spanId);
    expect(children.map((s) => s.attrs["braid.span"]).sort()).toEqual(executions.map((e) => e.span).sort());
    for (const e of executions) {
      const s = t.nodeSpan(e.span);
      expect(s.parentSpanId).toBe(t.root.spanId);
      expect(s.name).toBe(`braid.node ${e.nodeId}`);
      expect(s.attrs).toMatchObject({
        "braid.node.id": e.nodeId,
        "braid.node.kind": e.kind,
        "braid.node.attempt": e.attempt,
        "braid.node.status": "completed",
      });
      expect(s.startMs).toBe(e.at);
    }
    expect(t.nodeSpan("check#1").attrs["braid.node.branch"]).toBe("fail");
    expect(t.nodeSpan("check#2").attrs["braid.node.branch"]).toBe("pass");
  });

  it("puts the GenAI attributes, cost and backend of each LLM call on its node span, with the numbers from the events", async () => {
    const t = await runAndTrace(ctx, rx, "sequential");
    const calls = t.events.flatMap((e) => (e.type === "node_finished" && e.backend ? [e] : []));
    expect(calls.length).toBeGreaterThan(1);
    for (const e of calls) {
      expect(t.nodeSpan(e.span).attrs).toMatchObject({
        "gen_ai.operation.name": "chat",
        "gen_ai.system": ctx.app.services.pool.get(e.backend as string)?.provider,
        "gen_ai.request.model": e.model,
        "gen_ai.usage.input_tokens": e.usage.inputTokens,
        "gen_ai.usage.output_tokens": e.usage.outputTokens,
        "braid.cost_usd": e.usage.costUsd,
        "braid.backend": e.backend,
      });
    }
    expect(t.nodeSpan("in#1").attrs["gen_ai.system"]).toBeUndefined();
  });

  it("records loop iterations with their scores and route decisions as span events", async () => {
    const loop = await runAndTrace(ctx, rx, "validation-loop");
    const passes = loop.events.flatMap((e) => (e.type === "loop_iteration" ? [e] : []));
    expect(passes.length).toBeGreaterThan(1);
    for (const p of passes) {
      const ev = loop.nodeSpan(p.span).events.find((e) => e.name === "loop_iteration");
      expect(ev?.attrs).toMatchObject({
        "braid.loop.attempt": p.attempt,
        "braid.loop.branch": p.branch,
        "braid.loop.passed": p.passed,
        "braid.loop.metric.score": p.metrics?.score,
        "gen_ai.evaluation.score.value": p.metrics?.score,
      });
    }
    const routed = await runAndTrace(ctx, rx, "smart-routing");
    const decision = routed.events.find((e) => e.type === "route_decided") as Extract<RunEvent, { type: "route_decided" }>;
    const ev = routed.nodeSpan(decision.span).events.find((e) => e.name === "route_decided");
    expect(ev?.attrs).toEqual({ "braid.route.branch": decision.branch, "braid.route.reason": decision.reason });
  });

  it("marks a failed node and run as errors with their message, and records retries as span events", async () => {
    const pool = ctx.app.services.pool;
    const gen = pool.get("generator");
    const seq = (await ctx.app.services.pipelines.get("sequential"))?.pipeline;
    if (!gen?.simulation || !seq) throw new Error("the default backends or examples changed");
    pool.update([...pool.list(), { ...gen, name: "flaky", retries: 1, circuitBreaker: false, simulation: { ...gen.simulation, failureRate: 1 } }]);
    const nodes = seq.nodes.map((n) => (n.id === "basic" ? { ...n, config: { ...n.config, backend: "flaky" } } : n));
    await ctx.app.services.pipelines.save({ ...seq, nodes }, { id: "flaky-sequential" });
    const t = await runAndTrace(ctx, rx, "flaky-sequential");
    const failed = t.events.find((e) => e.type === "node_failed") as Extract<RunEvent, { type: "node_failed" }>;
    const retry = t.events.find((e) => e.type === "retry") as Extract<RunEvent, { type: "retry" }>;
    expect(failed && retry).toBeTruthy();
    const s = t.nodeSpan(failed.span);
    expect(s.status).toEqual({ code: 2, message: failed.error.message });
    expect(s.attrs).toMatchObject({ "braid.node.status": "failed", "error.type": failed.error.code, "braid.backend": "flaky", "gen_ai.system": "simulated" });
    expect(s.events.find((e) => e.name === "retry")?.attrs).toMatchObject({
      "braid.backend": "flaky",
      "braid.retry.attempt": retry.attempt,
      "error.message": retry.error,
    });
    expect(t.root.status.code).toBe(2);
    expect(t.root.attrs["braid.run.status"]).toBe("failed");
  });

  it("exports no prompt, input or output unless BRAID_OTEL_CONTENT=1", async () => {
    const t = await runAndTrace(ctx, rx, "sequential");
    const prompt = (t.events.find((e) => e.type === "node_started" && e.prompt) as { prompt: string }).prompt;
    const payload = rx.bodies.join("\n");
    expect(payload).not.toContain(prompt.slice(0, 40));
    expect(payload).not.toContain("You generate realistic test data");
    for (const s of t.spans) expect(Object.keys(s.attrs).filter((k) => /messages|instructions|input$|output$/.test(k))).toEqual([]);
  });

  it("joins the caller's trace when the run request carries a W3C traceparent", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const parentId = "00f067aa0ba902b7";
    const t = await runAndTrace(ctx, rx, "parallel", { headers: { traceparent: `00-${traceId}-${parentId}-01` } });
    expect(t.root.traceId).toBe(traceId);
    expect(t.root.parentSpanId).toBe(parentId);
    expect(t.spans.length).toBeGreaterThan(2);
    const other = await runAndTrace(ctx, rx, "parallel", { headers: { traceparent: "garbage" } });
    expect(other.root.traceId).not.toBe(traceId);
    expect(other.root.parentSpanId).toBeUndefined();
  });
});

describe("OpenTelemetry content (BRAID_OTEL_CONTENT=1)", () => {
  let rx: Receiver;
  let ctx: Awaited<ReturnType<typeof startApp>>;
  beforeAll(async () => {
    rx = await receiver();
    ctx = await startApp({ BRAID_OTEL_ENDPOINT: `${rx.endpoint}/v1/traces`, BRAID_OTEL_CONTENT: "1", ...FAST });
  });
  afterAll(async () => {
    await ctx.stop();
    await rx.close();
  });

  it("exports prompts, system prompts and outputs", async () => {
    const t = await runAndTrace(ctx, rx, "sequential");
    const started = t.events.find((e) => e.type === "node_started" && e.nodeId === "basic") as Extract<RunEvent, { type: "node_started" }>;
    const finished = t.events.find((e) => e.type === "node_finished" && e.nodeId === "basic") as Extract<RunEvent, { type: "node_finished" }>;
    const attrs = t.nodeSpan(started.span).attrs;
    expect(JSON.parse(attrs["gen_ai.input.messages"] as string)).toEqual([{ role: "user", parts: [{ type: "text", content: started.prompt }] }]);
    expect(JSON.parse(attrs["gen_ai.system_instructions"] as string)[0].parts[0].content).toBe(started.system);
    expect(JSON.parse(JSON.parse(attrs["gen_ai.output.messages"] as string)[0].parts[0].content)).toEqual(finished.output);
    expect(JSON.parse(t.root.attrs["braid.run.output"] as string)).toEqual(t.body.output);
  });

  it("never exports a secret, even in content", async () => {
    const input = { country: fixture.canarySecrets.join(" and "), segment: `admins with apiKey ${fixture.canarySecrets[0]}` };
    const t = await runAndTrace(ctx, rx, "sequential", { body: JSON.stringify(input) });
    // The secrets really are in the run (its prompts), so the trace had them to leak.
    const log = JSON.stringify(t.events);
    for (const part of SECRET_PARTS) expect(log).toContain(part);
    const payload = rx.bodies.join("\n");
    for (const part of SECRET_PARTS) expect(payload).not.toContain(part);
    expect(t.root.attrs["braid.run.input"]).toContain("[redacted]");
    expect(t.nodeSpan("basic#1").attrs["gen_ai.input.messages"]).toContain("[redacted]");
  });
});

describe("OpenTelemetry across a restart", () => {
  it("traces a run resumed by the next start from its first event, in one trace", async () => {
    const rx = await receiver();
    const { dir, cleanup } = tempDir("braid-otel-");
    // A slow backend keeps the run going long enough to be suspended half-way.
    writeFileSync(
      join(dir, "backends.json"),
      JSON.stringify({ backends: [{ name: "slow", provider: "simulated", model: "sim-slow", simulation: { latencyMs: 150 } }] }),
    );
    const config = () =>
      configFromEnv({
        BRAID_DATA_DIR: dir,
        BRAID_PORT: "0",
        BRAID_SIM_LATENCY: "zero",
        BRAID_SHUTDOWN_GRACE_MS: "0",
        BRAID_OTEL_ENDPOINT: rx.endpoint,
        ...FAST,
      });
    const first = await createApp(config());
    let firstOpen = true;
    try {
      const seq = (await first.services.pipelines.get("sequential"))?.pipeline;
      if (!seq) throw new Error("sequential is not seeded");
      const nodes = seq.nodes.map((n) => (n.kind === "generate" ? { ...n, config: { ...n.config, backend: "slow" } } : n));
      const run = await first.services.manager.submit({ pipeline: { ...seq, nodes } });
      await waitFor("the first LLM node to finish", async () =>
        (await first.services.runs.events(run.id)).some((e) => e.event.type === "node_finished" && e.event.nodeId === "basic"),
      );
      await first.close();
      firstOpen = false;
      expect(rx.spans()).toEqual([]);
      const second = await createApp(config());
      try {
        expect(second.recovered).toContain(run.id);
        const root = await waitFor("the resumed run's trace", () => rx.spans().find((s) => s.attrs["braid.run.id"] === run.id), 8000);
        const events = (await second.services.runs.events(run.id)).map((e) => e.event);
        expect(root.startMs).toBe(events[0]?.at);
        expect(root.attrs["braid.run.status"]).toBe("completed");
        const spans = rx.spans().filter((s) => s.traceId === root.traceId);
        expect(spans.map((s) => s.attrs["braid.span"])).toContain("basic#1");
      } finally {
        await second.close();
      }
    } finally {
      if (firstOpen) await first.close();
      await rx.close();
      cleanup();
    }
  });
});

describe("OpenTelemetry export failures", () => {
  // The export timeout is long on purpose: were a run or the shutdown to wait on the receiver, it would take seconds.
  const SLOW = { ...FAST, OTEL_BSP_EXPORT_TIMEOUT: "8000" };

  async function timedRun(ctx: Awaited<ReturnType<typeof startApp>>): Promise<number> {
    const t0 = performance.now();
    const r = await json(`${ctx.url}/api/pipelines/sequential/runs?wait=true`, { method: "POST" });
    expect(r.body.status).toBe("completed");
    return performance.now() - t0;
  }

  for (const mode of ["hang", "500"] as const) {
    it(`a receiver that ${mode === "hang" ? "never answers" : "answers 500"} neither delays nor fails runs, and the server still closes promptly`, async () => {
      const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
      const rx = await receiver(mode);
      const baseline = await startApp();
      const ctx = await startApp({ BRAID_OTEL_ENDPOINT: rx.endpoint, ...SLOW });
      let stopped = false;
      try {
        const without = Math.max(await timedRun(baseline), await timedRun(baseline));
        await timedRun(ctx);
        await waitFor("an export to reach the receiver", () => rx.requests > 0, 3000);
        const timings = [await timedRun(ctx), await timedRun(ctx)];
        // Under load the two later runs' spans may share one batch: at least one more export, not two.
        await waitFor("the later exports", () => rx.requests >= (mode === "hang" ? 1 : 2), 6000);
        for (const ms of timings) expect(ms).toBeLessThan(without * 4 + 1500);
        const t0 = performance.now();
        await ctx.stop();
        stopped = true;
        expect(performance.now() - t0).toBeLessThan(2500);
        // No export outlives the server: the hung request is dropped, not left to its 8 s timeout.
        await waitFor("the exporter's connections to close", () => rx.openConnections === 0, 1000);
        if (mode === "500") {
          // Several failed exports, one line in the log.
          const lines = warn.mock.calls.filter((c) => String(c[0]).includes("OpenTelemetry export"));
          expect(lines).toHaveLength(1);
          expect(String(lines[0]?.[0])).toContain(rx.endpoint);
        }
      } finally {
        warn.mockRestore();
        if (!stopped) await ctx.stop();
        await baseline.stop();
        await rx.close();
      }
    });
  }
});

describe("OpenTelemetry configuration", () => {
  it("takes a base URL or a full /v1/traces URL, and names the variable when it is wrong", () => {
    expect(tracesUrlFrom("http://127.0.0.1:4318")).toBe("http://127.0.0.1:4318/v1/traces");
    expect(tracesUrlFrom("https://otel.example/api/public/otel/")).toBe("https://otel.example/api/public/otel/v1/traces");
    expect(tracesUrlFrom("http://127.0.0.1:4318/v1/traces")).toBe("http://127.0.0.1:4318/v1/traces");
    expect(configFromEnv({ BRAID_DATA_DIR: "/tmp/x" }).otel).toBeUndefined();
    expect(configFromEnv({ BRAID_DATA_DIR: "/tmp/x", BRAID_OTEL_ENDPOINT: "http://c:4318" }).otel).toMatchObject({ content: false, serviceName: "braid" });
    expect(() => configFromEnv({ BRAID_OTEL_ENDPOINT: "grpc://c:4317" })).toThrow(/BRAID_OTEL_ENDPOINT must use http/);
    expect(() => configFromEnv({ BRAID_OTEL_ENDPOINT: "not a url" })).toThrow(/BRAID_OTEL_ENDPOINT must be an http\(s\) URL/);
    expect(() => configFromEnv({ BRAID_OTEL_ENDPOINT: "http://c:4318", BRAID_OTEL_CONTENT: "yes" })).toThrow(/BRAID_OTEL_CONTENT/);
    expect(() => configFromEnv({ BRAID_OTEL_ENDPOINT: "http://c:4318", OTEL_BSP_MAX_QUEUE_SIZE: "-1" })).toThrow(/OTEL_BSP_MAX_QUEUE_SIZE/);
  });
});
