import { MemorySaver } from "@langchain/langgraph";
import { defaultRegistry } from "@braid/nodes";
import { describe, expect, it } from "vitest";
import { type Pipeline, type ResumeDecision, type RunEvent, checkResume, planReuse, resumeLogFrom, runViewAt, startRun, waitingAt } from "../index.js";
import { gen, ofType, pipeline, zeroPool } from "./helpers.js";

async function drain(h: { events: AsyncIterable<RunEvent> }) {
  const out: RunEvent[] = [];
  for await (const e of h.events) out.push(e);
  return out;
}

/** input → draft → review; approved → publish → out, rejected → redo → out, timeout → out. */
function reviewed(review: Record<string, unknown> = {}): Pipeline {
  return pipeline(
    [
      gen("draft", { shape: { title: "string" } }),
      { id: "review", kind: "approval", config: { message: "Check the draft about {{input.topic}}: {{draft.title}}", allowEdit: true, ...review } },
      gen("publish", { prompt: "publish {{review.value.title}}" }),
      gen("redo", { prompt: "redo {{input.topic}}" }),
    ],
    [
      ["in", "draft"],
      ["draft", "review"],
      ["review", "publish", "approved"],
      ["review", "redo", "rejected"],
      ...(review.timeoutMs !== undefined ? [["review", "out", "timeout"] as [string, string, string]] : []),
      ["publish", "out"],
      ["redo", "out"],
    ],
    "{{review}}",
  );
}

/** Starts a run, and resumes it with each decision in turn, as the server does: one stretch per decision. */
async function runWith(p: Pipeline, decisions: Array<Omit<ResumeDecision, "node" | "decidedAt">>) {
  const saver = new MemorySaver();
  const base = { registry: defaultRegistry, pool: zeroPool(), runId: "r", seed: 5, checkpointer: saver };
  const stretches = [await drain(startRun(p, base))];
  for (const d of decisions) {
    const log = stretches.flat();
    const waiting = waitingAt(log);
    if (!waiting) throw new Error("the run is not waiting");
    const answer = { node: waiting.nodeId, decidedAt: 1, ...d };
    checkResume(p, defaultRegistry, waiting, answer, { allowTimeout: true });
    stretches.push(await drain(startRun(p, { ...base, resume: true, answer, resumeLog: resumeLogFrom(log) })));
  }
  return { stretches, all: stretches.flat() };
}

const startedNodes = (events: RunEvent[]) => ofType(events, "node_started").map((e) => e.nodeId);

