import type { RunEvent } from "@braid/engine";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteRunStore } from "../src/store/runs.js";
import { openDb } from "../src/store/db.js";
import { json, logProblems, spawnServer, tempDir, waitFor, untilEnrichRunning } from "./helpers.js";

/**
 * The kill -9 test: a real server process on a file-backed database is killed in the middle of a
 * run; the next start must resume that run from its last checkpoint without re-executing finished
 * nodes, and the event log must stay gap-free and duplicate-free.
 */
describe("durability across SIGKILL", () => {
  const { dir, cleanup } = tempDir("braid-kill-");
  const env = { BRAID_DATA_DIR: dir, BRAID_PORT: "0", BRAID_SIM_LATENCY: "realistic" };
  const children: Array<{ kill: (s: NodeJS.Signals) => boolean }> = [];
  afterAll(() => {
    for (const c of children) c.kill("SIGKILL");
    cleanup();
  });

  it("resumes an interrupted run with the same output as an uninterrupted one", async () => {
    const first = spawnServer(env);
    children.push(first.child);
    const url1 = await first.ready;
    const input = { country: "Poland", segment: "students" };
    const started = await json(`${url1}/api/pipelines/sequential/runs?seed=11`, { method: "POST", body: JSON.stringify(input) });
    expect(started.status).toBe(202);
    const runId = started.body.runId as string;

    // Wait until one LLM node has finished and the next one is running, then kill without warning.
    const db = openDb(dir);
    const store = new SqliteRunStore(db);
    await untilEnrichRunning(store, runId);
    first.child.kill("SIGKILL");
    await new Promise((r) => first.child.once("exit", r));
    const beforeKill = (await store.events(runId)).map((e) => e.event);
    expect(beforeKill.some((e) => e.type === "run_finished")).toBe(false);

    // Restart and let recovery finish the run.
    const restartAt = Date.now();
    const second = spawnServer(env);
    children.push(second.child);
    const url2 = await second.ready;
    const resumedAt = await waitFor(
      "the first event after the restart",
      async () => ((await store.events(runId)).length > beforeKill.length ? Date.now() : undefined),
      20_000,
      5,
    );
    const finalRun = await waitFor("resumed run to finish", async () => {
      const r = await json(`${url2}/api/runs/${runId}`);
      return r.body.status === "completed" ? r.body : undefined;
    });
    const recoveryMs = Date.now() - restartAt;

    const stored = await store.events(runId);
    const events: RunEvent[] = stored.map((e) => e.event);
    expect(
      logProblems(
        stored.map((e) => e.seq),
        events,
      ),
    ).toBeUndefined();
    // Completed nodes finished exactly once: "basic" was done before the kill and is not re-executed.
    const finishedBasic = events.filter((e) => e.type === "node_finished" && e.nodeId === "basic");
    expect(finishedBasic).toHaveLength(1);
    for (const id of ["in", "basic", "enrich", "validate", "out"]) expect(events.filter((e) => e.type === "node_finished" && e.nodeId === id)).toHaveLength(1);

    // Same seed, no interruption: identical output.
    const control = await json(`${url2}/api/pipelines/sequential/runs?seed=11&wait=true`, { method: "POST", body: JSON.stringify(input) });
    expect(control.body.status).toBe("completed");
    expect(finalRun.output).toEqual(control.body.output);
    console.log(
      `kill -9 recovery: first resumed event ${resumedAt - restartAt} ms after the restart began (process start included); run completed after ${recoveryMs} ms; ${events.length} events, ${beforeKill.length} logged before the kill`,
    );

    second.child.kill("SIGTERM");
    await new Promise((r) => second.child.once("exit", r));
    db.close();
  }, 60_000);

  it("kill -9 inside a branch that runs as its own graph (critical-path scheduling): resumes inside it, each node once", async () => {
    const gen = (id: string, backend: string, prompt: string) => ({ id, kind: "generate", config: { backend, prompt } });
    // Branch a is a three-node chain (a region with its own subgraph and checkpoints), branch b one slow node.
    const pipeline = {
      format: "braid/pipeline@1",
      name: "skewed for kill -9",
      input: { example: { topic: "otters" } },
      nodes: [
        { id: "in", kind: "input" },
        gen("a1", "generator", "First {{input.topic}}"),
        gen("a2", "validator", "Second {{a1}}"),
        gen("a3", "generator", "Third {{a2}}"),
        gen("b1", "validator", "Other {{input.topic}}"),
        { id: "join", kind: "merge", config: { strategy: "object" } },
        { id: "out", kind: "output" },
      ],
      edges: [
        { from: "in", to: "a1" },
        { from: "a1", to: "a2" },
        { from: "a2", to: "a3" },
        { from: "a3", to: "join" },
        { from: "in", to: "b1" },
        { from: "b1", to: "join" },
        { from: "join", to: "out" },
      ],
    };
    const first = spawnServer(env);
    children.push(first.child);
    const url1 = await first.ready;
    const saved = await json(`${url1}/trpc/pipelines.save`, { method: "POST", body: JSON.stringify({ pipeline }) });
    expect(saved.status).toBe(200);
    const id = saved.body.result.data.id as string;
    const started = await json(`${url1}/api/pipelines/${id}/runs?seed=3`, { method: "POST" });
    expect(started.status).toBe(202);
    const runId = started.body.runId as string;
    const db = openDb(dir);
    const store = new SqliteRunStore(db);
    // Killed while the chain's second node runs: a1 is checkpointed inside the region's own graph.
    await waitFor("a1 finished and a2 running", async () => {
      const events = (await store.events(runId)).map((e) => e.event);
      const done = events.some((e) => e.type === "node_finished" && e.nodeId === "a1");
      const running = events.some((e) => e.type === "node_started" && e.nodeId === "a2");
      return done && running ? true : undefined;
    });
    first.child.kill("SIGKILL");
    await new Promise((r) => first.child.once("exit", r));
    const second = spawnServer(env);
    children.push(second.child);
    const url2 = await second.ready;
    const finalRun = await waitFor("resumed run to finish", async () => {
      const r = await json(`${url2}/api/runs/${runId}`);
      return r.body.status === "completed" ? r.body : undefined;
    });
    const stored = await store.events(runId);
    const events: RunEvent[] = stored.map((e) => e.event);
    expect(
      logProblems(
        stored.map((e) => e.seq),
        events,
      ),
    ).toBeUndefined();
    for (const n of pipeline.nodes) expect(events.filter((e) => e.type === "node_finished" && e.nodeId === n.id)).toHaveLength(1);
    expect(events.filter((e) => e.type === "node_started" && e.nodeId === "a1")).toHaveLength(1);
    const control = await json(`${url2}/api/pipelines/${id}/runs?seed=3&wait=true`, { method: "POST" });
    expect(control.body.status).toBe("completed");
    expect(finalRun.output).toEqual(control.body.output);
    second.child.kill("SIGTERM");
    await new Promise((r) => second.child.once("exit", r));
    db.close();
  }, 60_000);

  it("SIGTERM stops taking runs, lets running ones finish within the grace period, and suspends the rest for the next start", async () => {
    const graceEnv = { ...env, BRAID_SHUTDOWN_GRACE_MS: "200" };
    const first = spawnServer(graceEnv);
    children.push(first.child);
    const url = await first.ready;
    const r = await json(`${url}/api/pipelines/sequential/runs?seed=5`, { method: "POST" });
    const db = openDb(dir);
    const store = new SqliteRunStore(db);
    await waitFor("basic finished", async () =>
      (await store.events(r.body.runId)).some((e) => e.event.type === "node_finished" && e.event.nodeId === "basic") ? true : undefined,
    );
    first.child.kill("SIGTERM");
    const code = await new Promise((res) => first.child.once("exit", res));
    expect(code).toBe(0);
    expect((await store.get(r.body.runId))?.status).toBe("running");
    expect((await store.events(r.body.runId)).some((e) => e.event.type === "run_cancelled")).toBe(false);
    const second = spawnServer(graceEnv);
    children.push(second.child);
    const url2 = await second.ready;
    const done = await waitFor("suspended run to finish", async () => {
      const x = await json(`${url2}/api/runs/${r.body.runId}`);
      return x.body.status === "completed" ? x.body : undefined;
    });
    expect(done.status).toBe("completed");
    const stored = await store.events(r.body.runId);
    expect(
      logProblems(
        stored.map((e) => e.seq),
        stored.map((e) => e.event),
      ),
    ).toBeUndefined();
    second.child.kill("SIGTERM");
    await new Promise((res) => second.child.once("exit", res));
    db.close();
  }, 60_000);
});
