import { readFileSync } from "node:fs";
import type { Pipeline } from "@braid/engine";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { SqliteAuditStore } from "../src/store/audit.js";
import { openDb } from "../src/store/db.js";
import { SqlitePipelineStore } from "../src/store/pipelines.js";
import { runCli } from "./cli-capture.js";
import { tempDir } from "./helpers.js";

const example = JSON.parse(readFileSync(new URL("../../../examples/parallel.json", import.meta.url), "utf8")) as Pipeline;
let data: ReturnType<typeof tempDir>;
const cli = (...argv: string[]) => runCli("versions", ...argv, "--data-dir", data.dir);

beforeAll(async () => {
  data = tempDir("braid-versions-cli-");
  const db = openDb(data.dir);
  const store = new SqlitePipelineStore(db);
  await store.save(example, { id: "p", message: "first" });
  await store.save({ ...example, description: "second" }, { id: "p", message: "second" });
  db.close();
});
afterAll(() => data.cleanup());
afterEach(() => vi.restoreAllMocks());

describe("braid versions", () => {
  it("tags, lists, promotes and restores, each change audited", async () => {
    expect((await cli("tag", "p", "live", "1")).out).toBe("p: live 1, candidate none");
    expect((await cli("tag", "p", "candidate", "2", "--reason", "try it")).code).toBe(0);
    const list = await cli("list", "p");
    expect(list.out).toMatch(/^\s+2 {2}\S+ {2}candidate\s+second\n\s+1 {2}\S+ {2}live\s+first$/);
    expect((await cli("promote", "p")).out).toBe("p: live 2, candidate none");
    expect(JSON.parse((await cli("restore", "p", "1", "--json")).out)).toEqual({ live: 1 });
    expect((await cli("untag", "p", "live")).out).toBe("p: live (latest), candidate none");
    const db = openDb(data.dir);
    const audit = (await new SqliteAuditStore(db).list({ pipelineId: "p" })).reverse();
    db.close();
    expect(audit.map((e) => `${e.action}:${e.actor}`)).toEqual(["tag:local", "tag:local", "promote:local", "restore:local", "untag:local"]);
    expect(audit[1]?.reason).toBe("try it");
  });

  it("exits 2 with one line for a missing pipeline, version or tag, and for promote without a candidate", async () => {
    expect(await cli("tag", "nope", "live", "1")).toMatchObject({ code: 2, err: expect.stringContaining('pipeline "nope" not found') });
    expect(await cli("tag", "p", "live", "9")).toMatchObject({ code: 2, err: expect.stringContaining("E_VERSION_NOT_FOUND") });
    expect(await cli("tag", "p", "canary", "1")).toMatchObject({ code: 2, err: expect.stringContaining("live or candidate") });
    expect(await cli("promote", "p")).toMatchObject({ code: 2, err: expect.stringContaining("E_NO_CANDIDATE") });
    expect((await cli("frob", "p")).code).toBe(2);
  });
});
