import { type Diagnostic, type Pipeline, formatDiagnostic, parsePipeline } from "@braid/core";

export type ImportResult = { ok: true; pipeline: Pipeline } | { ok: false; message: string; details: string[] };

/** Parses pasted or loaded text as a pipeline; a failure explains itself and changes nothing. */
export function importPipeline(text: string): ImportResult {
  if (!text.trim()) return { ok: false, message: "Nothing to import: paste a pipeline's JSON or choose a file.", details: [] };
  const r = parsePipeline(text);
  if (r.ok) return { ok: true, pipeline: r.pipeline };
  return { ok: false, message: summary(r.diagnostics), details: r.diagnostics.slice(0, 12).map((d) => formatDiagnostic(d)) };
}

function summary(ds: Diagnostic[]): string {
  const first = ds[0];
  if (!first) return "This is not a Braid pipeline.";
  if (first.code === "E_PARSE") return "This is not valid JSON, so nothing was imported.";
  if (first.code === "E_FORMAT_VERSION") return "This file is in a pipeline format version this Braid cannot read; nothing was imported.";
  return `This JSON is not a valid Braid pipeline (${ds.length} problem${ds.length === 1 ? "" : "s"}); nothing was imported.`;
}
