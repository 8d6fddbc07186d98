/**
 * The simulated provider: Braid's offline default for demos, tests and benchmarks. Its text is a
 * pure function of (config, request, seedKey), so a stored run replays byte-for-byte; the request's
 * resolved prompt and task data are part of that, so editing a prompt or the input changes the
 * answer, and fields that ask for names, categories or titles take the prompt's words. A node
 * kind's `simulate` (attached to the request by the runner) answers its calls plausibly with the
 * tools given here (critiques find the defects it injected, revisions fix them), which lets
 * validation loops, routing and consensus behave realistically without a model. It names no kind.
 */
import {
  isPlainObject,
  type Backend,
  type BackendConfig,
  type CallContext,
  type CompletionResult,
  type LlmRequest,
  RetryableError,
  type Simulation,
  SimulationSchema,
  type SimulationTools,
  estimateTokens,
  stableStringify,
} from "@braid/core";
import { fillSchema, fillShape, findDefects, fixDefects, injectDefect, type Topic, topicOf } from "./fake-data.js";
import { type Rng, createRng, hashString, intBetween, pick } from "./rng.js";
import { locallyRepaired } from "../run/llm-json.js";

const DEFAULTS: Simulation = SimulationSchema.parse({});
/** Guards memory when a pipeline asks for an absurd `count`. */
const MAX_COUNT = 100_000;

export class SimulatedBackend implements Backend {
  readonly simulated = true;
  readonly config: BackendConfig;
  private readonly sim: Simulation;

  constructor(config: BackendConfig) {
    this.config = config;
    this.sim = config.simulation ?? DEFAULTS;
  }

  async complete(req: LlmRequest, ctx: CallContext): Promise<CompletionResult> {
    const { signal } = ctx;
    if (signal.aborted) throw abortError(signal);
    const key = `${this.config.name}|${ctx.seedKey}|${req.task.type}`;
    const rng = createRng(key);
    // Drawn from the call's key alone: editing a prompt changes what a call says, never how long
    // it takes, whether it fails or whether its draft carries a defect (so two versions of a
    // pipeline compared on one seed meet the same faults).
    const jitter = (rng() * 2 - 1) * this.sim.jitterMs;
    const delay = Math.max(0, Math.round(this.sim.latencyMs + jitter));
    const fails = rng() < this.sim.failureRate;
    const defective = rng() < this.sim.defectRate;

    if (fails) {
      if (delay > 0) await sleep(delay, signal);
      throw new RetryableError("simulated failure (HTTP 503)", { status: 503 });
    }
    const text = respond(req, createRng(`${key}|${contentHash(req)}`), defective);
    const onToken = ctx.onToken;
    if (onToken && this.sim.streamChunks > 0) {
      const chunks = splitChunks(text, this.sim.streamChunks);
      let elapsed = 0;
      for (let i = 0; i < chunks.length; i++) {
        // Spread the chunks evenly over the latency; with none, emit them synchronously.
        const due = Math.round((delay * (i + 1)) / chunks.length);
        if (due > elapsed) await sleep(due - elapsed, signal);
        elapsed = due;
        onToken(chunks[i] as string);
      }
    } else if (delay > 0) {
      await sleep(delay, signal);
    }
    return {
      text,
      usage: { inputTokens: estimateTokens((req.system ?? "") + req.prompt), outputTokens: estimateTokens(text), estimated: false },
      model: this.config.model,
    };
  }
}

function abortError(signal: AbortSignal): Error {
  const err = new Error("simulated call aborted", { cause: signal.reason });
  err.name = "AbortError";
  return err;
}

/** Only called with ms > 0: the zero-latency path never touches timers (benchmarks). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortError(signal));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Roughly equal chunks on code-point boundaries, so no chunk holds half a surrogate pair. */
export function splitChunks(text: string, n: number): string[] {
  const cps = Array.from(text);
  const parts = Math.min(n, cps.length);
  const out: string[] = [];
  for (let i = 0; i < parts; i++) out.push(cps.slice(Math.round((cps.length * i) / parts), Math.round((cps.length * (i + 1)) / parts)).join(""));
  return out;
}

function respond(req: LlmRequest, rng: Rng, defective: boolean): string {
  const tools = simulationTools(req, rng, defective);
  if (req.simulate) return req.simulate(tools);
  // JSON repair is the runtime's own call, whatever the kind.
  if (req.task.type === "repair") return repairJson(typeof req.task.broken === "string" ? req.task.broken : "");
  return tools.defaultAnswer();
}

/**
 * What the call says: the resolved system and prompt text and the kind's task data (a critique's
 * subject, a revision's issues). Hashed rather than concatenated into the seed, so a long prompt
 * costs one pass.
 */
function contentHash(req: LlmRequest): string {
  const { type: _type, ...data } = req.task;
  return hashString(`${req.system ?? ""}\u0000${req.prompt}\u0000${Object.keys(data).length > 0 ? stableStringify(data) : ""}`).toString(36);
}

