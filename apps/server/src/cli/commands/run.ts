import { BraidError, PipelineInvalidError, type RunEvent, formatDiagnostic, startRun } from "@braid/engine";
import { defaultRegistry } from "@braid/nodes";
import { loadPipelineFile, parseInputArg } from "../../files.js";
import { intOption, parse } from "../args.js";
import { formatEvent, summarize } from "../format.js";
import { backendOption, loadPool } from "../pool.js";

export default async function run(argv: string[]): Promise<number> {
  const { positionals, values } = parse(
    argv,
    {
      input: { type: "string" },
      seed: { type: "string" },
      backends: { type: "string" },
      backend: { type: "string" },
      latency: { type: "string" },
      json: { type: "boolean" },
      events: { type: "boolean" },
    },
    ["file"],
  );
  const file = positionals[0] as string;
  const pipeline = loadPipelineFile(file);
  const pool = loadPool(values.backends, values.latency);
  const backend = backendOption(pool, values.backend);
  const input = values.input !== undefined ? parseInputArg(values.input) : undefined;
  const seed = intOption(values.seed, "seed") ?? 1;

  let handle: ReturnType<typeof startRun>;
  try {
    handle = startRun(pipeline, { registry: defaultRegistry, pool, input, seed, ...(backend ? { backendOverride: backend } : {}) });
  } catch (err) {
    if (err instanceof PipelineInvalidError) {
      for (const d of err.diagnostics.filter((x) => x.severity === "error")) console.error(`braid: ${formatDiagnostic(d, file)}`);
      return 2;
    }
    if (err instanceof BraidError) {
      console.error(`braid: ${file}: ${err.code}: ${err.message}`);
      return 2;
    }
    throw err;
  }
  const onSigint = () => handle.cancel("interrupted (Ctrl-C)");
  process.once("SIGINT", onSigint);

  const events: RunEvent[] = [];
  const simulated = new Set(
    pool
      .list()
      .filter((b) => b.provider === "simulated")
      .map((b) => b.name),
  );
  let t0: number | undefined;
  for await (const e of handle.events) {
    events.push(e);
    t0 ??= e.at;
    if (values.events) process.stdout.write(`${JSON.stringify(e)}\n`);
    else if (!values.json) {
      const line = formatEvent(e, t0, simulated);
      if (line) console.log(line);
    }
  }
  process.off("SIGINT", onSigint);
  const summary = summarize(events);
  if (values.json) console.log(JSON.stringify(summary, null, 2));
  else if (!values.events && summary.status === "completed") console.log(JSON.stringify(summary.output, null, 2));
  return summary.status === "completed" ? 0 : 1;
}
