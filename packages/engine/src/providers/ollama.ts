import { DEFAULT_BASE_URLS, type LlmRequest } from "@braid/core";
import { ChatBackend, type ModelParams } from "./chat.js";
import { wantsJsonObject } from "./messages.js";

/** Ollama's native API (`/api/chat`, NDJSON streaming); JSON objects use `format: "json"`. */
export class OllamaBackend extends ChatBackend {
  protected readonly defaultBaseUrl = DEFAULT_BASE_URLS.ollama as string;
  protected readonly answerField = "message.content";

  protected async createModel({ config, req, baseUrl, apiKey, fetch }: ModelParams) {
    const { ChatOllama } = await import("@langchain/ollama");
    return new ChatOllama({
      model: config.model,
      baseUrl,
      fetch,
      // Ollama needs no key; one behind an authenticating proxy gets it as a bearer token.
      ...(apiKey ? { headers: { Authorization: `Bearer ${apiKey}` } } : {}),
      temperature: req.temperature ?? config.temperature,
      numPredict: req.maxTokens ?? config.maxTokens,
      maxRetries: 0,
    });
  }

  protected override jsonModeOptions(req: LlmRequest): Record<string, unknown> {
    return wantsJsonObject(req.json) ? { format: "json" } : {};
  }
}
