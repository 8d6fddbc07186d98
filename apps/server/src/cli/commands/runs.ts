import { RUN_STATUSES, type RunStatus } from "@braid/engine";
import type { RunStore } from "../../store/runs.js";
import { runUsage } from "../../views.js";
import { UsageError, parse, storesFor } from "../args.js";
import { formatEvent, usd } from "../format.js";

/** Reads runs straight from the data folder or database (the server need not be running). */
export default async function runs(argv: string[]): Promise<number> {
  const { positionals, values } = parse(
    argv,
    { pipeline: { type: "string" }, status: { type: "string" }, limit: { type: "string" }, json: { type: "boolean" }, "data-dir": { type: "string" } },
    ["list|show|events"],
  );
  const [sub, id] = positionals;
  if (values.status && !(RUN_STATUSES as readonly string[]).includes(values.status)) throw new UsageError(`--status must be one of ${RUN_STATUSES.join(", ")}`);
  const stores = await storesFor(values["data-dir"]);
  try {
    return await show(stores.runs, sub, id, values);
  } finally {
    await stores.close();
  }
}

async function show(
  store: RunStore,
  sub: string | undefined,
  id: string | undefined,
  values: { pipeline?: string; status?: string; limit?: string; json?: boolean },
): Promise<number> {
  if (sub === "list") {
    const list = await store.list({
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
  const run = await store.get(id);
  if (!run) throw new UsageError(`no run "${id}" in the data folder`);
  if (sub === "show") {
    const { pipeline, ...rest } = run;
    const usage = await runUsage(store, run);
    console.log(JSON.stringify(values.json ? { ...run, usage } : { ...rest, usage, pipeline: pipeline.name }, null, 2));
    return 0;
  }
  if (sub === "events") {
    const events = await store.events(id);
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
