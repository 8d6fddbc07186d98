import { RUN_STATUSES, type RunStatus } from "@braid/engine";
import { dataDirFrom } from "../../config.js";
import { openDb } from "../../store/db.js";
import { SqliteRunStore } from "../../store/runs.js";
import { runUsage } from "../../views.js";
import { UsageError, parse } from "../args.js";
import { formatEvent, usd } from "../format.js";

/** Reads runs straight from the data folder (the server need not be running). */
export default async function runs(argv: string[]): Promise<number> {
  const { positionals, values } = parse(
    argv,
    { pipeline: { type: "string" }, status: { type: "string" }, limit: { type: "string" }, json: { type: "boolean" }, "data-dir": { type: "string" } },
    ["list|show|events"],
  );
  const [sub, id] = positionals;
  if (values.status && !(RUN_STATUSES as readonly string[]).includes(values.status)) throw new UsageError(`--status must be one of ${RUN_STATUSES.join(", ")}`);
  const store = new SqliteRunStore(openDb(dataDirFrom(process.env, values["data-dir"])));
  if (sub === "list") {
    const list = store.list({
      ...(values.pipeline ? { pipelineId: values.pipeline } : {}),
      ...(values.status ? { status: values.status as RunStatus } : {}),
      limit: Number(values.limit ?? 50),
    });
    if (values.json) console.log(JSON.stringify(list, null, 2));
    else
      for (const r of list) {
        const dur = r.finishedAt && r.startedAt ? `${r.finishedAt - r.startedAt}ms` : "-";
        console.log(
          `${r.id}  ${r.status.padEnd(9)} ${new Date(r.createdAt).toISOString()}  ${dur.padStart(8)}  ${String(r.usage.inputTokens + r.usage.outputTokens).padStart(6)} tok  ${usd(r.usage.costUsd)}  ${r.pipelineId ?? "(unsaved)"}${r.parentRunId ? `  ← ${r.parentRunId}` : ""}`,
        );
      }
    return 0;
  }
  if (!id) throw new UsageError(`runs ${sub} needs a run id`);
  const run = store.get(id);
  if (!run) throw new UsageError(`no run "${id}" in the data folder`);
  if (sub === "show") {
    const { pipeline, ...rest } = run;
    const usage = runUsage(store, run);
    console.log(JSON.stringify(values.json ? { ...run, usage } : { ...rest, usage, pipeline: pipeline.name }, null, 2));
    return 0;
  }
  if (sub === "events") {
    const events = store.events(id);
    const t0 = events[0]?.event.at ?? 0;
    for (const e of events) {
      if (values.json) console.log(JSON.stringify({ seq: e.seq, ...e.event }));
      else {
        const line = formatEvent(e.event, t0);
        if (line) console.log(`${String(e.seq).padStart(5)} ${line}`);
      }
    }
    return 0;
  }
  throw new UsageError(`unknown subcommand "${sub}"; use list, show or events`);
}
