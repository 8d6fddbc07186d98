import { z } from "zod";
import type { Usage } from "../events.js";

export const PROVIDERS = ["simulated", "openai", "ollama", "anthropic"] as const;
export type Provider = (typeof PROVIDERS)[number];

/** Simulated-provider settings; ignored by real providers. */
export const SimulationSchema = z.object({
  /** Mean latency in ms. Deterministic unless `jitterMs` is set. */
  latencyMs: z.number().min(0).max(600_000).default(0),
  jitterMs: z.number().min(0).max(600_000).default(0),
  /** Probability (0..1) that a call fails with a retryable error, drawn from the seed. */
  failureRate: z.number().min(0).max(1).default(0),
  /** Probability (0..1) that a first draft contains a defect a critique can find. */
  defectRate: z.number().min(0).max(1).default(0),
  /** Emit streamed tokens in this many chunks (0 = no token events). */
  streamChunks: z.number().int().min(0).max(1000).default(0),
});
export type Simulation = z.infer<typeof SimulationSchema>;

/** Header names whose value is a credential: such a header may only take its value from an environment variable. */
const SECRET_HEADER = /authorization|cookie|key|token|secret|password|credential/i;
/** Headers the transport owns; a backend may not set them. */
const RESERVED_HEADERS = new Set(["host", "content-length", "content-type", "transfer-encoding", "connection", "accept-encoding"]);

/**
 * `{ "X-Org": "acme", "X-Gateway-Key": { "env": "GATEWAY_KEY" } }`: a literal value, or the name
 * of an environment variable read at call time (never stored). Literal values are refused for
 * header names that look like credentials, so a secret never lands in a backends file.
 */
export const HeadersSchema = z
  .record(
    z.string(),
    z.union([
      z
        .string()
        .max(4096)
        .regex(/^[^\r\n]*$/, "must be one line"),
      z.object({
        env: z
          .string()
          .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name")
          .refine((n) => !/^BRAID_/i.test(n), "Braid's own variables (BRAID_*) are never sent to a backend"),
      }),
    ]),
  )
  .superRefine((headers, ctx) => {
    for (const [name, value] of Object.entries(headers)) {
      if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name))
        ctx.addIssue({ code: "custom", path: [name], message: `"${name.slice(0, 100)}" is not an HTTP header name` });
      else if (RESERVED_HEADERS.has(name.toLowerCase())) ctx.addIssue({ code: "custom", path: [name], message: `header "${name}" is set by Braid itself` });
      else if (typeof value === "string" && SECRET_HEADER.test(name))
        ctx.addIssue({
          code: "custom",
          path: [name],
          message: `header "${name}" looks like a credential, so a literal value is refused; write { "env": "NAME" } with an environment variable that holds it`,
        });
    }
  });

/** A named backend. API keys are only ever referenced by environment variable name. */
export const BackendConfigSchema = z.object({
  name: z
    .string()
    .min(1)
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, "letters, digits, '_', '.', ':' and '-' only"),
  provider: z.enum(PROVIDERS),
  model: z.string().default("simulated"),
  baseUrl: z.string().optional(),
  apiKeyEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name, such as OPENAI_API_KEY")
    .optional(),
  maxTokens: z.number().int().positive().default(2048),
  temperature: z.number().min(0).max(2).default(0.7),
  timeoutMs: z.number().int().positive().default(60_000),
  retries: z.number().int().min(0).max(10).default(2),
  circuitBreaker: z.boolean().default(true),
  weight: z.number().min(0).default(1),
  enabled: z.boolean().default(true),
  /** A backend tried when this one fails after its retries. */
  fallback: z.string().optional(),
  /** Backends sharing a group can be addressed by the group name; calls pick by weight. */
  group: z.string().optional(),
  /** USD per 1,000 tokens. */
  pricing: z.object({ input: z.number().min(0).default(0), output: z.number().min(0).default(0) }).default({ input: 0, output: 0 }),
  simulation: SimulationSchema.optional(),
  description: z.string().optional(),
  /** At most this many calls in flight on this backend; further calls wait their turn (a bulkhead). */
  maxConcurrency: z.number().int().positive().max(10_000).optional(),
  /** Retry backoff base in ms: attempt n waits a random time up to base × 2^(n-1) (full jitter); default 1000, 20 when simulated. */
  retryDelayMs: z.number().int().min(0).max(600_000).optional(),
  /** The longest wait before a retry, Retry-After and rate-limit reset hints included; default 60 000 (a per-minute limit fits). */
  retryMaxDelayMs: z.number().int().min(0).max(3_600_000).optional(),
  /** Extra request headers sent on every request of this backend (e.g. a gateway's org or project header). */
  headers: HeadersSchema.optional(),
  /** Consecutive failures that open the circuit breaker (default 5), and how long it stays open (default 10 s). */
  breakerThreshold: z.number().int().positive().max(1000).optional(),
  breakerHalfOpenMs: z.number().int().min(0).max(3_600_000).optional(),
  /** Response cache TTL in ms for this backend; 0 or absent = cache only for nodes that ask (`cache: true`), with the pool's default TTL. */
  cacheTtlMs: z
    .number()
    .int()
    .min(0)
    .max(30 * 24 * 3_600_000)
    .optional(),
});
export type BackendConfig = z.infer<typeof BackendConfigSchema>;
export type BackendConfigInput = z.input<typeof BackendConfigSchema>;

