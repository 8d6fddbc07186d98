/**
 * Loopback stub servers that speak the real wire protocols, for tests: OpenAI chat completions
 * (JSON and SSE streaming with the usage chunk), Ollama's native /api/chat (NDJSON) and
 * Anthropic's /v1/messages (SSE events). Each request takes the next fault from a script, so a
 * test can inject 429 with Retry-After, 5xx, a slow first byte, a dropped connection, malformed
 * content, empty choices or a redirect.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fillSchema, fillShape } from "../../backends/fake-data.js";
import { createRng } from "../../backends/rng.js";

export type Fault =
  /** A normal answer. `content` overrides the stub's reply; `usage: false` omits usage. */
  | { type: "ok"; content?: string; usage?: boolean; chunks?: number }
  /** An HTTP error status, optionally with Retry-After (seconds) or retry-after-ms. */
  | { type: "status"; status: number; retryAfter?: string; retryAfterMs?: number; message?: string }
  /** Nothing (not even headers) for `delayMs`, then a normal answer. */
  | { type: "slow"; delayMs: number }
  /** Starts a streamed answer, sends `afterChunks` content chunks, then destroys the socket. */
  | { type: "drop"; afterChunks?: number }
  /** A normal answer whose content is not JSON. */
  | { type: "malformed"; content?: string }
  /** A 200 answer with no choices / no content at all. */
  | { type: "empty" }
  /** A redirect (307 by default) to `location`. */
  | { type: "redirect"; location: string; status?: number };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: any;
  fault: Fault["type"];
}

export interface Stub {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** The most requests that were open at once (for concurrency limits). */
  readonly maxInFlight: number;
  /** Faults for the next requests, in order; after them every request gets `ok`. */
  script(...faults: Fault[]): void;
  close(): Promise<void>;
}

export interface StubOptions {
  /** The answer's text for a request body (default: a fixed sentence). */
  reply?: (body: any) => string;
  /** Usage reported for a normal answer. */
  usage?: { input: number; output: number };
}

type Protocol = (ctx: {
  req: IncomingMessage;
  res: ServerResponse;
  body: any;
  fault: Fault;
  content: string;
  usage?: { input: number; output: number };
}) => Promise<void> | void;

const DEFAULT_REPLY = "Braid stub says hello.";
const sleep = (ms: number, res: ServerResponse) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    res.on("close", () => {
      clearTimeout(t);
      resolve();
    });
  });

/**
 * A reply that follows the JSON instructions Braid's providers put in the system prompt (shape,
 * schema, count), filled with plausible values; plain text when no JSON was asked for. With it, a
 * stub can stand in for a model on any pipeline.
 */
export function followInstructions(body: any): string {
  const system: string =
    typeof body?.system === "string"
      ? body.system
      : Array.isArray(body?.system)
        ? body.system.map((b: { text?: string }) => b.text ?? "").join("")
        : String((body?.messages ?? []).find((m: { role?: string }) => m.role === "system")?.content ?? "");
  const end = system.lastIndexOf(". Output JSON only");
  const rng = createRng(JSON.stringify(body?.messages ?? "").slice(0, 500));
  if (end < 0) return "A plain answer from the stub.";
  const start = Math.max(0, system.lastIndexOf("Reply with "));
  const schemaAt = system.indexOf("JSON Schema: ", start);
  const shapeAt = system.indexOf("): ", start);
  const count = Number(/a JSON array of exactly (\d+) items/.exec(system)?.[1] ?? 1);
  let one: () => unknown;
  if (schemaAt >= 0 && schemaAt < end) {
    const schema = JSON.parse(system.slice(schemaAt + "JSON Schema: ".length, end));
    one = () => fillSchema(schema, rng);
  } else if (shapeAt >= 0 && shapeAt < end) {
    const shape = JSON.parse(system.slice(shapeAt + 3, end));
    one = () => fillShape(shape, rng);
  } else one = () => ({ result: "stub" });
  return JSON.stringify(count > 1 ? Array.from({ length: count }, one) : one());
}

