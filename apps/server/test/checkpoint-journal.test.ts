import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Pipeline, type RunEvent, compile, createPool, runToEnd } from "@braid/engine";
import { defaultRegistry } from "@braid/nodes";
import type { BaseCheckpointSaver } from "@langchain/langgraph-checkpoint";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventHub } from "../src/runs/hub.js";
import { RunManager } from "../src/runs/manager.js";
import { PlainJsonSerializer } from "../src/store/checkpoints.js";
import { type Stores, openStores } from "../src/store/index.js";
import { logProblems, storedEvent, tempDir } from "./helpers.js";
import { type TestPostgres, pgBinDir, startPostgres } from "./pg-helpers.js";

/**
 * A node's node_finished and the checkpoint writes LangGraph makes as the node returns are
 * committed in one transaction, in SQLite and in PostgreSQL: whenever a process dies, the log and
 * the checkpoint agree on which nodes finished, so a resume neither runs a logged node again nor
 * has finishes to reconcile.
 */
const example = (name: string) => JSON.parse(readFileSync(new URL(`../../../examples/${name}.json`, import.meta.url), "utf8")) as Pipeline;
const cases = [
  { pipeline: example("sequential"), input: { country: "Poland", segment: "students" }, seed: 5, finishes: 5 },
  // Seed 6 fails the first check: "check" finishes twice, each visit its own span.
  { pipeline: example("validation-loop"), input: { sku: "WM-123" }, seed: 6, finishes: 6 },
];

const { dir: root, cleanup } = tempDir("braid-journal-");
let folders = 0;
const folder = () => {
  const d = join(root, String(++folders));
  mkdirSync(d);
  return d;
};
let server: TestPostgres | undefined;
beforeAll(async () => {
  if (pgBinDir) server = await startPostgres();
}, 60_000);
afterAll(async () => {
  await server?.destroy();
  cleanup();
});

function managerOn(stores: Stores) {
  const hub = new EventHub();
  const manager = new RunManager({
    store: stores.runs,
    hub,
    registry: defaultRegistry,
    pool: createPool({ latency: "zero" }),
    checkpointer: stores.checkpointer,
    maxConcurrent: 4,
    queueLimit: 100,
  });
  return {
    manager,
    async untilEnd(runId: string): Promise<RunEvent> {
      let last: RunEvent | undefined;
      for await (const e of hub.follow(stores.runs, runId, 0)) last = e.event;
      return last as RunEvent;
    },
  };
}

/** What the store holds for a run: the spans its log finished, and those its checkpoint holds as done. */
async function committed(stores: Stores, pipeline: Pipeline, runId: string) {
  const log = (await stores.runs.events(runId)).map((e) => e.event);
  const graph = compile(pipeline, defaultRegistry, { checkpointer: stores.checkpointer }).graph;
  const state = await graph.getState({ configurable: { thread_id: runId } });
  const meta = (state.values as { meta?: Record<string, { visits: number }> }).meta ?? {};
  return {
    log,
    logged: log.flatMap((e) => (e.type === "node_finished" ? [e.span] : [])).sort(),
    checkpointed: Object.entries(meta)
      .flatMap(([id, m]) => Array.from({ length: m.visits }, (_, i) => `${id}#${i + 1}`))
      .sort(),
  };
}

/** Calls `after` once each of the saver's writes has returned to LangGraph. */
function watchWrites(saver: BaseCheckpointSaver, after: () => void): BaseCheckpointSaver {
  const put = saver.put.bind(saver);
  const putWrites = saver.putWrites.bind(saver);
  saver.put = async (...args) => {
    const config = await put(...args);
    after();
    return config;
  };
  saver.putWrites = async (...args) => {
    await putWrites(...args);
    after();
  };
  return saver;
}

/**
 * Runs to the end, looking at the store after every commit of events (with the checkpoint writes
 * made beside them) and, with `afterWrite`, after every checkpoint write LangGraph makes.
 */
async function runWatchingCommits(stores: Stores, c: (typeof cases)[number], after?: () => void, afterWrite?: () => void) {
  const { pipeline, input, seed } = c;
  const journaled = stores.checkpointer.journaled.bind(stores.checkpointer);
  if (afterWrite) stores.checkpointer.journaled = (journal) => watchWrites(journaled(journal), afterWrite);
  const m = managerOn(stores);
  const states: Array<Awaited<ReturnType<typeof committed>>> = [];
  let runId = "";
  const append = stores.runs.appendBatch.bind(stores.runs);
  // Reading inside the commit's own promise: the manager writes one batch at a time, so nothing else commits meanwhile.
  stores.runs.appendBatch = async (items, writes) => {
    const seqs = await append(items, writes);
    if (runId) states.push(await committed(stores, pipeline, runId));
    after?.();
    return seqs;
  };
  const rec = await m.manager.submit({ pipeline, seed, input });
  runId = rec.id;
  const end = await m.untilEnd(rec.id);
  await m.manager.shutdown(1000);
  stores.runs.appendBatch = append;
  stores.checkpointer.journaled = journaled;
  return { runId, end, states };
}

const backends = [
  { name: "SQLite", available: true, open: async () => openStores({ dataDir: folder() }) },
  {
    name: "PostgreSQL",
    available: pgBinDir !== undefined,
    open: async () => openStores({ dataDir: folder(), databaseUrl: await (server as TestPostgres).database() }),
  },
];

