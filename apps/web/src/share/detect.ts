import { type Pipeline, type Registry, fromMermaid } from "@braid/core";
import { importPipeline } from "../doc/importDoc.js";

export type ImportFormat = "json" | "mermaid";

export type ImportOutcome =
  | { ok: true; format: ImportFormat; pipeline: Pipeline; warnings: string[] }
  | { ok: false; format?: ImportFormat; message: string; details: string[] };

/** Files larger than this are refused before reading: no pipeline is anywhere near it. */
export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;

const MERMAID_EXT = /\.(mmd|mermaid)$/i;
const JSON_EXT = /\.json$/i;

/**
 * Which reader a text needs. The file's extension decides when there is one; pasted text is
 * JSON when it starts with `{` or `[`, and Mermaid when its first statement is a flowchart
 * header (after comments and `%%{init}%%` directives, which Mermaid files may begin with).
 */
export function detectFormat(text: string, fileName?: string): ImportFormat | undefined {
  if (fileName && MERMAID_EXT.test(fileName)) return "mermaid";
  if (fileName && JSON_EXT.test(fileName)) return "json";
  const body = text.replace(/^\uFEFF/, "").trimStart();
  if (body.startsWith("{") || body.startsWith("[")) return "json";
  for (const raw of body.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("%%") || line === "---") continue;
    if (/^(flowchart|graph)\b/i.test(line)) return "mermaid";
    // YAML front matter (`title: …`) may precede the header.
    if (/^[A-Za-z]+\s*:/.test(line)) continue;
    return undefined;
  }
  return undefined;
}

/** Reads pasted or dropped text as a pipeline: JSON through the editor's own import, Mermaid through `fromMermaid`. */
export function importText(text: string, registry: Registry, fileName?: string): ImportOutcome {
  if (!text.trim()) {
    return { ok: false, message: "Nothing to import: paste a pipeline's JSON or a Mermaid flowchart, or choose a .json or .mmd file.", details: [] };
  }
  const format = detectFormat(text, fileName);
  if (format === "mermaid") {
    const r = fromMermaid(text, registry);
    if (!r.ok) {
      return { ok: false, format, message: "This Mermaid text cannot be read as a flowchart, so nothing was imported.", details: r.errors.slice(0, 12) };
    }
    return { ok: true, format, pipeline: r.pipeline, warnings: r.warnings };
  }
  if (format === undefined) {
    return {
      ok: false,
      message: "This is neither a pipeline's JSON nor a Mermaid flowchart, so nothing was imported.",
      details: ["JSON starts with “{”; a Mermaid flowchart starts with “flowchart TD” or “graph LR”."],
    };
  }
  const r = importPipeline(text);
  if (!r.ok) return { ok: false, format, message: r.message, details: r.details };
  return { ok: true, format, pipeline: r.pipeline, warnings: [] };
}

/** Reads a picked or dropped file; refuses what is clearly not a pipeline before reading it whole. */
export async function readImportFile(file: File, registry: Registry): Promise<ImportOutcome & { text?: string }> {
  if (file.size > MAX_IMPORT_BYTES) {
    return {
      ok: false,
      message: `“${file.name}” is ${(file.size / 1048576).toFixed(1)} MB; a pipeline file is far smaller, so nothing was imported.`,
      details: [],
    };
  }
  if (!MERMAID_EXT.test(file.name) && !JSON_EXT.test(file.name) && !/^(text\/|application\/json)/.test(file.type) && file.type !== "") {
    return { ok: false, message: `“${file.name}” is not a .json or .mmd file, so nothing was imported.`, details: [] };
  }
  const text = await file.text();
  return { ...importText(text, registry, file.name), text };
}
