import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { type Pipeline, parsePipeline } from "@braid/engine";

export interface Template {
  id: string;
  name: string;
  description: string;
  pipeline: Pipeline;
}

export const EXAMPLES_DIR = new URL("../../../examples", import.meta.url).pathname;

/** The shipped examples, one per pattern in the brief; they double as the template gallery. */
export function loadTemplates(dir = EXAMPLES_DIR): Template[] {
  const out: Template[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith(".json") || file.startsWith("backends")) continue;
    const parsed = parsePipeline(readFileSync(join(dir, file), "utf8"));
    if (!parsed.ok) throw new Error(`example ${file} is invalid: ${parsed.diagnostics.map((d) => d.message).join("; ")}`);
    out.push({ id: file.replace(/\.json$/, ""), name: parsed.pipeline.name, description: parsed.pipeline.description ?? "", pipeline: parsed.pipeline });
  }
  return out;
}
