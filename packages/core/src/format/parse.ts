import type { z } from "zod";
import { BraidError } from "../errors.js";
import type { Diagnostic } from "./diagnostics.js";
import { migrate } from "./migrate.js";
import { type Pipeline, PipelineSchema } from "./schema.js";
import { MAX_JSON_DEPTH, jsonDepth, safeJsonParse } from "../json.js";

export type ParseResult = { ok: true; pipeline: Pipeline; diagnostics: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] };

/** Turns a zod issue path into `nodes[2].config.prompt` form, and names the node when it can. */
export function issuePath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

export function zodDiagnostics(error: z.ZodError, doc: unknown): Diagnostic[] {
  return error.issues.map((issue) => {
    const path = issuePath(issue.path);
    const d: Diagnostic = { code: "E_FORMAT", severity: "error", message: `${path || "(document)"}: ${issue.message}`, path };
    if (issue.path[0] === "nodes" && typeof issue.path[1] === "number") {
      const id = (doc as { nodes?: Array<{ id?: unknown }> }).nodes?.[issue.path[1]]?.id;
      if (typeof id === "string") d.nodeId = id;
    }
    if (issue.path[0] === "edges" && typeof issue.path[1] === "number") d.edgeIndex = issue.path[1];
    return d;
  });
}

/** Parses a pipeline from JSON text or an already-parsed value; migrates older formats first. */
export function parsePipeline(source: string | unknown): ParseResult {
  let doc: unknown;
  if (typeof source === "string") {
    try {
      doc = safeJsonParse(source);
    } catch (err) {
      return { ok: false, diagnostics: [{ code: "E_PARSE", severity: "error", message: `not valid JSON: ${(err as Error).message}` }] };
    }
  } else {
    doc = source;
  }
  // Schema checks and lint recurse; a document nested thousands deep must be refused before them.
  if (jsonDepth(doc, MAX_JSON_DEPTH) > MAX_JSON_DEPTH)
    return { ok: false, diagnostics: [{ code: "E_TOO_DEEP", severity: "error", message: `the document nests deeper than ${MAX_JSON_DEPTH} levels` }] };
  try {
    doc = migrate(doc);
  } catch (err) {
    if (err instanceof BraidError) return { ok: false, diagnostics: [{ code: err.code, severity: "error", message: err.message, path: "format" }] };
    throw err;
  }
  const parsed = PipelineSchema.safeParse(doc);
  if (!parsed.success) return { ok: false, diagnostics: zodDiagnostics(parsed.error, doc) };
  return { ok: true, pipeline: parsed.data, diagnostics: [] };
}
