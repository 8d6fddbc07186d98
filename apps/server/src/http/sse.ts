import type { ServerResponse } from "node:http";

/** How often an idle stream sends a comment, so proxies and browsers keep the connection. */
const PING_MS = 15_000;

/**
 * Serves one server-sent-events stream: the headers, an opening comment, a ping while idle, and
 * the end. `frames` yields ready-made frames until the stream is over; it gets a signal that
 * aborts when the client goes away, and must stop then. Runs and batches both stream through here.
 */
export async function serveSse(res: ServerResponse, title: string, frames: (signal: AbortSignal) => AsyncIterable<string>): Promise<void> {
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", connection: "keep-alive", "x-accel-buffering": "no" });
  res.write(`: ${title}\n\n`);
  const closed = new AbortController();
  res.on("close", () => closed.abort());
  const ping = setInterval(() => res.write(": ping\n\n"), PING_MS);
  try {
    for await (const frame of frames(closed.signal)) {
      if (closed.signal.aborted) break;
      res.write(frame);
    }
  } finally {
    clearInterval(ping);
    res.end();
  }
}

/** Items pushed by a listener, read in order as an async iterable; `close` unsubscribes. */
export interface Subscription<T> extends AsyncIterable<T> {
  close(): void;
}

/**
 * Subscribes at once (so nothing published after this call is missed, even before the first
 * read) and reads until the item `isLast` accepts, `close`, or `signal` aborts.
 */
export function subscription<T>(subscribe: (listener: (item: T) => void) => () => void, isLast: (item: T) => boolean, signal: AbortSignal): Subscription<T> {
  const queue: T[] = [];
  let wake: (() => void) | undefined;
  let closed = false;
  const unsubscribe = subscribe((item) => {
    queue.push(item);
    wake?.();
  });
  const close = () => {
    if (closed) return;
    closed = true;
    unsubscribe();
    signal.removeEventListener("abort", close);
    wake?.();
  };
  signal.addEventListener("abort", close);
  async function* read(): AsyncGenerator<T> {
    try {
      while (!closed || queue.length > 0) {
        const item = queue.shift();
        if (item === undefined) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = undefined;
          continue;
        }
        yield item;
        if (isLast(item)) return;
      }
    } finally {
      close();
    }
  }
  return { [Symbol.asyncIterator]: read, close };
}
