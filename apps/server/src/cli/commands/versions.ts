import { Deployments, NotFoundError } from "../../optimizer/deployments.js";
import { TAGS, type Tag } from "../../store/deployments.js";
import { UsageError, intOption, parse, storesFor } from "../args.js";

const SUBCOMMANDS = "list, tag, untag, promote or restore";

/**
 * Version tags straight on the data folder or database (the server need not be running; SQLite's
 * WAL lets it run alongside). Changes go through the same service as the API, so they are audited (actor `local`).
 */
export default async function versions(argv: string[]): Promise<number> {
  const { positionals, values } = parse(argv, { json: { type: "boolean" }, reason: { type: "string" }, "data-dir": { type: "string" } }, [
    "list|tag|untag|promote|restore",
    "pipeline",
  ]);
  const [sub, pipelineId, ...rest] = positionals as [string, string, ...string[]];
  const stores = await storesFor(values["data-dir"]);
  try {
    const d = new Deployments({ store: stores.deployments, pipelines: stores.pipelines, audit: stores.audit, window: { runs: 500, ms: 3_600_000 } });
    const who = { actor: "local", ...(values.reason ? { reason: values.reason } : {}) };
    const tagArg = (i: number): Tag => {
      const t = rest[i];
      if (!(TAGS as readonly string[]).includes(t ?? "")) throw new UsageError(`versions ${sub} needs a tag: ${TAGS.join(" or ")}`);
      return t as Tag;
    };
    const versionArg = (i: number): number => {
      const v = intOption(rest[i], "version");
      if (v === undefined || v < 1) throw new UsageError(`versions ${sub} needs a version number`);
      return v;
    };
    let tags: Partial<Record<Tag, number>>;
    try {
      if (sub === "list") {
        const view = await d.view(pipelineId);
        if (values.json) console.log(JSON.stringify(view, null, 2));
        else
          for (const v of view.versions)
            console.log(
              `${String(v.version).padStart(4)}  ${new Date(v.createdAt).toISOString()}  ${(v.tags.join(",") || "-").padEnd(14)} ${v.message ?? ""}`.trimEnd(),
            );
        return 0;
      }
      if (sub === "tag") tags = await d.tag(pipelineId, tagArg(0), versionArg(1), who);
      else if (sub === "untag") tags = await d.untag(pipelineId, tagArg(0), who);
      else if (sub === "promote") tags = await d.promote(pipelineId, who);
      else if (sub === "restore") tags = await d.restore(pipelineId, versionArg(0), who);
      else throw new UsageError(`unknown subcommand "${sub}"; use ${SUBCOMMANDS}`);
    } catch (err) {
      if (err instanceof NotFoundError) throw new UsageError(`${err.message} in the data folder`);
      throw err;
    }
    console.log(values.json ? JSON.stringify(tags) : `${pipelineId}: live ${tags.live ?? "(latest)"}, candidate ${tags.candidate ?? "none"}`);
    return 0;
  } finally {
    await stores.close();
  }
}
