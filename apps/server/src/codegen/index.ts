// Code export: a pipeline as a standalone LangGraph.js project (`braid codegen`). The driver is
// kind-agnostic; each kind's code comes from its emitter in EMITTERS.
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { FileError } from "../files.js";
import type { GeneratedFile } from "./driver.js";

export { EMITTERS, type CodegenOptions, type CodegenProvider, type GeneratedFile, PROVIDERS, generateProject } from "./driver.js";
export { DEPENDENCY_VERSIONS, DEV_VERSIONS } from "./project.js";

/** Writes the files under `dir`; a non-empty folder is refused unless `force`, so nothing is overwritten by accident. */
export function writeProject(dir: string, files: GeneratedFile[], opts: { force?: boolean } = {}): void {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new FileError(dir, "exists and is not a folder");
    if (readdirSync(dir).length > 0 && !opts.force) throw new FileError(dir, "is not empty; choose an empty folder or pass --force to overwrite");
  }
  for (const f of files) {
    const path = join(dir, f.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.content);
  }
}