/** Splits text into `n` pieces (at least one). */
function pieces(text: string, n = 3): string[] {
  const cps = Array.from(text);
  const k = Math.max(1, Math.min(n, cps.length));
  return Array.from({ length: k }, (_, i) => cps.slice(Math.round((cps.length * i) / k), Math.round((cps.length * (i + 1)) / k)).join(""));
}

async function startStub(protocol: Protocol, paths: RegExp, opts: StubOptions): Promise<Stub> {
  const queue: Fault[] = [];
  const requests: RecordedRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server: Server = createServer(async (req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on("close", () => inFlight--);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    let body: any;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (!paths.test(path)) {
      requests.push({ method: req.method ?? "", path, headers: req.headers, body, fault: "ok" });
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: `no route ${path}` } }));
      return;
    }
    const fault = queue.shift() ?? { type: "ok" };
    requests.push({ method: req.method ?? "", path, headers: req.headers, body, fault: fault.type });
    if (fault.type === "status") {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (fault.retryAfter !== undefined) headers["retry-after"] = fault.retryAfter;
      if (fault.retryAfterMs !== undefined) headers["retry-after-ms"] = String(fault.retryAfterMs);
      const message = fault.message ?? `stub error ${fault.status}`;
      // Ollama answers {"error": "..."}; OpenAI and Anthropic {"error": {"message": ...}}.
      res
        .writeHead(fault.status, headers)
        .end(JSON.stringify(path.startsWith("/api/") ? { error: message } : { type: "error", error: { type: "stub_error", message } }));
      return;
    }
    if (fault.type === "redirect") {
      res.writeHead(fault.status ?? 307, { location: fault.location }).end();
      return;
    }
    if (fault.type === "slow") {
      await sleep(fault.delayMs, res);
      if (res.destroyed || res.writableEnded || req.socket.destroyed) return;
    }
    const content =
      fault.type === "malformed"
        ? (fault.content ?? "{this is not: json,,")
        : fault.type === "empty"
          ? ""
          : fault.type === "ok" && fault.content !== undefined
            ? fault.content
            : (opts.reply ?? (() => DEFAULT_REPLY))(body);
    const usage = fault.type === "ok" && fault.usage === false ? undefined : (opts.usage ?? { input: 12, output: 5 });
    try {
      await protocol({ req, res, body, fault, content, ...(usage ? { usage } : {}) });
    } catch {
      res.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    get maxInFlight() {
      return maxInFlight;
    },
    script: (...faults) => queue.push(...faults),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Writes `parts` as a stream and destroys the socket after `dropAfter` of them, when set. */
async function writeParts(res: ServerResponse, parts: string[], dropAfter: number | undefined): Promise<boolean> {
  for (let i = 0; i < parts.length; i++) {
    if (dropAfter !== undefined && i === dropAfter) {
      // Let the bytes already written reach the client, then cut the connection mid-stream.
      await new Promise((r) => setTimeout(r, 20));
      res.socket?.destroy();
      return false;
    }
    res.write(parts[i]);
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// OpenAI chat completions
// ---------------------------------------------------------------------------------------------

const openAiProtocol: Protocol = async ({ res, body, fault, content, usage }) => {
  const id = "chatcmpl-stub";
  const created = Math.floor(Date.now() / 1000);
  const model = String(body?.model ?? "stub");
  const u = usage ? { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output } : undefined;
  if (!body?.stream) {
    const choices = fault.type === "empty" ? [] : [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop", logprobs: null }];
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ id, object: "chat.completion", created, model, choices, ...(u ? { usage: u } : {}) }));
    return;
  }
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  const frame = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => frame({ id, object: "chat.completion.chunk", created, model, choices, ...extra });
  const parts: string[] = [];
  if (fault.type !== "empty") {
    parts.push(chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]));
    for (const p of pieces(content, fault.type === "ok" ? (fault.chunks ?? 3) : 3))
      parts.push(chunk([{ index: 0, delta: { content: p }, finish_reason: null }]));
    parts.push(chunk([{ index: 0, delta: {}, finish_reason: "stop" }]));
  }
  if (u && body?.stream_options?.include_usage) parts.push(chunk([], { usage: u }));
  parts.push("data: [DONE]\n\n");
  const dropAfter = fault.type === "drop" ? 1 + (fault.afterChunks ?? 1) : undefined;
  if (await writeParts(res, parts, dropAfter)) res.end();
};

