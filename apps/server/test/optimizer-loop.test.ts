/**
 * The self-improvement loop end to end, offline: simulated backends, a millisecond interval, REST
 * traffic. (a) a defective candidate is rolled back within one cycle under live traffic; (b) a
 * better candidate is promoted after approval; (c) the kill switch blocks every automatic action.
 */
import { afterEach, describe, expect, it } from "vitest";
import { json, waitFor } from "./helpers.js";
import { type Ctx, boot, cyclesOf, post, put, runMany, runOnce, saveWithBackend, tagVersions, trpc } from "./optimizer-helpers.js";

let ctx: Ctx | undefined;
afterEach(async () => {
  await ctx?.stop();
  ctx = undefined;
});

describe("the optimizer loop", () => {
  it("rolls back a defective canary within one cycle; live traffic goes on without a failed request; the audit holds the rollback with its evidence", async () => {
    ctx = await boot(25);
    const { url } = ctx;
    const bad = await saveWithBackend(url, "sequential", "validate", "flaky");
    await tagVersions(url, "sequential", 1, bad);
    const minSamples = 6;
    const policy = { enabled: true, canaryPercent: 50, rollbackOnDegrade: true, minSamples, gates: ["errorRate <= 0.05"] };
    expect((await put(`${url}/api/pipelines/sequential/policy`, policy)).status).toBe(200);

    // Clients keep sending (one split key per request) until well after the switch.
    let rolledBack = false;
    let afterSwitch = 0;
    const responses: Array<{ status: number; body: any; sentAfterRollback: boolean }> = [];
    let n = 0;
    const client = async () => {
      while (afterSwitch < 24) {
        const sentAfterRollback = rolledBack;
        const r = await runOnce(url, "sequential", { key: `user-${n++}` });
        responses.push({ status: r.status, body: r.body, sentAfterRollback });
        if (sentAfterRollback) afterSwitch++;
      }
    };
    const watcher = waitFor(
      "the rollback",
      async () => {
        const d = await json(`${url}/api/pipelines/sequential/deployment`);
        if (d.body.candidate === undefined) rolledBack = true;
        return rolledBack || undefined;
      },
      20_000,
      5,
    );
    await Promise.all([watcher, client(), client(), client(), client()]);

    // No request failed: every one was answered 200, every run on live completed, the candidate's runs failed on its own defect.
    expect(responses.filter((r) => r.status !== 200)).toEqual([]);
    const live = responses.filter((r) => r.body.traffic === "live");
    const canary = responses.filter((r) => r.body.traffic === "candidate");
    expect(live.length).toBeGreaterThan(0);
    expect(canary.length).toBeGreaterThanOrEqual(minSamples);
    expect(live.filter((r) => r.body.status !== "completed" || r.body.pipelineVersion !== 1)).toEqual([]);
    expect(canary.every((r) => r.body.pipelineVersion === bad && r.body.status === "failed" && r.body.error.code === "E_BACKEND_FAILED")).toBe(true);
    // Once rolled back, traffic is all live again.
    const after = responses.filter((r) => r.sentAfterRollback);
    expect(after.length).toBeGreaterThanOrEqual(24);
    expect(after.every((r) => r.body.traffic === "live" && r.body.pipelineVersion === 1 && r.body.status === "completed")).toBe(true);

    // Within one cycle: the first cycle that saw minSamples candidate runs is the one that rolled back.
    const cycles = await cyclesOf(url, "sequential");
    const judged = cycles.filter((c) => (c.metrics.candidate?.runs ?? 0) >= minSamples);
    expect(judged[0]?.decision.action).toBe("rollback");
    expect(judged[0]?.decision.reason).toMatch(/broke errorRate <= 0\.05/);
    expect(cycles.filter((c) => c.decision.action === "rollback")).toHaveLength(1);
    expect(cycles.filter((c) => c.decision.action !== "rollback" && c.decision.action !== "wait" && c.decision.action !== "none")).toEqual([]);

    const audit = await json(`${url}/api/audit?pipelineId=sequential&action=rollback`);
    expect(audit.body).toHaveLength(1);
    const entry = audit.body[0];
    expect(entry).toMatchObject({ actor: "optimizer", action: "rollback", pipelineId: "sequential", evidence: { tag: "candidate", version: bad } });
    expect(entry.reason).toMatch(/candidate v2 broke errorRate <= 0\.05/);
    expect(entry.evidence.metrics.candidate.errorRate).toBeGreaterThan(0.05);
    expect(entry.evidence.metrics.candidate.runs).toBeGreaterThanOrEqual(minSamples);
    expect(entry.evidence.gates).toEqual([expect.objectContaining({ expr: "errorRate <= 0.05", passed: false, threshold: 0.05 })]);
    const jsonl = await fetch(`${url}/api/audit?pipelineId=sequential&format=jsonl`).then((r) => r.text());
    const lines = jsonl
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.action)).toEqual(["save", "tag", "tag", "policy-change", "rollback"]);
  });

  it("promotes a better candidate after approval: the cycle queues it once, approval moves the live tag, every step audited", async () => {
    ctx = await boot(0);
    const { url } = ctx;
    // The same pipeline with its premium-tier node on the fast tier: as reliable, cheaper.
    const cheaper = await saveWithBackend(url, "sequential", "validate", "generator");
    await tagVersions(url, "sequential", 1, cheaper);
    const policy = {
      enabled: true,
      canaryPercent: 50,
      autoPromote: true,
      manualApprovalRequired: true,
      minSamples: 5,
      gates: ["errorRate <= live.errorRate", "costPer1k < live.costPer1k"],
    };
    expect((await put(`${url}/api/pipelines/sequential/policy`, policy)).status).toBe(200);
    const traffic = await runMany(url, "sequential", 40, { keyPrefix: "k" });
    expect(traffic.every((r) => r.status === 200 && r.body.status === "completed")).toBe(true);
    expect(traffic.filter((r) => r.body.traffic === "candidate").length).toBeGreaterThanOrEqual(5);

    const first = (await post(`${url}/api/optimizer/trigger`)).body.pipelines[0];
    expect(first.gates.map((g: { passed: boolean }) => g.passed)).toEqual([true, true]);
    expect(first.decision.action).toBe("queue-approval");
    const again = (await post(`${url}/api/optimizer/trigger`)).body.pipelines[0];
    expect(again.decision).toMatchObject({ action: "none", reason: expect.stringMatching(/already asked/) });
    const pending = (await json(`${url}/api/optimizer/pending?status=pending`)).body;
    expect(pending).toEqual([expect.objectContaining({ id: first.pendingActionId, pipelineId: "sequential", version: cheaper, kind: "promote" })]);
    // Nothing moved before the approval.
    expect((await json(`${url}/api/pipelines/sequential/deployment`)).body).toMatchObject({ live: 1, candidate: cheaper });

    const approved = await trpc(url, "deployments.optimizer.approve", { id: first.pendingActionId, reason: "cheaper, no worse" });
    expect(approved.data).toMatchObject({ status: "approved", decidedBy: "local" });
    const d = (await json(`${url}/api/pipelines/sequential/deployment`)).body;
    expect(d.live).toBe(cheaper);
    expect(d.candidate).toBeUndefined();
    const twice = await post(`${url}/api/optimizer/pending/${first.pendingActionId}/approve`);
    expect(twice).toMatchObject({ status: 409, body: { error: { code: "E_ACTION_STATE" } } });
    const next = await runOnce(url, "sequential");
    expect(next.body).toMatchObject({ status: "completed", pipelineVersion: cheaper, traffic: "live" });

    const audit = (await json(`${url}/api/audit?pipelineId=sequential`)).body as Array<{ action: string; actor: string; reason: string; evidence: any }>;
    const actions = audit.map((e) => `${e.action}:${e.actor}`).reverse();
    expect(actions.slice(-3)).toEqual(["approval-requested:optimizer", "approve:local", "promote:local"]);
    expect(audit[0]?.evidence).toMatchObject({ version: cheaper, previous: 1, actionId: first.pendingActionId });
    expect(audit[0]?.evidence.metrics.candidate.costPer1k).toBeLessThan(audit[0]?.evidence.metrics.live.costPer1k);
    expect(audit[1]?.reason).toBe("cheaper, no worse");
  });

  it("stop blocks every automatic action while cycles go on measuring and traffic keeps flowing; start lets them run", async () => {
    ctx = await boot(15);
    const { url } = ctx;
    expect((await post(`${url}/api/optimizer/stop`, { reason: "incident 42" })).body).toEqual({ running: false });
    // One pipeline whose candidate should be rolled back, one whose candidate should be promoted at once.
    const bad = await saveWithBackend(url, "sequential", "validate", "flaky");
    await tagVersions(url, "sequential", 1, bad);
    const good = await saveWithBackend(url, "parallel", "details", "generator");
    await tagVersions(url, "parallel", 1, good);
    const gates = ["errorRate <= 0.05"];
    await put(`${url}/api/pipelines/sequential/policy`, { enabled: true, canaryPercent: 50, minSamples: 4, gates });
    await put(`${url}/api/pipelines/parallel/policy`, {
      enabled: true,
      canaryPercent: 50,
      minSamples: 4,
      gates,
      autoPromote: true,
      manualApprovalRequired: false,
    });
    for (const id of ["sequential", "parallel"]) {
      const rs = await runMany(url, id, 24, { keyPrefix: `${id}-` });
      expect(rs.every((r) => r.status === 200)).toBe(true);
      expect(rs.filter((r) => r.body.traffic === "live").every((r) => r.body.status === "completed")).toBe(true);
    }
    const seen = (await json(`${url}/api/optimizer/status`)).body.lastCycle.id as number;
    await waitFor("three more cycles", async () => ((await json(`${url}/api/optimizer/status`)).body.lastCycle.id as number) >= seen + 3 || undefined);
    await post(`${url}/api/optimizer/trigger`);

    for (const [id, would] of [
      ["sequential", "rollback"],
      ["parallel", "promote"],
    ] as const) {
      const judged = (await cyclesOf(url, id)).filter((c) => (c.metrics.candidate?.runs ?? 0) >= 4);
      expect(judged.length).toBeGreaterThanOrEqual(3);
      for (const c of judged) expect(c.decision).toMatchObject({ action: "stopped", wouldHave: would, reason: expect.stringMatching(/^stopped: no action/) });
    }
    expect((await json(`${url}/api/pipelines/sequential/deployment`)).body).toMatchObject({ live: 1, candidate: bad });
    expect((await json(`${url}/api/pipelines/parallel/deployment`)).body).toMatchObject({ live: 1, candidate: good });
    expect((await json(`${url}/api/optimizer/pending`)).body).toEqual([]);
    const automatic = ((await json(`${url}/api/audit`)).body as Array<{ actor: string }>).filter((e) => e.actor === "optimizer");
    expect(automatic).toEqual([]);
    expect((await json(`${url}/api/optimizer/status`)).body.running).toBe(false);

    expect((await post(`${url}/api/optimizer/start`)).body).toEqual({ running: true });
    const cycle = (await post(`${url}/api/optimizer/trigger`)).body;
    expect(cycle.stopped).toBe(false);
    expect((await json(`${url}/api/pipelines/sequential/deployment`)).body.candidate).toBeUndefined();
    expect((await json(`${url}/api/pipelines/parallel/deployment`)).body).toMatchObject({ live: good });
    const switches = ((await json(`${url}/api/audit?limit=1000`)).body as Array<{ action: string; reason: string }>).filter(
      (e) => e.action === "stop" || e.action === "start",
    );
    expect(switches.map((e) => e.action)).toEqual(["start", "stop"]);
    expect(switches[1]?.reason).toBe("incident 42");
  });

  it("rolls a degraded live version back to the version live before it, once", async () => {
    ctx = await boot(0);
    const { url } = ctx;
    const bad = await saveWithBackend(url, "sequential", "validate", "flaky");
    await tagVersions(url, "sequential", 1, bad);
    expect((await post(`${url}/api/pipelines/sequential/promote`)).body).toEqual({ live: bad });
    await put(`${url}/api/pipelines/sequential/policy`, {
      enabled: true,
      minSamples: 4,
      gates: ["errorRate <= 0.05", "p95LatencyMs <= live.p95LatencyMs * 2"],
    });
    const failing = await runMany(url, "sequential", 6);
    expect(failing.every((r) => r.status === 200 && r.body.pipelineVersion === bad && r.body.status === "failed")).toBe(true);

    const entry = (await post(`${url}/api/optimizer/trigger`)).body.pipelines[0];
    expect(entry.decision).toMatchObject({
      action: "rollback-live",
      reason: expect.stringMatching(/^live v2 broke errorRate <= 0\.05 \(1 vs 0\.05\) over 6 runs; back to v1/),
    });
    expect(entry.liveGates.map((g: { expr: string }) => g.expr)).toEqual(["errorRate <= 0.05"]);
    expect((await json(`${url}/api/pipelines/sequential/deployment`)).body).toMatchObject({ live: 1 });
    expect((await runOnce(url, "sequential")).body).toMatchObject({ pipelineVersion: 1, status: "completed", traffic: "live" });
    const rollback = (await json(`${url}/api/audit?pipelineId=sequential&action=rollback`)).body;
    expect(rollback).toEqual([expect.objectContaining({ actor: "optimizer", evidence: expect.objectContaining({ tag: "live", version: 1, previous: bad }) })]);
    expect(rollback[0].evidence.metrics.live.errorRate).toBe(1);
    // The next cycle judges v1 on its own runs and leaves it.
    expect((await post(`${url}/api/optimizer/trigger`)).body.pipelines[0].decision.action).toBe("none");
  });
});