/** What a kind's `simulate` answers with: the call's random numbers and the fake-data helpers. */
function simulationTools(req: LlmRequest, rng: Rng, defective: boolean): SimulationTools {
  let topic: Topic | undefined;
  const about = (): Topic => (topic ??= topicOf(req.prompt));
  return {
    rng,
    defective,
    paragraph: (prompt) => paragraph(prompt, rng),
    rewrite: (text, issues, prompt) => rewrite(text, issues, prompt, rng),
    fillSchema: (schema) => fillSchema(schema, rng, about()),
    fillShape: (shape) => fillShape(shape, rng, { topic: about() }),
    findDefects: (value, rubric) => findDefects(value, rubric),
    fixDefects: (value, issues) => fixDefects(value, issues, about()),
    injectDefect: (value) => injectDefect(value, rng),
    complexityOf,
    parseMaybe,
    defaultAnswer: () => defaultAnswer(req, rng, defective, about()),
  };
}

/** The generic answer: JSON from the request's schema, shape and count (a defect when defective), else a paragraph. */
function defaultAnswer(req: LlmRequest, rng: Rng, defective: boolean, topic: Topic): string {
  const json = req.json;
  if (!json) return paragraph(req.prompt, rng);
  const one = (): unknown =>
    json.schema
      ? fillSchema(json.schema, rng, topic)
      : json.shape !== undefined
        ? fillShape(json.shape, rng, { topic })
        : { result: paragraph(req.prompt, rng) };
  const count = Math.min(MAX_COUNT, Math.floor(json.count ?? 1));
  let value = count > 1 ? Array.from({ length: count }, one) : one();
  if (defective) value = injectDefect(value, rng).value;
  return JSON.stringify(value);
}

/** Task payloads may hold model text; JSON-looking strings are read as the data they carry. */
function parseMaybe(v: unknown): unknown {
  if (typeof v !== "string") return v;
  const t = v.trim();
  if (!t.startsWith("{") && !t.startsWith("[")) return v;
  try {
    return JSON.parse(t);
  } catch {
    return v;
  }
}

export interface Complexity {
  fields: number;
  depth: number;
  arrays: number;
  score: number;
}

/** The brief's complexity measure: field count + nesting depth + arrays; text counts words. */
export function complexityOf(v: unknown): Complexity {
  let fields = 0;
  let arrays = 0;
  const walk = (x: unknown, d: number): number => {
    if (d > 64) return d;
    if (Array.isArray(x)) {
      arrays++;
      return Math.max(d + 1, ...x.map((y) => walk(y, d + 1)));
    }
    if (isPlainObject(x)) {
      const vals = Object.values(x);
      fields += vals.length;
      return Math.max(d + 1, ...vals.map((y) => walk(y, d + 1)));
    }
    return d;
  };
  if (typeof v === "string") {
    const words = v.split(/\s+/).filter(Boolean).length;
    return { fields: 0, depth: 0, arrays: 0, score: Math.round(words / 10) };
  }
  const depth = walk(v, 0);
  return { fields, depth, arrays, score: fields + depth + arrays };
}

// ---------------------------------------------------------------------------------------------
// Text.

const STOP = new Set(
  "this that with from your have will into about what which their there should would could please write generate return json following given using based each only also more than them they then when where some make create provide list output input short describe".split(
    " ",
  ),
);
const OPEN = [
  (a: string) => `Here is a concise take on ${a}.`,
  (a: string) => `${cap(a)} comes down to a few practical points.`,
  (a: string) => `When it comes to ${a}, clarity matters most.`,
];
const MIDDLE = [
  (a: string, b: string) => `It connects ${a} with ${b} in a way that is easy to follow.`,
  (a: string, b: string) => `The main trade-off is between ${a} and ${b}.`,
  (a: string, b: string) => `Start with ${a}, then let ${b} shape the details.`,
];
const CLOSE = [
  (a: string) => `In short, ${a} rewards a careful, step-by-step approach.`,
  (a: string) => `Done well, ${a} stays simple to maintain.`,
  (a: string) => `That is the core of ${a}.`,
];
const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** 1–3 sentences that mention a few words of the prompt, so outputs visibly track inputs. */
function paragraph(prompt: string, rng: Rng): string {
  const words = [...new Set((prompt.match(/\p{L}[\p{L}\p{N}'-]{3,}/gu) ?? []).map((w) => w.toLowerCase()).filter((w) => !STOP.has(w)))];
  const topic = (): string => (words.length > 0 ? pick(rng, words) : "this topic");
  const a = topic();
  const b =
    words.length > 1
      ? pick(
          rng,
          words.filter((w) => w !== a),
        )
      : "the details";
  const n = intBetween(rng, 1, 3);
  const out = [pick(rng, OPEN)(a)];
  if (n >= 2) out.push(pick(rng, MIDDLE)(a, b));
  if (n >= 3) out.push(pick(rng, CLOSE)(topic()));
  return out.join(" ");
}

function rewrite(text: string, issues: readonly string[], prompt: string, rng: Rng): string {
  const tidy = text
    .replace(/\s+/g, " ")
    .trim()
    .replace(/(^|[.!?]\s+)(\p{Ll})/gu, (_m, pre: string, ch: string) => pre + ch.toUpperCase());
  if (!tidy) return paragraph(prompt, rng);
  const ended = /[.!?]$/.test(tidy) ? tidy : `${tidy}.`;
  return issues.length > 0 ? `${ended} This version addresses ${issues.length} point${issues.length === 1 ? "" : "s"} raised in review.` : ended;
}

/** The repair call's answer: what a small model makes of truncated or chatty JSON, here the runtime's own local repair. */
export function repairJson(broken: string): string {
  const [value] = locallyRepaired(broken);
  return value === undefined ? "{}" : JSON.stringify(value);
}
