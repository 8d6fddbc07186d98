import { isPlainObject } from "@braid/core";

/**
 * What the transport saw of a 2xx answer, for the messages the clients cannot give: its first
 * bytes, its size, whether it arrived whole, and an error the server put inside it (HTTP 200
 * then `data: {"error": …}`, Anthropic's `event: error`, Ollama's `{"error": "…"}` line, or a
 * plain JSON body `{"error": …}`). The LangChain clients turn those into bare messages; this is
 * what lets Braid classify them like HTTP errors.
 */
export interface BodyWatch {
  /** The first bytes of the body, as text. */
  head: string;
  bytes: number;
  /** The body was read to its end (not cut by the connection or abandoned by the client). */
  complete: boolean;
  format: "sse" | "ndjson" | "json" | "other";
  /** The first error object (or text) the server reported inside the answer. */
  inBand?: unknown;
  /** A whole JSON body that does not parse (cut off by a proxy, or not JSON at all). */
  invalidJson?: boolean;
}

const HEAD_BYTES = 2000;
/** JSON bodies up to this size are parsed again here to tell "cut off" and `{"error": …}` apart; larger ones are not. */
const JSON_BYTES = 1 << 20;
const ERROR_BODY_BYTES = 64 * 1024;

function formatOf(contentType: string | null): BodyWatch["format"] {
  const t = (contentType ?? "").toLowerCase();
  if (t.includes("event-stream")) return "sse";
  if (t.includes("ndjson") || t.includes("jsonl")) return "ndjson";
  if (t.includes("json")) return "json";
  return "other";
}

/** The error a parsed frame or line reports, if it is one. */
function errorIn(value: unknown, event?: string): unknown {
  if (event === "error") return isPlainObject(value) && value.error !== undefined ? value.error : value;
  if (!isPlainObject(value) || value.error === undefined || value.error === null) return undefined;
  // A normal chunk never carries `error`; some servers add `error: null` or an empty object.
  if (isPlainObject(value.error) && Object.keys(value.error).length === 0) return undefined;
  return value.error;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Reads an error response whole (bounded), so its message can be taken from the body itself. */
export async function readErrorBody(res: Response): Promise<{ text: string; res: Response }> {
  let text = "";
  try {
    const reader = res.body?.getReader();
    const decoder = new TextDecoder();
    let bytes = 0;
    while (reader) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      text += decoder.decode(value, { stream: true });
      if (bytes > ERROR_BODY_BYTES) {
        await reader.cancel().catch(() => {});
        break;
      }
    }
  } catch {
    // A body cut short still says what it said so far.
  }
  return { text, res: new Response(text, { status: res.status, statusText: res.statusText, headers: res.headers }) };
}

/** Passes a 2xx body through unchanged while filling `watch`. */
export function watchBody(res: Response, watch: BodyWatch): Response {
  if (!res.body) {
    watch.complete = true;
    return res;
  }
  watch.format = formatOf(res.headers.get("content-type"));
  const decoder = new TextDecoder();
  let line = "";
  let event: string | undefined;
  let data: string[] = [];
  let json = "";
  const note = (err: unknown) => {
    if (err !== undefined && watch.inBand === undefined) watch.inBand = err;
  };
  const frameEnd = () => {
    if (data.length) {
      const text = data.join("\n");
      if (event === "error" || text.includes('"error"')) note(errorIn(parse(text), event));
    }
    event = undefined;
    data = [];
  };
  const onLine = (l: string) => {
    if (watch.format === "ndjson") {
      if (l.includes('"error"')) note(errorIn(parse(l)));
      return;
    }
    if (l === "") frameEnd();
    else if (l.startsWith("event:")) event = l.slice(6).trim();
    else if (l.startsWith("data:")) data.push(l.slice(5).replace(/^ /, ""));
  };
  const take = (text: string) => {
    if (watch.head.length < HEAD_BYTES) watch.head += text.slice(0, HEAD_BYTES - watch.head.length);
    if (watch.format === "json") {
      if (json.length < JSON_BYTES) json += text;
      return;
    }
    if (watch.format === "other") return;
    line += text;
    let i: number;
    while ((i = line.indexOf("\n")) >= 0) {
      onLine(line.slice(0, i).replace(/\r$/, ""));
      line = line.slice(i + 1);
    }
  };
  const body = res.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        watch.bytes += chunk.byteLength;
        take(decoder.decode(chunk, { stream: true }));
        controller.enqueue(chunk);
      },
      flush() {
        take(decoder.decode());
        if (line !== "") onLine(line);
        frameEnd();
        if (watch.format === "json" && json.length < JSON_BYTES && json.trim() !== "") {
          const parsed = parse(json);
          if (typeof parsed === "string") watch.invalidJson = true;
          else note(errorIn(parsed));
        }
        watch.complete = true;
      },
    }),
  );
  return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
}

export const newWatch = (): BodyWatch => ({ head: "", bytes: 0, complete: false, format: "other" });
