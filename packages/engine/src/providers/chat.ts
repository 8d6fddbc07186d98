import { AsyncLocalStorage } from "node:async_hooks";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { AIMessageChunk, BaseMessage } from "@langchain/core/messages";
import { type Backend, type BackendConfig, type CallContext, type CompletionResult, type LlmRequest, estimateTokens } from "@braid/core";
import { type EgressPolicy, OPEN_EGRESS, checkEgress } from "./egress.js";
import { resolveCredentials } from "./credentials.js";
import { BackendConfigError, inBandError, toBackendError, unexpectedAnswer } from "./errors.js";
import { EgressError, type LastResponse, guardedFetch } from "./http.js";
import { type PlainMessage, contentText, plainMessages, toMessages } from "./messages.js";
import { redact, streamRedactor } from "./redact.js";

/** What every real provider needs from its surroundings; all optional, for tests. */
export interface ProviderDeps {
  /** Defaults to OPEN_EGRESS (local single-user mode). */
  egress?: EgressPolicy;
  /** Where `apiKeyEnv` is looked up, at call time; defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** The transport under the guard; defaults to the global fetch. */
  fetch?: typeof fetch;
}

export interface ModelParams {
  config: BackendConfig;
  req: LlmRequest;
  baseUrl: string;
  /** The key from `apiKeyEnv`, or undefined when the backend has none. */
  apiKey: string | undefined;
  /** The transport: each request goes through the guarded fetch of the call it belongs to (same-origin only, egress-checked, bound to that call's signal). */
  fetch: typeof fetch;
}

/** What a provider's direct path (no LangChain model) gets for one call; see ChatBackend.directCall. */
export interface DirectCall {
  config: BackendConfig;
  baseUrl: string;
  apiKey: string | undefined;
  /** System (with JSON instructions) then user, as plain role/content pairs. */
  messages: PlainMessage[];
  temperature: number | undefined;
  maxTokens: number | undefined;
  /** The provider's JSON-mode body fields, when JSON mode is on for this attempt. */
  jsonOptions: Record<string, unknown>;
  /** The call's guarded fetch, already bound to its signal (timeout and cancellation). */
  fetch: typeof fetch;
  /** Set when the call streams: raw tokens (the backend redacts them before they go on). */
  onToken?: (text: string) => void;
}

export interface DirectAnswer {
  text: string;
  usage: { input: number; output: number } | undefined;
}

/** LangSmith tracing asked for through the environment LangChain reads: then calls go through the LangChain model, so they are traced. */
function tracingOn(): boolean {
  const on = (v: string | undefined) => v === "true" || v === "1";
  return ["LANGSMITH_TRACING", "LANGSMITH_TRACING_V2", "LANGCHAIN_TRACING", "LANGCHAIN_TRACING_V2"].some((name) => on(process.env[name]));
}

/**
 * The guarded fetch of the call in progress. Models are built once and reused across calls
 * (building a client per call was most of the provider layer's CPU), so the per-call transport
 * (signal, last response, headers) is found through the async context rather than captured.
 */
const callFetch = new AsyncLocalStorage<typeof fetch>();
const contextFetch = ((input: string | URL | Request, init?: RequestInit) => {
  const f = callFetch.getStore();
  if (!f) throw new EgressError("a backend request was made outside of a call");
  return f(input, init);
}) as typeof fetch;

/** Enough distinct (temperature, maxTokens, key) combinations for any pipeline; beyond it the oldest model is dropped. */
const MAX_MODELS = 32;

/**
 * A real backend behind a LangChain chat model. Subclasses only build the model and its call
 * options; this class does the rest the same way for every provider: egress check, key lookup,
 * per-call timeout, token streaming, usage (or an estimate), and error mapping.
 */
export abstract class ChatBackend implements Backend {
  readonly simulated = false;
  protected abstract readonly defaultBaseUrl: string;
  /** Where the protocol puts the answer text, for the message when it is not there. */
  protected abstract readonly answerField: string;

  constructor(
    readonly config: BackendConfig,
    protected readonly deps: ProviderDeps = {},
  ) {}

