import { type BaseMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import { type LlmRequest, isPlainObject } from "@braid/core";

type JsonSpec = NonNullable<LlmRequest["json"]>;

/**
 * Whether the answer is one JSON object, so that a provider's JSON mode (OpenAI `json_object`,
 * Ollama `format: "json"`), which always yields an object, fits it. Arrays (`count` > 1, array
 * shapes or schemas) rely on the prompt instructions and the engine's parse-and-repair instead.
 */
export function wantsJsonObject(json: JsonSpec | undefined): boolean {
  if (!json || (json.count ?? 1) > 1) return false;
  if (json.schema) return json.schema.type === "object" || (json.schema.type === undefined && isPlainObject(json.schema.properties));
  return isPlainObject(json.shape);
}

/** The instructions that tell any model what JSON to produce. */
export function jsonInstruction(json: JsonSpec): string {
  const count = json.count ?? 1;
  const what = json.schema
    ? `valid against this JSON Schema: ${JSON.stringify(json.schema)}`
    : json.shape !== undefined
      ? `following this example shape (the same keys, values of the same JSON types; "string" means any string, 0 any number): ${JSON.stringify(json.shape)}`
      : "";
  const head = count > 1 ? `a JSON array of exactly ${count} items, each ${what}` : `one JSON value ${what}`;
  return `Reply with ${head.trim()}. Output JSON only: no prose, no Markdown code fences.`;
}

export interface PlainMessage {
  role: "system" | "user";
  content: string;
}

/** System prompt (with JSON instructions when JSON is wanted) and the user prompt, as role/content pairs. */
export function plainMessages(req: LlmRequest): PlainMessage[] {
  const system = [req.system, req.json ? jsonInstruction(req.json) : undefined].filter((s): s is string => !!s && s.trim() !== "").join("\n\n");
  return [...(system ? [{ role: "system" as const, content: system }] : []), { role: "user", content: req.prompt }];
}

/** The same messages as LangChain messages, for the chat models. */
export function toMessages(req: LlmRequest): BaseMessage[] {
  return plainMessages(req).map((m) => (m.role === "system" ? new SystemMessage(m.content) : new HumanMessage(m.content)));
}

/** The text of a message or chunk whose content is a string or a list of content blocks. */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((b) => (typeof b === "string" ? b : isPlainObject(b) && b.type === "text" && typeof b.text === "string" ? b.text : "")).join("");
}