/**
 * What the call is for, beyond the messages: a `type` the kind chooses (it also seeds the
 * simulated provider's random numbers) and whatever data the kind's `simulate` reads. Real
 * providers use the messages only (plus `json` for structured output). The runtime's own JSON
 * repair call is `{ type: "repair", broken }`.
 */
export interface LlmTask {
  type: string;
  [key: string]: unknown;
}

/**
 * What the simulated provider offers a kind's `simulate` to answer a call: the call's random
 * numbers (the same stream, so the draw order is the answer's) and its fake-data helpers.
 */
export interface SimulationTools {
  /** The call's deterministic random numbers. */
  rng(): number;
  /** Whether this call should answer with a defect a critique can find (`simulation.defectRate`). */
  readonly defective: boolean;
  /** 1–3 sentences that mention a few words of the prompt. */
  paragraph(prompt: string): string;
  /** Tidies a text and notes how many review issues it addresses. */
  rewrite(text: string, issues: readonly string[], prompt: string): string;
  fillSchema(schema: Record<string, unknown>): unknown;
  fillShape(shape: unknown): unknown;
  /** The defects a reviewer with this rubric finds in a value, one line each. */
  findDefects(value: unknown, rubric: readonly string[]): string[];
  /** The value with the defects named by these issues mended. */
  fixDefects(value: unknown, issues: readonly string[]): unknown;
  /** The value with one defect a critique can find, and where it is. */
  injectDefect(value: unknown): { value: unknown; path?: string };
  /** Field count + nesting depth + arrays (text: words / 10). */
  complexityOf(value: unknown): { fields: number; depth: number; arrays: number; score: number };
  /** JSON-looking strings read as the data they carry; anything else as is. */
  parseMaybe(value: unknown): unknown;
  /** The generic answer: JSON from `request.json` (schema, shape, count; a defect when `defective`), else a paragraph. */
  defaultAnswer(): string;
}

export interface LlmRequest {
  system?: string;
  prompt: string;
  temperature?: number;
  maxTokens?: number;
  /** Ask for JSON: either an example shape or a JSON Schema, optionally `count` items. */
  json?: { shape?: unknown; schema?: Record<string, unknown>; count?: number };
  task: LlmTask;
  /**
   * How the simulated provider answers this call (the runner sets it from the node kind's
   * `simulate`). In-process only: never serialised, hashed into cache keys or stored in events.
   */
  simulate?: (sim: SimulationTools) => string;
  /** Response cache for this call: true/false from the node; absent = the backend's `cacheTtlMs` decides. */
  cache?: boolean;
}

export interface CallContext {
  signal: AbortSignal;
  /** Deterministic key for this call (seed, node, visit, attempt); simulated output depends on it only. */
  seedKey: string;
  onToken?: (text: string) => void;
}

export interface CompletionResult {
  text: string;
  usage: Omit<Usage, "costUsd">;
  model: string;
}

/** One provider instance for one configured backend. */
export interface Backend {
  readonly config: BackendConfig;
  readonly simulated: boolean;
  complete(req: LlmRequest, ctx: CallContext): Promise<CompletionResult>;
}

/** A failure a retry may cure: timeouts, 408, 429, 5xx, dropped connections. */
export class RetryableError extends Error {
  readonly status?: number;
  readonly retryAfterMs?: number;
  constructor(message: string, opts: { status?: number; retryAfterMs?: number } = {}) {
    super(message);
    this.name = "RetryableError";
    if (opts.status !== undefined) this.status = opts.status;
    if (opts.retryAfterMs !== undefined) this.retryAfterMs = opts.retryAfterMs;
  }
}

/** A call that ran past its timeout (retryable; after the last retry the run reports E_BACKEND_TIMEOUT). */
export class BackendTimeoutError extends RetryableError {
  constructor(message: string) {
    super(message, { status: 408 });
    this.name = "BackendTimeoutError";
  }
}

export const costOf = (cfg: BackendConfig, inputTokens: number, outputTokens: number): number =>
  (inputTokens / 1000) * cfg.pricing.input + (outputTokens / 1000) * cfg.pricing.output;

/** About four characters a token: the estimate used when a provider reports no usage. */
export const estimateTokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4));

/** Whether a configured backend can take calls right now, and why not. */
export interface BackendAvailability {
  name: string;
  provider: string;
  simulated: boolean;
  enabled: boolean;
  available: boolean;
  reason?: string;
  group?: string;
}

/**
 * The background documents write `"$cache": N` inside a shape to ask for caching. Returns the
 * shape without the directive, and whether it asked.
 */
export function splitCacheDirective(shape: unknown): { shape: unknown; cache?: boolean } {
  if (shape === null || typeof shape !== "object" || Array.isArray(shape) || !Object.hasOwn(shape, "$cache")) return { shape };
  const { $cache, ...rest } = shape as Record<string, unknown>;
  return { shape: rest, cache: $cache !== false && $cache !== 0 && $cache !== null };
}
