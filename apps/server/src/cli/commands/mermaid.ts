import { writeFileSync } from "node:fs";
import { toMermaid } from "@braid/engine";
import { defaultRegistry } from "@braid/nodes";
import { loadPipelineFile } from "../../files.js";
import { dataDirFrom } from "../../config.js";
import { openDb } from "../../store/db.js";
import { SqliteRunStore } from "../../store/runs.js";
import { UsageError, parse } from "../args.js";

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
  let run: { events: ReturnType<SqliteRunStore["events"]>[number]["event"][] } | undefined;
  if (values.run) {
    const store = new SqliteRunStore(openDb(dataDirFrom(process.env, values["data-dir"])));
    if (!store.get(values.run)) throw new UsageError(`no run "${values.run}" in the data folder`);
    run = { events: store.events(values.run).map((e) => e.event) };
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
