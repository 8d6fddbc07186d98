import { type RunEvent, resumeLogFrom, startRun } from "../index.js";
import { MemorySaver } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { defaultRegistry } from "@braid/nodes";
import { loadExample, ofType, zeroPool } from "./helpers.js";

async function drain(h: { events: AsyncIterable<RunEvent> }) {
  const out: RunEvent[] = [];
  for await (const e of h.events) out.push(e);
  return out;
}

describe("resuming from a checkpoint", () => {
  it("logs a finish the crash lost between checkpoint and event log, exactly once", async () => {
    const saver = new MemorySaver();
    const p = loadExample("sequential");
    const first = await drain(startRun(p, { registry: defaultRegistry, pool: zeroPool(), runId: "t", seed: 3, checkpointer: saver }));
    // Pretend the process died after "validate" was checkpointed but before its finish was logged.
    const cut = first.findIndex((e) => e.type === "node_finished" && e.nodeId === "validate");
    const logged = first.slice(0, cut);
    const resumed = await drain(
      startRun(p, { registry: defaultRegistry, pool: zeroPool(), runId: "t", seed: 3, checkpointer: saver, resume: true, resumeLog: resumeLogFrom(logged) }),
    );
    const all = [...logged, ...resumed];
    const finishes = ofType(all, "node_finished").map((e) => e.span);
    expect(finishes.filter((s) => s === "validate#1")).toHaveLength(1);
    expect(new Set(finishes).size).toBe(finishes.length);
    expect(ofType(all, "node_started").filter((e) => e.span === "validate#1")).toHaveLength(1);
    expect(resumed.at(-1)).toMatchObject({ type: "run_finished", output: (first.at(-1) as { output: unknown }).output });
    expect(ofType(resumed, "run_started")).toHaveLength(0);
  });
});
