import { resolve } from "node:path";
import { defaultRegistry } from "@braid/nodes";
import { type CodegenProvider, PROVIDERS, generateProject, writeProject } from "../../codegen/index.js";
import { loadBackendsFile, loadPipelineFile } from "../../files.js";
import { UsageError, parse } from "../args.js";

/** `braid codegen`: the pipeline as a standalone TypeScript project on LangGraph.js, with no Braid package at run time. */
export default async function codegen(argv: string[]): Promise<number> {
  const { positionals, values } = parse(
    argv,
    { out: { type: "string" }, force: { type: "boolean" }, providers: { type: "string" }, backends: { type: "string" } },
    ["file"],
  );
  if (!values.out) throw new UsageError("--out DIR is required: the folder to write the project to");
  const pipeline = loadPipelineFile(positionals[0] as string);
  const providers = new Set<CodegenProvider>();
  for (const p of (values.providers ?? "")
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)) {
    if (!(PROVIDERS as readonly string[]).includes(p)) throw new UsageError(`--providers: "${p}" is not one of ${PROVIDERS.join(", ")}`);
    providers.add(p as CodegenProvider);
  }
  // A backends file says which providers the project needs (the simulated one has no counterpart).
  if (values.backends)
    for (const b of loadBackendsFile(values.backends)) if ((PROVIDERS as readonly string[]).includes(b.provider)) providers.add(b.provider as CodegenProvider);
  const files = generateProject(pipeline, { registry: defaultRegistry, ...(providers.size ? { providers: [...providers] } : {}) });
  writeProject(values.out, files, { force: values.force === true });
  console.error(`braid: wrote ${files.length} files to ${resolve(values.out)}`);
  console.error(`braid: next: cd ${values.out} && npm install && cp backends.example.json backends.json && npx tsx src/main.ts`);
  return 0;
}
