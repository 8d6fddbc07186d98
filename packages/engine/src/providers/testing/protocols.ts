/**
 * The wire protocols the loopback stubs (stubs.ts) speak: how each provider writes an answer
 * (JSON or streamed), an error body, an error inside a 200 stream, and its model list.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Fault } from "./stubs.js";

export interface Protocol {
  chatPath: string;
  modelsPath: string;
  chat(ctx: {
    req: IncomingMessage;
    res: ServerResponse;
    body: any;
    fault: Fault;
    content: string;
    usage?: { input: number; output: number };
  }): Promise<void> | void;
  /** The body of an HTTP error. */
  errorBody(message: string): unknown;
  modelList(ids: string[]): unknown;
}

/** Splits text into `n` pieces (at least one). */
function pieces(text: string, n = 3): string[] {
  const cps = Array.from(text);
  const k = Math.max(1, Math.min(n, cps.length));
  return Array.from({ length: k }, (_, i) => cps.slice(Math.round((cps.length * i) / k), Math.round((cps.length * (i + 1)) / k)).join(""));
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

/** A JSON answer; `truncated` cuts it in half and says so in Content-Length, as a broken proxy would. */
function sendJson(res: ServerResponse, fault: Fault, doc: unknown): void {
  let text = JSON.stringify(doc);
  if (fault.type === "truncated") text = text.slice(0, Math.floor(text.length / 2));
  res.writeHead(200, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)) }).end(text);
}

const textPieces = (fault: Fault, content: string) => (fault.type === "empty" ? [] : pieces(content, fault.type === "ok" ? (fault.chunks ?? 3) : 3));

// ---------------------------------------------------------------------------------------------
// OpenAI chat completions
// ---------------------------------------------------------------------------------------------

const OPENAI_RATE_LIMIT = { message: "Rate limit reached for requests", type: "requests", code: "rate_limit_exceeded", param: null };

export const openAiProtocol: Protocol = {
  chatPath: "/v1/chat/completions",
  modelsPath: "/v1/models",
  errorBody: (message) => ({ error: { type: "stub_error", message } }),
  modelList: (ids) => ({ object: "list", data: ids.map((id) => ({ id, object: "model", created: 1_700_000_000, owned_by: "stub" })) }),
  async chat({ res, body, fault, content, usage }) {
    const id = "chatcmpl-stub";
    const created = Math.floor(Date.now() / 1000);
    const model = String(body?.model ?? "stub");
    const u = usage ? { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output } : undefined;
    const error = fault.type === "stream-error" ? (fault.error ?? OPENAI_RATE_LIMIT) : undefined;
    if (!body?.stream) {
      if (error !== undefined) return sendJson(res, fault, { error });
      const choices = fault.type === "empty" ? [] : [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop", logprobs: null }];
      return sendJson(res, fault, { id, object: "chat.completion", created, model, choices, ...(u ? { usage: u } : {}) });
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const frame = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
      frame({ id, object: "chat.completion.chunk", created, model, choices, ...extra });
    const texts = textPieces(fault, content);
    const parts: string[] = [];
    if (texts.length) parts.push(chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]));
    if (fault.type === "stream-error") {
      for (const p of texts.slice(0, fault.afterChunks ?? 0)) parts.push(chunk([{ index: 0, delta: { content: p }, finish_reason: null }]));
      parts.push(fault.sseEvent ? `event: error\ndata: ${JSON.stringify({ error })}\n\n` : frame({ error }));
      for (const p of parts) res.write(p);
      res.end();
      return;
    }
    for (const p of texts) parts.push(chunk([{ index: 0, delta: { content: p }, finish_reason: null }]));
    if (texts.length) parts.push(chunk([{ index: 0, delta: {}, finish_reason: "stop" }]));
    if (u && body?.stream_options?.include_usage) parts.push(chunk([], { usage: u }));
    parts.push("data: [DONE]\n\n");
    const dropAfter = fault.type === "drop" ? 1 + (fault.afterChunks ?? 1) : undefined;
    if (await writeParts(res, parts, dropAfter)) res.end();
  },
};