describe.each(backends)("$name: events and checkpoints commit together", (backend) => {
  it.skipIf(!backend.available).each(cases.map((c) => [c.pipeline.name, c] as const))(
    "%s: after every commit, the log and the checkpoint agree",
    async (_, c) => {
      const stores = await backend.open();
      try {
        const { runId, end, states } = await runWatchingCommits(stores, c);
        expect(end.type).toBe("run_finished");
        // Mid-run commits (the last one is after pruning, which drops the checkpoint).
        const midRun = states.filter((s) => !s.log.some((e) => e.type === "run_finished"));

        // Every node but the last was seen finished mid-run (the last finishes in the run's final commit).
        const finished = (await stores.runs.events(runId)).filter((e) => e.event.type === "node_finished");
        expect(finished).toHaveLength(c.finishes);
        // Every node but the last was seen finished mid-run (the last finishes in the run's final commit).
        expect(midRun.at(-1)?.logged.length).toBeGreaterThanOrEqual(c.finishes - 1);
        for (const s of midRun) expect(s.checkpointed, `after ${s.log.length} events`).toEqual(s.logged);
      } finally {
        await stores.close();
      }
    },
  );

  it.skipIf(!backend.available)("a batch that fails stores neither its events nor its checkpoint writes", async () => {
    const stores = await backend.open();
    try {
      await stores.runs.create({ id: "r1", pipeline: cases[0]?.pipeline as Pipeline, input: {}, seed: 1, options: {}, createdAt: 1 });
      const ok = await stores.runs.appendBatch([{ runId: "r1", event: storedEvent("r1", "run_started") }]);
      await expect(
        stores.runs.appendBatch(
          [{ runId: "r1", event: storedEvent("r1", "node_started", { nodeId: "a", span: "a#1", kind: "generate", attempt: 1 }) }],
          [{ sql: "INSERT INTO no_such_table VALUES (1)", params: [] }],
        ),
      ).rejects.toThrow(/no_such_table/);
      expect((await stores.runs.events("r1")).map((e) => e.seq)).toEqual(ok);
      // The seq is not spent: the next event follows the last stored one.
      expect(
        await stores.runs.appendBatch([{ runId: "r1", event: storedEvent("r1", "node_started", { nodeId: "a", span: "a#1", kind: "generate", attempt: 1 }) }]),
      ).toEqual([2]);
    } finally {
      await stores.close();
    }
  });
});

describe("SQLite: a process killed after any commit or checkpoint write", () => {
  /** braid.db as it stands, from its WAL connection: the file a process killed right now leaves. */
  const image = (db: Database.Database) => db.serialize();

  it.each(cases.map((c) => [c.pipeline.name, c] as const))(
    "%s resumes from every committed state with each node finishing once",
    async (_, c) => {
      const dataDir = folder();
      const stores = await openStores({ dataDir });
      const db = new Database(join(dataDir, "braid.db"), { readonly: true });
      const images: Buffer[] = [];
      const snap = () => images.push(image(db));
      const whole = await runWatchingCommits(stores, c, snap, snap);
      await stores.close();
      db.close();
      expect(whole.end.type).toBe("run_finished");
      const output = (whole.end as { output: unknown }).output;

      let resumed = 0;
      for (const img of images) {
        const at = folder();
        writeFileSync(join(at, "braid.db"), img);
        const after = await openStores({ dataDir: at });
        try {
          const before = await after.runs.events(whole.runId);
          if (before.some((e) => e.event.type === "run_finished")) continue;
          const state = await committed(after, c.pipeline, whole.runId);
          expect(state.checkpointed, `the checkpoint after ${before.length} events`).toEqual(state.logged);
          const m = managerOn(after);
          expect(await m.manager.recover()).toEqual([whole.runId]);
          const end = await m.untilEnd(whole.runId);
          await m.manager.shutdown(1000);
          const stored = await after.runs.events(whole.runId);
          const events = stored.map((e) => e.event);
          expect(
            logProblems(
              stored.map((e) => e.seq),
              events,
            ),
            `resumed after ${before.length} events`,
          ).toBeUndefined();
          expect(end.type).toBe("run_finished");
          expect((end as { output: unknown }).output).toEqual(output);
          // Nothing to reconcile: every node_finished after the restart belongs to a node that ran again, with its own duration.
          const reconciled = events
            .slice(before.length)
            .filter(
              (e) =>
                e.type === "node_finished" && e.durationMs === 0 && !events.slice(before.length).some((s) => s.type === "node_started" && s.span === e.span),
            );
          expect(reconciled).toEqual([]);
          resumed++;
        } finally {
          await after.close();
        }
      }
      expect(resumed).toBeGreaterThanOrEqual(4);
    },
    60_000,
  );
});

describe("SQLite: checkpoints.db from an earlier version", () => {
  it("is copied into braid.db once, in one transaction, and removed", async () => {
    const dataDir = folder();
    const old = new Database(join(dataDir, "checkpoints.db"));
    const saver = new SqliteSaver(old, new PlainJsonSerializer());
    const c = cases[0] as (typeof cases)[number];
    const first = await runToEnd(c.pipeline, {
      registry: defaultRegistry,
      pool: createPool({ latency: "zero" }),
      input: c.input,
      runId: "legacy-1",
      seed: 5,
      checkpointer: saver,
    });
    expect(first.last.type).toBe("run_finished");
    const before = await saver.getTuple({ configurable: { thread_id: "legacy-1" } });
    old.close();

    const stores = await openStores({ dataDir });
    try {
      expect(existsSync(join(dataDir, "checkpoints.db"))).toBe(false);
      const after = await stores.checkpointer.getTuple({ configurable: { thread_id: "legacy-1" } });
      expect(after?.checkpoint).toEqual(before?.checkpoint);
      expect(after?.pendingWrites).toEqual(before?.pendingWrites);
    } finally {
      await stores.close();
    }
    // Opening again finds nothing to import and keeps what was imported.
    const again = await openStores({ dataDir });
    expect((await again.checkpointer.getTuple({ configurable: { thread_id: "legacy-1" } }))?.checkpoint.id).toBe(before?.checkpoint.id);
    await again.close();
  });
});
