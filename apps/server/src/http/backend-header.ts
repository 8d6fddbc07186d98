import type { IncomingMessage } from "node:http";
import type { BackendPool } from "@braid/engine";
import { unknownBackend } from "../backend-policy.js";
import { HttpError } from "./util.js";

const HEADERS = [
  ["x-braid-backend", "X-Braid-Backend"],
  ["x-llm-backend", "X-LLM-Backend"],
] as const;

/**
 * The backend a request asks every LLM node to run on (X-Braid-Backend, or X-LLM-Backend as the
 * background documents spell it), for runs and batches alike. An unknown name is a 400 that
 * names the header and the name, never a silent run on the simulated backends.
 */
export function requestedBackend(req: IncomingMessage, pool: BackendPool): string | undefined {
  for (const [key, label] of HEADERS) {
    const raw = req.headers[key];
    const name = Array.isArray(raw) ? raw[0] : raw;
    if (name === undefined) continue;
    const problem = unknownBackend(pool, name);
    if (problem) throw new HttpError(400, "E_UNKNOWN_BACKEND", `${label}: ${problem}`);
    return name;
  }
  return undefined;
}
