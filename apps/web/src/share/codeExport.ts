import { type Pipeline, redactSecrets } from "@braid/core";
import { strToU8, zipSync } from "fflate";
import { fileStem } from "./names.js";

export interface CodeFile {
  path: string;
  content: string;
}

/** The folder every file of the zip sits in, so unpacking it never scatters files. */
export const projectFolder = (pipelineName: string): string => `${fileStem(pipelineName)}-langgraph`;

/**
 * The generated project as a zip. The server generates the files (`pipelines.codegen`, the same
 * generator as `braid codegen`) from the redacted document, so no secret in a prompt reaches them.
 */
export function zipProject(pipelineName: string, files: readonly CodeFile[]): Uint8Array {
  const folder = projectFolder(pipelineName);
  const entries: Record<string, Uint8Array> = {};
  for (const f of files) {
    // The server writes relative POSIX paths; anything else would escape the folder when unpacked.
    if (f.path.startsWith("/") || f.path.split("/").includes("..")) throw new Error(`the generator returned an unsafe path: ${f.path}`);
    entries[`${folder}/${f.path}`] = strToU8(f.content);
  }
  return zipSync(entries, { level: 6 });
}

export const redactedForCode = (doc: Pipeline): Pipeline => redactSecrets(doc).value;
