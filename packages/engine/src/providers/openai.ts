import { DEFAULT_BASE_URLS, type LlmRequest } from "@braid/core";
import { ChatBackend, type DirectAnswer, type DirectCall, type ModelParams } from "./chat.js";
import { wantsJsonObject } from "./messages.js";
import { openAiChat } from "./openai-direct.js";

/**
 * Any OpenAI-compatible server through its chat completions API: OpenAI, Ollama's /v1, vLLM,
 * LM Studio, llama.cpp server. Streams with `stream_options.include_usage`; JSON objects use
 * `response_format: {type: "json_object"}`. Calls go over a plain fetch (openai-direct.ts) unless
 * LangSmith tracing is on, when they go through LangChain's ChatOpenAI and are traced.
 */
export class OpenAiBackend extends ChatBackend {
  protected readonly defaultBaseUrl = DEFAULT_BASE_URLS.openai as string;
  protected readonly answerField = "choices[0].message.content";

  protected async createModel({ config, req, baseUrl, apiKey, fetch }: ModelParams) {
    const { ChatOpenAICompletions } = await import("@langchain/openai");
    return new ChatOpenAICompletions({
      model: config.model,
      // Always explicit: without it the client would fall back to OPENAI_API_KEY from the
      // environment and send it to whatever server this backend points at.
      apiKey: apiKey ?? "not-needed",
      configuration: { baseURL: baseUrl, fetch, maxRetries: 0 },
      temperature: req.temperature ?? config.temperature,
      maxTokens: req.maxTokens ?? config.maxTokens,
      // The pool's cockatiel policy is the only retry layer.
      maxRetries: 0,
      streamUsage: true,
    });
  }

  protected override directCall(p: DirectCall): Promise<DirectAnswer> {
    return openAiChat(p);
  }

  protected override jsonModeOptions(req: LlmRequest): Record<string, unknown> {
    return wantsJsonObject(req.json) ? { response_format: { type: "json_object" } } : {};
  }
}
