import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { expect, test } from "@playwright/test";
import { openApp } from "./helpers.js";
import { trpc } from "./trace-helpers.js";

const SHOTS = process.env.BRAID_E2E_SHOTS ?? `${tmpdir()}/braid-e2e-shots`;

test("deployments: tag a candidate, set a policy (a bad one is refused by field), canary traffic, a cycle queues approval, approve promotes, stop is the kill switch, all audited", async ({
  page,
  request,
}) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  // Version 2 of the sequential example: the same graph, saved again with a message.
  const current = await request.get(`/trpc/pipelines.get?input=${encodeURIComponent(JSON.stringify({ id: "sequential" }))}`);
  const doc = ((await current.json()) as { result: { data: { pipeline: unknown } } }).result.data.pipeline;
  await trpc(request, "pipelines.save", { id: "sequential", pipeline: doc, message: "second take" });

  await openApp(page);
  await page.getByRole("button", { name: "Experiments", exact: true }).click();
  await page.getByRole("button", { name: "Deployments", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Deployments", level: 1 })).toBeVisible();
  await page.getByRole("combobox", { name: "Pipeline", exact: true }).selectOption("sequential");

  // Nothing tagged: REST gets the latest. Tag v2 as the candidate and v1 as live.
  const versions = page.getByRole("table", { name: "Versions" });
  await expect(page.getByRole("region", { name: "Versions" })).toContainText("REST runs get v2 (the latest: nothing is tagged live)");
  await versions.getByRole("button", { name: "Make v1 live" }).click();
  await expect(versions.getByRole("row", { name: /^v1 / })).toContainText("live");
  await versions.getByRole("button", { name: "Tag v2 as candidate" }).click();
  await expect(versions.getByRole("row", { name: /^v2 / })).toContainText("candidate");

  // A bad policy is refused, naming the field; a good one is saved.
  const policy = page.getByRole("region", { name: "Policy" });
  await policy.getByRole("checkbox", { name: "Enabled" }).check();
  await policy.getByRole("spinbutton", { name: "Canary percent" }).fill("150");
  await policy.getByRole("button", { name: "Save policy" }).click();
  await expect(page.getByRole("alert")).toContainText("canaryPercent");
  await policy.getByRole("spinbutton", { name: "Canary percent" }).fill("50");
  await policy.getByRole("spinbutton", { name: "Minimum samples" }).fill("3");
  await policy.getByRole("textbox", { name: "Gates over live metrics (one per line)" }).fill("errorRate <= 0.05");
  await policy.getByRole("button", { name: "Save policy" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Policy saved." })).toBeVisible();

  // Live traffic over REST: both versions get some, sticky per split key.
  const traffic: Record<string, number> = {};
  for (let i = 0; i < 24; i++) {
    const r = await request.post("/api/pipelines/sequential/runs?wait=true", { headers: { "x-braid-split-key": `user-${i}` } });
    expect(r.status(), await r.text()).toBe(200);
    const t = r.headers()["x-braid-traffic"] ?? "?";
    traffic[t] = (traffic[t] ?? 0) + 1;
  }
  expect(traffic.live).toBeGreaterThan(0);
  expect(traffic.candidate).toBeGreaterThan(0);
  await page.getByRole("region", { name: "Live metrics" }).getByRole("button", { name: "Refresh" }).click();
  await expect(page.getByRole("table", { name: "Live metrics" }).getByRole("row", { name: /^candidate v2/ })).toContainText(String(traffic.candidate));

  await expect(page.getByRole("img", { name: /^Error rate by version \(%\): live v1 0 %, candidate v2 0 %$/ })).toBeVisible();

  // A cycle: the candidate passes its gate over enough samples; approval is required, so it waits.
  const optimizer = page.getByRole("region", { name: "Optimizer" });
  await optimizer.getByRole("button", { name: "Run a cycle now" }).click();
  await expect(optimizer.getByRole("list", { name: "Recent cycles" })).toContainText("queue-approval");
  const pending = page.getByRole("region", { name: "Waiting for approval" });
  await expect(pending).toContainText("Promote v2");
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/deployments.png` });
  await pending.getByRole("button", { name: "Approve" }).click();
  await expect(versions.getByRole("row", { name: /^v2 / })).toContainText("live");
  await expect(page.getByRole("region", { name: "Waiting for approval" })).toHaveCount(0);

  // The kill switch: stopped, a cycle takes no action.
  await optimizer.getByRole("button", { name: "Stop the optimizer" }).click();
  await expect(optimizer.getByRole("status", { name: "Optimizer status" })).toHaveText("stopped");
  await optimizer.getByRole("button", { name: "Run a cycle now" }).click();
  await expect(optimizer.getByRole("list", { name: "Recent cycles" }).getByRole("listitem").first()).toContainText("stopped");
  await optimizer.getByRole("button", { name: "Start the optimizer" }).click();
  await expect(optimizer.getByRole("status", { name: "Optimizer status" })).toHaveText("running");

  // Every step is in the audit trail, filterable.
  const audit = page.getByRole("table", { name: "Audit trail" });
  for (const action of ["tag", "policy-change", "approval-requested", "approve"]) await expect(audit).toContainText(action);
  await page.getByRole("combobox", { name: "Action" }).selectOption("approve");
  await expect(audit.getByRole("row")).toHaveCount(2);
  await page.screenshot({ path: `${SHOTS}/deployments-after.png`, fullPage: true });
});
