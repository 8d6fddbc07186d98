import { formatDiagnostic, hasErrors, lint } from "@braid/engine";
import { defaultRegistry } from "@braid/nodes";
import { loadPipelineFile } from "../../files.js";
import { parse } from "../args.js";
import { loadPool } from "../pool.js";

export default async function validate(argv: string[]): Promise<number> {
  const { positionals, values } = parse(argv, { backends: { type: "string" }, json: { type: "boolean" } }, ["file"]);
  const file = positionals[0] as string;
  const pipeline = loadPipelineFile(file);
  const pool = loadPool(values.backends);
  const diagnostics = lint(pipeline, { registry: defaultRegistry, backends: pool.availability() });
  if (values.json) console.log(JSON.stringify({ file, valid: !hasErrors(diagnostics), diagnostics }, null, 2));
  else {
    for (const d of diagnostics) console.log(formatDiagnostic(d, file));
    const errors = diagnostics.filter((d) => d.severity === "error").length;
    console.log(`${file}: ${errors} error(s), ${diagnostics.length - errors} warning(s)`);
  }
  return hasErrors(diagnostics) ? 2 : 0;
}
