/**
 * OpenAI chat completions without a client library: one POST through the guarded fetch, the
 * answer read as JSON or as SSE. The LangChain chat model (client options, callback manager,
 * message classes, stream plumbing) cost several times the request itself per call; this path is
 * taken when LangSmith tracing is off (see ChatBackend.directCall). Errors are thrown the way
 * toBackendError reads them: an HTTP status on the error, the body already kept by the guard.
 */
import type { DirectAnswer, DirectCall } from "./chat.js";

/** What toBackendError reads from a failed response (status; the guard kept body and headers). */
class HttpStatusError extends Error {
  constructor(readonly status: number) {
    super(`${status} status code`);
    this.name = "HttpStatusError";
  }
}

type Usage = { prompt_tokens?: number; completion_tokens?: number } | undefined;
const usageOf = (u: Usage) => (u ? { input: u.prompt_tokens ?? 0, output: u.completion_tokens ?? 0 } : undefined);

export async function openAiChat(p: DirectCall): Promise<DirectAnswer> {
  const stream = p.onToken !== undefined;
  const body = {
    model: p.config.model,
    messages: p.messages,
    ...(p.temperature !== undefined ? { temperature: p.temperature } : {}),
    ...(p.maxTokens !== undefined ? { max_tokens: p.maxTokens } : {}),
    stream,
    ...(stream ? { stream_options: { include_usage: true } } : {}),
    ...p.jsonOptions,
  };
  const res = await p.fetch(`${p.baseUrl.replace(/\/+$/, "")}/chat/completions`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: stream ? "text/event-stream" : "application/json",
      authorization: `Bearer ${p.apiKey ?? "not-needed"}`,
    },
    // No signal here: the guarded fetch binds the call's own (timeout and cancellation).
    body: JSON.stringify(body),
  });
  if (res.status >= 400) {
    await res.body?.cancel().catch(() => {});
    throw new HttpStatusError(res.status);
  }
  if (!stream) {
    const json = (await res.json()) as { choices?: Array<{ message?: { content?: unknown } }>; usage?: Usage };
    const content = json?.choices?.[0]?.message?.content;
    return { text: typeof content === "string" ? content : "", usage: usageOf(json?.usage) };
  }
  let text = "";
  let usage: DirectAnswer["usage"];
  for await (const data of sseData(res)) {
    if (data === "[DONE]") break;
    const chunk = JSON.parse(data) as { choices?: Array<{ delta?: { content?: unknown } }>; usage?: Usage; error?: unknown };
    // The guard has recorded the in-band error; the backend classifies it from there.
    if (chunk?.error) throw new Error("the server reported an error inside the stream");
    const t = chunk?.choices?.[0]?.delta?.content;
    if (typeof t === "string" && t) {
      text += t;
      p.onToken?.(t);
    }
    usage = usageOf(chunk?.usage) ?? usage;
  }
  return { text, usage };
}

/** The `data` of each server-sent event (multi-line data joined with newlines). */
async function* sseData(res: Response): AsyncGenerator<string> {
  if (!res.body) return;
  const decoder = new TextDecoder();
  let buf = "";
  let data: string[] = [];
  for await (const bytes of res.body as unknown as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(bytes, { stream: true });
    let nl = buf.indexOf("\n");
    while (nl >= 0) {
      const line = buf.slice(0, buf[nl - 1] === "\r" ? nl - 1 : nl);
      buf = buf.slice(nl + 1);
      if (line === "") {
        if (data.length) yield data.join("\n");
        data = [];
      } else if (line.startsWith("data:")) data.push(line.slice(line[5] === " " ? 6 : 5));
      nl = buf.indexOf("\n");
    }
  }
  if (data.length) yield data.join("\n");
}
