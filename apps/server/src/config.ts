import { resolve } from "node:path";
import { type OtelConfig, otelConfigFromEnv } from "./otel/config.js";
import { type QueueConfig, queueConfigFromEnv } from "./queue/config.js";
import { type PipelineLimits, pipelineLimitsFromEnv } from "./queue/limits.js";
import { MAX_JSON_DEPTH } from "@braid/engine";
import { maskUrl } from "./mask-url.js";

export interface ServerConfig {
  host: string;
  port: number;
  dataDir: string;
  /**
   * BRAID_DATABASE_URL (postgres://…): pipelines, runs, events, checkpoints, datasets, experiments
   * and the optimizer's records in PostgreSQL instead of the data folder's SQLite files.
   */
  databaseUrl?: string;
  /** Set when any token is configured (the first of them), so "a token is required" checks keep one field. */
  token?: string;
  /** Every accepted token with its name (BRAID_TOKENS, plus BRAID_TOKEN as `token`); the name is the audit actor. */
  tokens?: Array<{ name: string; token: string }>;
  /** Runs executing at once. */
  maxConcurrentRuns: number;
  /** Runs of one saved pipeline executing at once (BRAID_PIPELINE_CONCURRENCY); the others wait without holding back other pipelines. */
  pipelineConcurrency: PipelineLimits;
  /** Runs waiting beyond that; past it, new runs get 429. */
  queueLimit: number;
  /** Largest request body accepted, in bytes. */
  bodyLimit: number;
  /** Simulated latency profile: `zero` makes every simulated call instant (tests, load). */
  simLatency: "realistic" | "zero";
  /** How long SIGTERM waits for running runs before suspending them for the next start. */
  shutdownGraceMs: number;
  /** Serve the built web app from this folder when it exists. */
  webDir: string;
  /** OpenTelemetry trace export, when BRAID_OTEL_ENDPOINT is set. */
  otel?: OtelConfig;
  /** Host names (`name` for any port, or `name:port`) accepted besides IP literals, `localhost` and `host` (BRAID_ALLOWED_HOSTS). */
  allowedHosts: string[];
  /** Deepest JSON nesting accepted in request bodies and tRPC inputs. */
  maxJsonDepth: number;
  /** Failed logins one client address may make per window before it gets 429. */
  loginRateLimit: { maxFailures: number; windowMs: number };
  /** Milliseconds between optimizer cycles (BRAID_OPTIMIZER_INTERVAL_MS, default 15 minutes); 0 runs cycles only on trigger. */
  optimizerIntervalMs: number;
  /** The rolling window of live metrics: the last `runs` runs, none older than `ms` (BRAID_OPTIMIZER_WINDOW_RUNS, BRAID_OPTIMIZER_WINDOW_MS). */
  optimizerWindow: { runs: number; ms: number };
  /** Queue mode (BRAID_REDIS_URL): runs wait on BullMQ and any worker process executes them. */
  queue?: QueueConfig;
  /** The clock for rate limits (tests inject one); Date.now when absent. */
  now?: () => number;
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost", "[::1]"]);
export const isLoopback = (host: string): boolean => LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);

function intEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
}

/**
 * The data folder, relative to where the user ran the command: `pnpm start` runs the server from
 * apps/server, and pnpm passes the user's directory as INIT_CWD.
 */