// ---------------------------------------------------------------------------------------------
// Ollama native /api/chat (NDJSON)
// ---------------------------------------------------------------------------------------------

export const ollamaProtocol: Protocol = {
  chatPath: "/api/chat",
  modelsPath: "/api/tags",
  // Ollama answers {"error": "..."}.
  errorBody: (message) => ({ error: message }),
  modelList: (ids) => ({
    models: ids.map((name) => ({ name, model: name, modified_at: "2026-01-01T00:00:00Z", size: 1, digest: "stub", details: { format: "gguf" } })),
  }),
  async chat({ res, body, fault, content, usage }) {
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
    const texts = textPieces(fault, content);
    const error = fault.type === "stream-error" ? (fault.error ?? "server busy, please try again") : undefined;
    if (body?.stream === false) {
      if (error !== undefined) return sendJson(res, fault, { error });
      return sendJson(res, fault, { ...done, message: { role: "assistant", content: texts.join("") } });
    }
    res.writeHead(200, { "content-type": "application/x-ndjson" });
    const line = (t: string) => `${JSON.stringify({ model, created_at: at, message: { role: "assistant", content: t }, done: false })}\n`;
    if (fault.type === "stream-error") {
      res.end([...texts.slice(0, fault.afterChunks ?? 0).map(line), `${JSON.stringify({ error })}\n`].join(""));
      return;
    }
    const parts = [...texts.map(line), `${JSON.stringify(done)}\n`];
    if (await writeParts(res, parts, fault.type === "drop" ? (fault.afterChunks ?? 1) : undefined)) res.end();
  },
};

// ---------------------------------------------------------------------------------------------
// Anthropic /v1/messages (SSE events)
// ---------------------------------------------------------------------------------------------

const ANTHROPIC_OVERLOADED = { type: "overloaded_error", message: "Overloaded" };

export const anthropicProtocol: Protocol = {
  chatPath: "/v1/messages",
  modelsPath: "/v1/models",
  errorBody: (message) => ({ type: "error", error: { type: "stub_error", message } }),
  modelList: (ids) => ({
    data: ids.map((id) => ({ type: "model", id, display_name: id, created_at: "2026-01-01T00:00:00Z" })),
    has_more: false,
    first_id: ids[0] ?? null,
    last_id: ids[ids.length - 1] ?? null,
  }),
  async chat({ res, body, fault, content, usage }) {
    const model = String(body?.model ?? "stub");
    const texts = textPieces(fault, content);
    const input = usage?.input ?? 0;
    const output = usage?.output ?? 0;
    const error = fault.type === "stream-error" ? (fault.error ?? ANTHROPIC_OVERLOADED) : undefined;
    if (!body?.stream) {
      if (error !== undefined) return sendJson(res, fault, { type: "error", error });
      return sendJson(res, fault, {
        id: "msg_stub",
        type: "message",
        role: "assistant",
        model,
        content: texts.length ? [{ type: "text", text: texts.join("") }] : [],
        stop_reason: "end_turn",
        stop_sequence: null,
        ...(usage ? { usage: { input_tokens: input, output_tokens: output } } : {}),
      });
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const ev = (type: string, data: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    const start = ev("message_start", {
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
    });
    const block = texts.length ? [ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } })] : [];
    const deltas = texts.map((t) => ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: t } }));
    if (fault.type === "stream-error") {
      res.end([start, ...block, ...deltas.slice(0, fault.afterChunks ?? 0), ev("error", { error })].join(""));
      return;
    }
    const parts = [
      start,
      ...block,
      ev("ping", {}),
      ...deltas,
      ...(texts.length ? [ev("content_block_stop", { index: 0 })] : []),
      ev("message_delta", { delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: output } }),
      ev("message_stop", {}),
    ];
    if (await writeParts(res, parts, fault.type === "drop" ? 3 + (fault.afterChunks ?? 1) : undefined)) res.end();
  },
};
