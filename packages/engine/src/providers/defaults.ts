/** Where each provider goes when a backend gives no baseUrl. */
export const DEFAULT_BASE_URLS: Readonly<Record<string, string>> = {
  openai: "https://api.openai.com/v1",
  ollama: "http://127.0.0.1:11434",
  anthropic: "https://api.anthropic.com",
};
