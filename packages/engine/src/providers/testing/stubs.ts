/**
 * Loopback stub servers that speak the real wire protocols, for tests: OpenAI chat completions
 * (JSON and SSE streaming with the usage chunk), Ollama's native /api/chat (NDJSON) and
 * Anthropic's /v1/messages (SSE events), each with its model list (/v1/models, /api/tags). Each
 * request takes the next fault from a script, so a test can inject 429 with Retry-After, 5xx, a
 * slow first byte, a dropped connection, an error inside a 200 stream, a cut-off body, malformed
 * content, empty choices, any raw body or a redirect. The protocols are in protocols.ts.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fillSchema, fillShape } from "../../backends/fake-data.js";
import { createRng } from "../../backends/rng.js";
import { type Protocol, anthropicProtocol, ollamaProtocol, openAiProtocol } from "./protocols.js";

export type Fault =
  /** A normal answer. `content` overrides the stub's reply; `usage: false` omits usage. */
  | { type: "ok"; content?: string; usage?: boolean; chunks?: number }
  /** An HTTP error status, optionally with Retry-After (seconds) or retry-after-ms, and any other headers. */
  | {
      type: "status";
      status: number;
      retryAfter?: string;
      retryAfterMs?: number;
      message?: string | ((headers: IncomingMessage["headers"]) => string);
      headers?: Record<string, string>;
    }
  /**
   * HTTP 200, `afterChunks` content chunks, then an error inside the answer: `data: {"error": …}`
   * (OpenAI-compatible gateways; `event: error` with `sseEvent`), Anthropic's `event: error`,
   * Ollama's `{"error": "…"}` line. A non-streaming request gets a 200 JSON body `{"error": …}`.
   * `error` replaces the protocol's default error object (a rate limit, or Anthropic's overloaded).
   */
  | { type: "stream-error"; afterChunks?: number; error?: unknown; sseEvent?: boolean }
  /** Nothing (not even headers) for `delayMs`, then a normal answer. */
  | { type: "slow"; delayMs: number }
  /** Starts a streamed answer, sends `afterChunks` content chunks, then destroys the socket. */
  | { type: "drop"; afterChunks?: number }
  /** A non-streaming answer whose JSON body is cut off halfway (its Content-Length says the cut size, so the transport sees a whole body). */
  | { type: "truncated" }
  /** Exactly this body, with this status (default 200) and content type (default JSON). */
  | { type: "body"; body: string; status?: number; contentType?: string }
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
  /** The answer's text for a request body (default: a fixed sentence); the request headers too, for a stub that echoes them. */
  reply?: (body: any, headers: IncomingMessage["headers"]) => string;
  /** Usage reported for a normal answer. */
  usage?: { input: number; output: number };
  /** The model ids the model list route answers (default: "stub-model"). */
  models?: string[];
}

const DEFAULT_REPLY = "Braid stub says hello.";
export const sleep = (ms: number, res: ServerResponse) =>
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

async function startStub(protocol: Protocol, opts: StubOptions): Promise<Stub> {
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
    const route = path === protocol.chatPath ? "chat" : path === protocol.modelsPath && req.method === "GET" ? "models" : undefined;
    if (!route) {
      requests.push({ method: req.method ?? "", path, headers: req.headers, body, fault: "ok" });
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: `no route ${path}` } }));
      return;
    }
    const fault = queue.shift() ?? { type: "ok" };
    requests.push({ method: req.method ?? "", path, headers: req.headers, body, fault: fault.type });
    if (fault.type === "status") {
      const headers: Record<string, string> = { "content-type": "application/json", ...fault.headers };
      if (fault.retryAfter !== undefined) headers["retry-after"] = fault.retryAfter;
      if (fault.retryAfterMs !== undefined) headers["retry-after-ms"] = String(fault.retryAfterMs);
      const m = fault.message;
      const message = typeof m === "function" ? m(req.headers) : (m ?? `stub error ${fault.status}`);
      res.writeHead(fault.status, headers).end(JSON.stringify(protocol.errorBody(message)));
      return;
    }
    if (fault.type === "body") {
      res.writeHead(fault.status ?? 200, { "content-type": fault.contentType ?? "application/json" }).end(fault.body);
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
    if (route === "models") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(protocol.modelList(opts.models ?? ["stub-model"])));
      return;
    }
    const content =
      fault.type === "malformed"
        ? (fault.content ?? "{this is not: json,,")
        : fault.type === "empty"
          ? ""
          : fault.type === "ok" && fault.content !== undefined
            ? fault.content
            : (opts.reply ?? (() => DEFAULT_REPLY))(body, req.headers);
    const usage = fault.type === "ok" && fault.usage === false ? undefined : (opts.usage ?? { input: 12, output: 5 });
    try {
      await protocol.chat({ req, res, body, fault, content, ...(usage ? { usage } : {}) });
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

export const startOpenAiStub = (opts: StubOptions = {}) => startStub(openAiProtocol, opts);
export const startOllamaStub = (opts: StubOptions = {}) => startStub(ollamaProtocol, opts);
export const startAnthropicStub = (opts: StubOptions = {}) => startStub(anthropicProtocol, opts);

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
