import { readFileSync } from "node:fs";
import {
  BraidError,
  type BackendConfig,
  type BackendRules,
  type Diagnostic,
  backendRulesFromEnv,
  type Pipeline,
  parseBackendsFile,
  parsePipeline,
  safeJsonParse,
} from "@braid/engine";

/** A user-facing failure with the file it concerns; the CLI prints it on one line, never a stack. */
export class FileError extends Error {
  constructor(
    readonly file: string,
    message: string,
    readonly diagnostics: Diagnostic[] = [],
  ) {
    super(message);
  }
}

export function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new FileError(
      file,
      code === "ENOENT" ? "file not found" : code === "EISDIR" ? "is a directory, not a file" : `cannot read: ${(err as Error).message}`,
    );
  }
}

export function loadPipelineFile(file: string): Pipeline {
  const parsed = parsePipeline(readText(file));
  if (!parsed.ok) throw new FileError(file, "not a valid pipeline", parsed.diagnostics);
  return parsed.pipeline;
}

/** A backends file, checked like a save: schema, no literal keys, key variable rules (BRAID_KEY_ENV_PATTERN). */
export function loadBackendsFile(file: string, rules: BackendRules = backendRulesFromEnv(process.env)): BackendConfig[] {
  let doc: unknown;
  try {
    doc = safeJsonParse(readText(file));
  } catch (err) {
    if (err instanceof FileError) throw err;
    throw new FileError(file, `not valid JSON: ${(err as Error).message}`);
  }
  const r = parseBackendsFile(doc, rules);
  if (r.diagnostics.some((d) => d.severity === "error")) throw new FileError(file, "invalid backends file", r.diagnostics);
  return r.backends;
}

/** `--input '{"a":1}'` or `--input @file.json`. */
export function parseInputArg(arg: string): unknown {
  const text = arg.startsWith("@") ? readText(arg.slice(1)) : arg;
  try {
    return safeJsonParse(text);
  } catch (err) {
    throw new BraidError("E_PARSE", `--input is not valid JSON: ${(err as Error).message}`);
  }
}