  /**
   * Builds the LangChain model. Its package is imported here, on first use, not when Braid loads:
   * the chat-model packages and their SDKs are some 30 MB in every process, and simulated and
   * direct OpenAI-compatible calls never need them.
   */
  protected abstract createModel(p: ModelParams): Promise<BaseChatModel>;

  /**
   * The call without the LangChain model, for a protocol simple enough that the model adds
   * nothing but CPU. Taken unless LangSmith tracing is on; providers without one always use createModel.
   */
  protected directCall?(p: DirectCall): Promise<DirectAnswer>;

  /** The provider's JSON-mode call options for this request (OpenAI's response_format, Ollama's format), if any. */
  protected jsonModeOptions(_req: LlmRequest): Record<string, unknown> {
    return {};
  }

  /**
   * Some OpenAI-compatible servers (LM Studio, older llama.cpp) reject `response_format`. After one
   * such 400 this backend stops asking for JSON mode; instructions plus parse-and-repair remain.
   */
  private jsonModeRejected = false;

  /** Models by what differs between calls of one backend; see callFetch. */
  private readonly models = new Map<string, Promise<BaseChatModel>>();

  private model(req: LlmRequest, apiKey: string | undefined): Promise<BaseChatModel> {
    const key = JSON.stringify([req.temperature, req.maxTokens, apiKey]);
    let model = this.models.get(key);
    if (!model) {
      model = this.createModel({ config: this.config, req, baseUrl: this.baseUrl, apiKey, fetch: contextFetch });
      if (this.models.size >= MAX_MODELS) this.models.delete(this.models.keys().next().value as string);
      this.models.set(key, model);
    }
    return model;
  }

  get baseUrl(): string {
    return this.config.baseUrl ?? this.defaultBaseUrl;
  }

  async complete(req: LlmRequest, ctx: CallContext): Promise<CompletionResult> {
    const jsonMode = !this.jsonModeRejected && Object.keys(this.jsonModeOptions(req)).length > 0;
    try {
      return await this.attempt(req, ctx, jsonMode);
    } catch (err) {
      if (!jsonMode || !rejectsJsonMode(err)) throw err;
      this.jsonModeRejected = true;
      return this.attempt(req, ctx, false);
    }
  }

  private async attempt(req: LlmRequest, ctx: CallContext, jsonMode: boolean): Promise<CompletionResult> {
    const cfg = this.config;
    const egress = checkEgress(this.baseUrl, this.deps.egress ?? OPEN_EGRESS);
    if (!egress.ok) throw new BackendConfigError(egress.reason);
    const { apiKey, headers, secrets } = resolveCredentials(cfg, this.deps.env ?? process.env);
    const timeout = AbortSignal.timeout(cfg.timeoutMs);
    const signal = AbortSignal.any([ctx.signal, timeout]);
    const last: LastResponse = {};
    const fetch = guardedFetch({
      origin: egress.origin,
      policy: this.deps.egress ?? OPEN_EGRESS,
      signal,
      last,
      headers,
      ...(this.deps.fetch ? { fetch: this.deps.fetch } : {}),
    });
    const errorContext = () => ({
      backend: cfg.name,
      timeoutMs: cfg.timeoutMs,
      timedOut: timeout.aborted && !ctx.signal.aborted,
      aborted: ctx.signal.aborted,
      last,
      secrets,
      apiKeyEnv: cfg.apiKeyEnv,
      answerField: this.answerField,
    });
    const messages = plainMessages(req);
    let answer: { text: string; usage: { input: number; output: number } | undefined };
    try {
      const onToken = ctx.onToken;
      if (this.directCall && !tracingOn()) {
        answer = await this.direct(this.directCall.bind(this), { req, apiKey, messages, jsonMode, fetch, onToken, secrets });
      } else {
        const model = await this.model(req, apiKey);
        const options = { signal, ...(jsonMode ? this.jsonModeOptions(req) : {}) };
        const lc = toMessages(req);
        answer = await callFetch.run(fetch, () => (onToken ? this.streamed(model, lc, options, onToken, secrets) : this.whole(model, lc, options)));
      }
      if (signal.aborted) throw signal.reason;
    } catch (err) {
      throw toBackendError(err, errorContext());
    }
    // Some servers put an error inside a 200 answer, which the client read as an answer without text.
    if (last.body?.inBand !== undefined) throw inBandError(last.body.inBand, errorContext());
    const { text, usage } = answer;
    if (text.trim() === "") throw new Error(unexpectedAnswer(last.status ?? 200, last.body?.head ?? "", secrets, this.answerField));
    // A count the server did not report is estimated from what was sent: system prompt, JSON instructions and prompt.
    const input = usage && usage.input > 0 ? usage.input : undefined;
    const output = usage && usage.output > 0 ? usage.output : undefined;
    return {
      text: redact(text, secrets),
      usage: {
        inputTokens: input ?? estimateTokens(messages.map((m) => m.content).join("\n")),
        outputTokens: output ?? estimateTokens(text),
        estimated: input === undefined || output === undefined,
      },
      model: cfg.model,
    };
  }