describe("the approval node", () => {
  it("pauses the run: status waiting, a node_waiting event with the rendered message and the output under review", async () => {
    const { all } = await runWith(reviewed(), []);
    expect(all.at(-1)).toMatchObject({ type: "run_waiting", nodeId: "review" });
    const [waiting] = ofType(all, "node_waiting");
    const draft = ofType(all, "node_finished").find((e) => e.nodeId === "draft")?.output as { title: string };
    expect(waiting).toMatchObject({ nodeId: "review", reviews: "draft", allowEdit: true, decisions: ["approved", "rejected"], value: draft });
    expect(waiting?.message).toBe(`Check the draft about mice: ${draft.title}`);
    expect(startedNodes(all)).toEqual(["in", "draft", "review"]);
    expect(runViewAt(all)).toMatchObject({ status: "waiting", waiting: { nodeId: "review", span: "review#1" } });
  });

  it("approved takes only the approved branch, and no node before it runs again", async () => {
    const { stretches, all } = await runWith(reviewed(), [{ decision: "approved", reviewer: "ada", comment: "fine" }]);
    expect(all.at(-1)?.type).toBe("run_finished");
    // Every node started exactly once across the whole run; the rejected branch never ran.
    expect(startedNodes(all).sort()).toEqual(["draft", "in", "out", "publish", "review"]);
    expect(startedNodes(stretches[1] ?? [])).toEqual(["publish", "out"]);
    const finish = ofType(all, "node_finished").find((e) => e.nodeId === "review");
    expect(finish).toMatchObject({ branch: "approved", output: { decision: "approved", reviewer: "ada", comment: "fine", decidedAt: 1 } });
    expect(stretches[1]?.[0]).toMatchObject({ type: "run_resumed", nodeId: "review", decision: "approved", reviewer: "ada" });
    const view = runViewAt(all);
    expect(view.status).toBe("completed");
    expect(view.spans["review#1"]?.review).toMatchObject({ decision: "approved", reviewer: "ada", comment: "fine" });
  });

  it("rejected takes only the rejected branch", async () => {
    const { all } = await runWith(reviewed(), [{ decision: "rejected", reviewer: "bo" }]);
    expect(all.at(-1)).toMatchObject({ type: "run_finished", output: { decision: "rejected", reviewer: "bo" } });
    expect(startedNodes(all).sort()).toEqual(["draft", "in", "out", "redo", "review"]);
  });

  it("an edited value flows downstream", async () => {
    const { all } = await runWith(reviewed(), [{ decision: "approved", value: { title: "Edited title" } }]);
    const publish = ofType(all, "node_started").find((e) => e.nodeId === "publish");
    expect(publish?.prompt).toBe("publish Edited title");
    expect(all.at(-1)).toMatchObject({ type: "run_finished", output: { value: { title: "Edited title" } } });
  });

  it("a timeout takes the timeout branch, declared only when a timeout is set", async () => {
    expect(defaultRegistry.get("approval")?.branches?.({ message: "m" })).toEqual(["approved", "rejected"]);
    const { all } = await runWith(reviewed({ timeoutMs: 50 }), [{ decision: "timeout" }]);
    const waiting = ofType(all, "node_waiting")[0];
    expect(waiting?.timeoutAt).toBeGreaterThan(waiting?.at ?? 0);
    expect(all.at(-1)).toMatchObject({ type: "run_finished", output: { decision: "timeout" } });
    expect(startedNodes(all).sort()).toEqual(["draft", "in", "out", "review"]);
  });

  it("refuses a wrong node, an unknown decision, an edit it does not allow and an edit of the wrong shape, naming the field", async () => {
    const p = reviewed();
    const { all } = await runWith(p, []);
    const waiting = waitingAt(all);
    if (!waiting) throw new Error("not waiting");
    const check = (d: Record<string, unknown>) => () => checkResume(p, defaultRegistry, waiting, d);
    expect(check({ node: "draft", decision: "approved" })).toThrow(/^node: /);
    expect(check({ node: "review", decision: "maybe" })).toThrow(/^decision: /);
    expect(check({ node: "review", decision: "timeout" })).toThrow(/^decision: /);
    expect(check({ node: "review", decision: "approved", value: { title: 3 } })).toThrow(/^value: .*title should be a string/);
    expect(check({ node: "review", decision: "approved", value: { title: "ok" } })).not.toThrow();
    const locked = await runWith(reviewed({ allowEdit: false }), []);
    const w2 = waitingAt(locked.all);
    if (!w2) throw new Error("not waiting");
    expect(() => checkResume(p, defaultRegistry, w2, { node: "review", decision: "approved", value: { title: "x" } })).toThrow(/^value: .*does not allow/);
  });

  it("a crash after the pause was checkpointed but before run_waiting was logged pauses again on recovery, logging nothing twice", async () => {
    const saver = new MemorySaver();
    const base = { registry: defaultRegistry, pool: zeroPool(), runId: "crash", seed: 5, checkpointer: saver };
    const first = await drain(startRun(reviewed(), base));
    const logged = first.slice(0, -1);
    const recovered = await drain(startRun(reviewed(), { ...base, resume: true, resumeLog: resumeLogFrom(logged) }));
    expect(recovered).toEqual([expect.objectContaining({ type: "run_waiting", nodeId: "review" })]);
    const all = [...logged, ...recovered];
    const answer = { node: "review", decision: "approved", decidedAt: 2 };
    const rest = await drain(startRun(reviewed(), { ...base, resume: true, answer, resumeLog: resumeLogFrom(all) }));
    expect(rest.at(-1)?.type).toBe("run_finished");
    expect(startedNodes([...all, ...rest]).sort()).toEqual(["draft", "in", "out", "publish", "review"]);
  });

  it("a decision handed back after it was taken up (queue mode keeps it in the job) is applied and logged once", async () => {
    // The checkpointer fails once armed: the worker "dies" after the review's step was checkpointed.
    class DyingSaver extends MemorySaver {
      dead = false;
      override async put(...args: Parameters<MemorySaver["put"]>) {
        if (this.dead) throw new Error("worker killed");
        return super.put(...args);
      }
    }
    const saver = new DyingSaver();
    const base = { registry: defaultRegistry, pool: zeroPool(), runId: "handed-back", seed: 5, checkpointer: saver };
    const first = await drain(startRun(reviewed(), base));
    const answer = { node: "review", decision: "approved", reviewer: "ada", decidedAt: 3 };
    const second: RunEvent[] = [];
    for await (const e of startRun(reviewed(), { ...base, resume: true, answer, resumeLog: resumeLogFrom(first) }).events) {
      if (e.type === "run_failed") break; // what the dead worker never logged
      second.push(e);
      if (e.type === "node_started" && e.nodeId === "publish") saver.dead = true;
    }
    saver.dead = false;
    const logged = [...first, ...second];
    expect(ofType(logged, "node_finished").map((e) => e.nodeId)).toContain("review");
    const third = await drain(startRun(reviewed(), { ...base, resume: true, answer, resumeLog: resumeLogFrom(logged) }));
    const all = [...logged, ...third];
    expect(all.at(-1)?.type).toBe("run_finished");
    expect(ofType(all, "run_resumed")).toHaveLength(1);
    expect(ofType(all, "node_finished").filter((e) => e.nodeId === "review")).toHaveLength(1);
    expect(ofType(all, "node_finished").find((e) => e.nodeId === "out")?.output).toMatchObject({ decision: "approved", reviewer: "ada" });
  });

  it("re-running from a node after the approval reuses the recorded decision; re-running from the approval pauses again", async () => {
    const p = reviewed();
    const { all } = await runWith(p, [{ decision: "approved", reviewer: "ada" }]);
    const after = planReuse(p, all, { fromNode: "publish" });
    const child = await drain(startRun(p, { registry: defaultRegistry, pool: zeroPool(), seed: 5, reuse: after.reuse }));
    expect(child.at(-1)?.type).toBe("run_finished");
    expect(ofType(child, "node_finished").find((e) => e.nodeId === "review")).toMatchObject({ reused: true, branch: "approved", output: { reviewer: "ada" } });
    const again = planReuse(p, all, { fromNode: "review" });
    const paused = await drain(startRun(p, { registry: defaultRegistry, pool: zeroPool(), seed: 5, reuse: again.reuse, checkpointer: new MemorySaver() }));
    expect(paused.at(-1)).toMatchObject({ type: "run_waiting", nodeId: "review" });
    expect(ofType(paused, "node_finished").find((e) => e.nodeId === "draft")?.reused).toBe(true);
  });

  it("without a checkpointer the run fails with a coded error naming the node", async () => {
    const events = await drain(startRun(reviewed(), { registry: defaultRegistry, pool: zeroPool(), seed: 5 }));
    expect(events.at(-1)).toMatchObject({ type: "run_failed", error: { code: "E_APPROVAL_UNSUPPORTED", nodeId: "review" } });
  });
});
