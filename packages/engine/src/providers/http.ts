import { type BodyWatch, newWatch, readErrorBody, watchBody } from "./body.js";
import { type EgressPolicy, checkEgress } from "./egress.js";

/** A request that was refused before it left: egress policy, a foreign host, a cross-host redirect. Never retried. */
export class EgressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EgressError";
  }
}

/** The last response the backend gave this call, for error messages the clients cannot give. */
export interface LastResponse {
  status?: number;
  headers?: Headers;
  /** An error response's body (status >= 400), read whole up to 64 KB. */
  errorBody?: string;
  /** What a 2xx answer's body looked like (see BodyWatch). */
  body?: BodyWatch;
}

const MAX_REDIRECTS = 5;

/**
 * The `fetch` handed to the LangChain clients. Every request must go to the backend's own origin
 * (so its key never goes anywhere else), passes the egress policy, carries the call's signal
 * (timeout and cancellation), and follows redirects by hand: same-origin ones are followed,
 * a redirect to another host is refused rather than followed with the key in its headers.
 */
export function guardedFetch(opts: {
  origin: string;
  policy: EgressPolicy;
  signal: AbortSignal;
  last: LastResponse;
  fetch?: typeof fetch;
  /** The backend's extra headers (`headers` in its configuration, values resolved), on every request. */
  headers?: Record<string, string>;
}): typeof fetch {
  const base = opts.fetch ?? globalThis.fetch;
  const guarded = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    let url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    let req: RequestInit = input instanceof Request ? { method: input.method, headers: input.headers, body: await input.clone().text(), ...init } : { ...init };
    req.signal = req.signal ? AbortSignal.any([req.signal, opts.signal]) : opts.signal;
    req.redirect = "manual";
    if (opts.headers && Object.keys(opts.headers).length) {
      const h = new Headers(req.headers);
      for (const [k, v] of Object.entries(opts.headers)) h.set(k, v);
      req.headers = h;
    }
    for (let hops = 0; ; hops++) {
      if (url.origin !== opts.origin) {
        throw new EgressError(`refused a request to ${url.origin}: a backend's requests, and its key, only go to its own base URL (${opts.origin})`);
      }
      const check = checkEgress(url.href, opts.policy);
      if (!check.ok) throw new EgressError(check.reason);
      const res = await base(url, req);
      const location = res.status >= 300 && res.status < 400 ? res.headers.get("location") : null;
      if (location === null) {
        opts.last.status = res.status;
        opts.last.headers = res.headers;
        delete opts.last.errorBody;
        delete opts.last.body;
        if (res.status >= 400) {
          const { text, res: copy } = await readErrorBody(res);
          opts.last.errorBody = text;
          return copy;
        }
        opts.last.body = newWatch();
        return watchBody(res, opts.last.body);
      }
      await res.body?.cancel().catch(() => {});
      const next = new URL(location, url);
      if (next.origin !== url.origin) {
        throw new EgressError(`the backend redirected to another host (${next.origin}); the redirect was not followed, so the key was not sent there`);
      }
      if (hops >= MAX_REDIRECTS) throw new EgressError(`more than ${MAX_REDIRECTS} redirects`);
      const method = (req.method ?? "GET").toUpperCase();
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === "POST")) {
        const { body: _body, ...rest } = req;
        req = { ...rest, method: "GET" };
      }
      url = next;
    }
  };
  return guarded as typeof fetch;
}
