// The Node-only entry: real LLM providers (LangChain clients, node fetch, process.env). The
// browser imports "@braid/engine" (src/index.ts), which must never import this file.
export * from "./index.js";
export { createNodeProviders, nodeProviders, createNodePool } from "./providers/index.js";
export type { ProviderDeps } from "./providers/chat.js";
export { ChatBackend } from "./providers/chat.js";
export { OpenAiBackend } from "./providers/openai.js";
export { OllamaBackend } from "./providers/ollama.js";
export { AnthropicBackend } from "./providers/anthropic.js";
export * from "./providers/egress.js";
export { EgressError, guardedFetch } from "./providers/http.js";
export { BackendConfigError, retryAfter, toBackendError } from "./providers/errors.js";
export { jsonInstruction, toMessages, wantsJsonObject } from "./providers/messages.js";
export { type ModelList, listModels, modelListed } from "./providers/models.js";