  private async direct(
    call: (p: DirectCall) => Promise<DirectAnswer>,
    o: {
      req: LlmRequest;
      apiKey: string | undefined;
      messages: PlainMessage[];
      jsonMode: boolean;
      fetch: typeof fetch;
      onToken: ((t: string) => void) | undefined;
      secrets: string[];
    },
  ): Promise<DirectAnswer> {
    const scrub = streamRedactor(o.secrets);
    const onToken = o.onToken;
    const answer = await call({
      config: this.config,
      baseUrl: this.baseUrl,
      apiKey: o.apiKey,
      messages: o.messages,
      temperature: o.req.temperature ?? this.config.temperature,
      maxTokens: o.req.maxTokens ?? this.config.maxTokens,
      jsonOptions: o.jsonMode ? this.jsonModeOptions(o.req) : {},
      fetch: o.fetch,
      ...(onToken
        ? {
            onToken: (t: string) => {
              const safe = scrub.push(t);
              if (safe) onToken(safe);
            },
          }
        : {}),
    });
    const rest = onToken ? scrub.end() : "";
    if (rest && onToken) onToken(rest);
    return answer;
  }

  /** Tokens pass through a redactor, so a key the server echoes never reaches a token event. */
  private async streamed(model: BaseChatModel, messages: BaseMessage[], options: Record<string, unknown>, onToken: (t: string) => void, secrets: string[]) {
    let text = "";
    let usage: { input: number; output: number } | undefined;
    const scrub = streamRedactor(secrets);
    const stream = await model.stream(messages, options);
    for await (const chunk of stream) {
      const t = contentText(chunk.content);
      if (t) {
        text += t;
        const safe = scrub.push(t);
        if (safe) onToken(safe);
      }
      usage = maxUsage(usage, chunk as AIMessageChunk);
    }
    const rest = scrub.end();
    if (rest) onToken(rest);
    return { text, usage };
  }

  private async whole(model: BaseChatModel, messages: BaseMessage[], options: Record<string, unknown>) {
    const msg = await model.invoke(messages, options);
    return { text: contentText(msg.content), usage: maxUsage(undefined, msg as AIMessageChunk) };
  }
}

/** A 400/422 that complains about the JSON-mode parameter itself. */
function rejectsJsonMode(err: unknown): boolean {
  const m = err instanceof Error ? err.message : "";
  return /^HTTP (400|422)\b/.test(m) && /response_format|json_object|json_schema|\bformat\b/i.test(m);
}

/**
 * Providers report usage in one final chunk (OpenAI, Ollama) or in parts whose output count is
 * cumulative (Anthropic's message_start and message_delta); the maximum per field is right for all.
 */
function maxUsage(acc: { input: number; output: number } | undefined, msg: AIMessageChunk): { input: number; output: number } | undefined {
  const u = msg.usage_metadata;
  if (!u || (u.input_tokens === 0 && u.output_tokens === 0 && !acc)) return acc;
  return { input: Math.max(acc?.input ?? 0, u.input_tokens ?? 0), output: Math.max(acc?.output ?? 0, u.output_tokens ?? 0) };
}