export const startOpenAiStub = (opts: StubOptions = {}) => startStub(openAiProtocol, /^\/v1\/chat\/completions$/, opts);

// ---------------------------------------------------------------------------------------------
// Ollama native /api/chat (NDJSON)
// ---------------------------------------------------------------------------------------------

const ollamaProtocol: Protocol = async ({ res, body, fault, content, usage }) => {
  const model = String(body?.model ?? "stub");
  const at = new Date().toISOString();
  const done = {
    model,
    created_at: at,
    message: { role: "assistant", content: "" },
    done: true,
    done_reason: "stop",
    total_duration: 1000,
    ...(usage ? { prompt_eval_count: usage.input, eval_count: usage.output } : {}),
  };
  const texts = fault.type === "empty" ? [] : pieces(content, fault.type === "ok" ? (fault.chunks ?? 3) : 3);
  if (body?.stream === false) {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ...done, message: { role: "assistant", content: texts.join("") } }));
    return;
  }
  res.writeHead(200, { "content-type": "application/x-ndjson" });
  const parts = [
    ...texts.map((t) => `${JSON.stringify({ model, created_at: at, message: { role: "assistant", content: t }, done: false })}\n`),
    `${JSON.stringify(done)}\n`,
  ];
  if (await writeParts(res, parts, fault.type === "drop" ? (fault.afterChunks ?? 1) : undefined)) res.end();
};

export const startOllamaStub = (opts: StubOptions = {}) => startStub(ollamaProtocol, /^\/api\/chat$/, opts);

// ---------------------------------------------------------------------------------------------
// Anthropic /v1/messages (SSE events)
// ---------------------------------------------------------------------------------------------

const anthropicProtocol: Protocol = async ({ res, body, fault, content, usage }) => {
  const model = String(body?.model ?? "stub");
  const texts = fault.type === "empty" ? [] : pieces(content, fault.type === "ok" ? (fault.chunks ?? 3) : 3);
  const input = usage?.input ?? 0;
  const output = usage?.output ?? 0;
  if (!body?.stream) {
    const msg = {
      id: "msg_stub",
      type: "message",
      role: "assistant",
      model,
      content: texts.length ? [{ type: "text", text: texts.join("") }] : [],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: { input_tokens: input, output_tokens: output },
    };
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(msg));
    return;
  }
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  const ev = (type: string, data: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const parts = [
    ev("message_start", {
      message: {
        id: "msg_stub",
        type: "message",
        role: "assistant",
        content: [],
        model,
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: input, output_tokens: usage ? 1 : 0 },
      },
    }),
    ...(texts.length ? [ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } })] : []),
    ev("ping", {}),
    ...texts.map((t) => ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: t } })),
    ...(texts.length ? [ev("content_block_stop", { index: 0 })] : []),
    ev("message_delta", { delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: output } }),
    ev("message_stop", {}),
  ];
  if (await writeParts(res, parts, fault.type === "drop" ? 3 + (fault.afterChunks ?? 1) : undefined)) res.end();
};

export const startAnthropicStub = (opts: StubOptions = {}) => startStub(anthropicProtocol, /^\/v1\/messages$/, opts);

/** A plain server that records whether anything reached it (the target of a refused redirect). */
export async function startCanary(): Promise<{ url: string; hits: RecordedRequest[]; close(): Promise<void> }> {
  const hits: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    hits.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: undefined, fault: "ok" });
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
