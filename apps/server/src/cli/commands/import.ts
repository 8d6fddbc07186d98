import { writeFileSync } from "node:fs";
import { type Pipeline, fromMermaid, lint, parsePipeline } from "@braid/engine";
import { defaultRegistry } from "@braid/nodes";
import { FileError, readText } from "../../files.js";
import { parse } from "../args.js";

/** `braid import`: a .mmd (Braid export or hand-written flowchart) or .json file → a pipeline file. */
export default async function importCommand(argv: string[]): Promise<number> {
  const { positionals, values } = parse(argv, { out: { type: "string" } }, ["file"]);
  const file = positionals[0] as string;
  const text = readText(file);
  const isJson = file.endsWith(".json") || text.trimStart().startsWith("{");
  let pipeline: Pipeline;
  if (isJson) {
    const r = parsePipeline(text);
    if (!r.ok) throw new FileError(file, "not a valid pipeline", r.diagnostics);
    pipeline = r.pipeline;
  } else {
    const r = fromMermaid(text, defaultRegistry);
    if (!r.ok) throw new FileError(file, `cannot import: ${r.errors.join("; ")}`);
    for (const w of r.warnings) console.error(`braid: ${file}: warning: ${w}`);
    pipeline = r.pipeline;
  }
  const errors = lint(pipeline, { registry: defaultRegistry }).filter((d) => d.severity === "error");
  for (const d of errors)
    console.error(`braid: ${file}: note: the imported pipeline needs work before it runs: ${d.code}${d.nodeId ? ` (node "${d.nodeId}")` : ""}: ${d.message}`);
  const out = `${JSON.stringify(pipeline, null, 2)}\n`;
  if (values.out) {
    writeFileSync(values.out, out);
    console.error(`braid: wrote ${values.out}`);
  } else process.stdout.write(out);
  return 0;
}
