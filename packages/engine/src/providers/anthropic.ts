import { DEFAULT_BASE_URLS } from "@braid/core";
import { ChatBackend, type ModelParams } from "./chat.js";

/**
 * Anthropic's Messages API (`/v1/messages`, SSE with message_start / content_block_delta /
 * message_delta). It has no plain JSON mode, so JSON relies on the instructions in the system
 * prompt and the engine's parse-and-repair; the output is always validated.
 */
export class AnthropicBackend extends ChatBackend {
  protected readonly defaultBaseUrl = DEFAULT_BASE_URLS.anthropic as string;
  protected readonly answerField = "a text block in content";

  protected async createModel({ config, req, baseUrl, apiKey, fetch }: ModelParams) {
    const { ChatAnthropic } = await import("@langchain/anthropic");
    return new ChatAnthropic({
      model: config.model,
      // Explicit, so ANTHROPIC_API_KEY from the environment is never sent to a host that was not configured with it.
      apiKey: apiKey ?? "not-needed",
      anthropicApiUrl: baseUrl,
      clientOptions: { fetch, maxRetries: 0 },
      temperature: req.temperature ?? config.temperature,
      maxTokens: req.maxTokens ?? config.maxTokens,
      maxRetries: 0,
      streamUsage: true,
    });
  }
}