export function dataDirFrom(env: NodeJS.ProcessEnv = process.env, override?: string): string {
  return resolve(env.INIT_CWD || process.cwd(), override || env.BRAID_DATA_DIR || "./data");
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const host = env.BRAID_HOST || "127.0.0.1";
  const tokens = tokensFromEnv(env);
  const token = tokens[0]?.token;
  if (!isLoopback(host) && !token) {
    throw new Error(`refusing to listen on ${host} without BRAID_TOKEN: set BRAID_TOKEN, or keep BRAID_HOST on a loopback address`);
  }
  const simLatency = env.BRAID_SIM_LATENCY || "realistic";
  if (simLatency !== "realistic" && simLatency !== "zero") throw new Error(`BRAID_SIM_LATENCY must be "realistic" or "zero", got "${simLatency}"`);
  const cfg: ServerConfig = {
    host,
    port: intEnv(env, "BRAID_PORT", 5116),
    dataDir: dataDirFrom(env),
    maxConcurrentRuns: Math.max(1, intEnv(env, "BRAID_MAX_RUNS", 32)),
    pipelineConcurrency: pipelineLimitsFromEnv(env),
    queueLimit: intEnv(env, "BRAID_QUEUE_LIMIT", 1000),
    bodyLimit: intEnv(env, "BRAID_BODY_LIMIT", 1024 * 1024),
    simLatency,
    shutdownGraceMs: intEnv(env, "BRAID_SHUTDOWN_GRACE_MS", 5000),
    webDir: resolve(env.BRAID_WEB_DIR || new URL("../../web/dist", import.meta.url).pathname),
    allowedHosts: (env.BRAID_ALLOWED_HOSTS ?? "")
      .split(",")
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
    maxJsonDepth: Math.max(1, intEnv(env, "BRAID_MAX_JSON_DEPTH", MAX_JSON_DEPTH)),
    loginRateLimit: { maxFailures: Math.max(1, intEnv(env, "BRAID_LOGIN_MAX_FAILURES", 10)), windowMs: intEnv(env, "BRAID_LOGIN_WINDOW_MS", 60_000) },
    optimizerIntervalMs: intEnv(env, "BRAID_OPTIMIZER_INTERVAL_MS", 15 * 60_000),
    optimizerWindow: {
      runs: Math.max(1, intEnv(env, "BRAID_OPTIMIZER_WINDOW_RUNS", 500)),
      ms: Math.max(1, intEnv(env, "BRAID_OPTIMIZER_WINDOW_MS", 3_600_000)),
    },
  };
  if (token) {
    cfg.token = token;
    cfg.tokens = tokens;
  }
  const otel = otelConfigFromEnv(env);
  if (otel) cfg.otel = otel;
  const queue = queueConfigFromEnv(env, cfg.maxConcurrentRuns, cfg.pipelineConcurrency);
  if (queue) cfg.queue = queue;
  const databaseUrl = env.BRAID_DATABASE_URL?.trim();
  if (databaseUrl) {
    if (!/^postgres(ql)?:\/\//.test(databaseUrl))
      throw new Error(`BRAID_DATABASE_URL must start with postgres:// or postgresql://, got "${maskUrl(databaseUrl)}"`);
    cfg.databaseUrl = databaseUrl;
  }
  return cfg;
}

/** BRAID_TOKENS=name:token,other:token2 (names are audit actors) and BRAID_TOKEN (named `token`); a malformed entry stops the start, naming the entry by position only. */
export function tokensFromEnv(env: NodeJS.ProcessEnv): Array<{ name: string; token: string }> {
  const out: Array<{ name: string; token: string }> = [];
  if (env.BRAID_TOKEN) out.push({ name: "token", token: env.BRAID_TOKEN });
  (env.BRAID_TOKENS ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean)
    .forEach((entry, i) => {
      const at = entry.indexOf(":");
      const name = at > 0 ? entry.slice(0, at).trim() : "";
      const token = at > 0 ? entry.slice(at + 1).trim() : "";
      // The message never echoes the entry: it holds a secret.
      if (!/^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/.test(name) || token === "")
        throw new Error(`BRAID_TOKENS entry ${i + 1}: expected name:token (name of letters, digits, _ . @ -; a non-empty token)`);
      if (name === "local" || name === "optimizer") throw new Error(`BRAID_TOKENS entry ${i + 1}: "${name}" is reserved for the server's own actors`);
      if (out.some((t) => t.name === name)) throw new Error(`BRAID_TOKENS entry ${i + 1}: the name "${name}" is used twice`);
      out.push({ name, token });
    });
  return out;
}

const TRACING_VARS = ["LANGCHAIN_TRACING_V2", "LANGCHAIN_TRACING", "LANGSMITH_TRACING", "LANGSMITH_TRACING_V2"];

/**
 * LangChain sends every prompt to LangSmith when these variables are set. That is egress the
 * egress policy cannot see, so Braid turns it off unless BRAID_ALLOW_LANGSMITH=1 says otherwise.
 */
export function disableLangSmithTracing(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.BRAID_ALLOW_LANGSMITH === "1") return [];
  const disabled = TRACING_VARS.filter((k) => env[k] !== undefined && env[k] !== "false");
  for (const k of disabled) env[k] = "false";
  return disabled;
}
