import { writeFileSync } from "node:fs";
import { type RunEvent, toMermaid } from "@braid/engine";
import { defaultRegistry } from "@braid/nodes";
import { loadPipelineFile } from "../../files.js";
import { UsageError, parse, storesFor } from "../args.js";

/** `braid mermaid`: a diagram that renders anywhere Mermaid does and imports back without loss. */
export default async function mermaid(argv: string[]): Promise<number> {
  const { positionals, values } = parse(
    argv,
    {
      run: { type: "string" },
      direction: { type: "string" },
      out: { type: "string" },
      backends: { type: "boolean" },
      prompts: { type: "boolean" },
      "no-embed": { type: "boolean" },
      "data-dir": { type: "string" },
    },
    ["file"],
  );
  const direction = (values.direction ?? "TD").toUpperCase();
  if (direction !== "TD" && direction !== "LR") throw new UsageError(`--direction must be TD or LR, got "${values.direction}"`);
  const pipeline = loadPipelineFile(positionals[0] as string);
  let run: { events: RunEvent[] } | undefined;
  if (values.run) {
    const stores = await storesFor(values["data-dir"]);
    try {
      if (!(await stores.runs.get(values.run))) throw new UsageError(`no run "${values.run}" in the data folder`);
      run = { events: (await stores.runs.events(values.run)).map((e) => e.event) };
    } finally {
      await stores.close();
    }
  }
  const text = toMermaid(pipeline, {
    direction,
    registry: defaultRegistry,
    ...(values.backends ? { showBackends: true } : {}),
    ...(values.prompts ? { showPrompts: true } : {}),
    ...(values["no-embed"] ? { embed: false } : {}),
    ...(run ? { run } : {}),
  });
  if (values.out) {
    writeFileSync(values.out, text);
    console.error(`braid: wrote ${values.out}`);
  } else process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  return 0;
}
