import { mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { expect, test } from "@playwright/test";
import { openApp } from "./helpers.js";
import { trpc } from "./trace-helpers.js";

const SHOTS = process.env.BRAID_E2E_SHOTS ?? `${tmpdir()}/braid-e2e-shots`;

/** A premium draft checked by a premium critique that finds nothing on this dataset: pruning it keeps the score and saves its cost. */
const CHECKED = JSON.parse(readFileSync(new URL("../apps/server/test/fixtures/checked-draft.json", import.meta.url), "utf8"));

test("deployments: online evaluator scores per version, a pruning trial read back by a cycle, its evidence, approval tags the candidate", async ({
  page,
  request,
}) => {
  await page.setViewportSize({ width: 1440, height: 1000 });
  await trpc(request, "pipelines.save", { id: "checked", pipeline: CHECKED, message: "first" });
  const records = Array.from({ length: 20 }, (_, i) => JSON.stringify({ input: { sku: `SK-${100 + i}` } })).join("\n");
  const ds = await request.post("/api/datasets?name=skus", { headers: { "content-type": "application/x-ndjson" }, data: records });
  expect(ds.status(), await ds.text()).toBe(201);
  for (let i = 0; i < 4; i++) expect((await request.post("/api/pipelines/checked/runs?wait=true")).status()).toBe(200);

  await openApp(page);
  await page.getByRole("button", { name: "Experiments", exact: true }).click();
  await page.getByRole("button", { name: "Deployments", exact: true }).click();
  await page.getByRole("combobox", { name: "Pipeline", exact: true }).selectOption("checked");

  // Online evaluators scored the live runs: the score and each evaluator's pass rate per version.
  const metrics = page.getByRole("region", { name: "Live metrics" });
  await expect(async () => {
    await metrics.getByRole("button", { name: "Refresh" }).click();
    await expect(page.getByRole("table", { name: "Live metrics" }).getByRole("row", { name: /^live v1/ })).toContainText("over 4 runs", { timeout: 500 });
  }).toPass({ timeout: 10_000 });
  await expect(page.getByRole("table", { name: "Online evaluators" })).toContainText("price-positive");

  // Suggestions need a dataset: until the policy names one, the buttons are off.
  const suggestions = page.getByRole("region", { name: "Suggestions" });
  await expect(suggestions.getByRole("button", { name: "Try pruning" })).toBeDisabled();
  const policy = page.getByRole("region", { name: "Policy" });
  await policy.getByRole("checkbox", { name: "Enabled" }).check();
  await policy.getByRole("combobox", { name: "Dataset for suggestions" }).selectOption({ label: "skus" });
  await policy.getByRole("button", { name: "Save policy" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Policy saved." })).toBeVisible();

  await suggestions.getByRole("button", { name: "Try pruning" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Trial started: 2 experiments" })).toBeVisible();
  await expect(suggestions.getByRole("table", { name: "Trials" })).toContainText("measuring");

  // Cycles read the trial back once its experiments finish: a suggestion waits for approval, with its figures.
  const optimizer = page.getByRole("region", { name: "Optimizer" });
  const pending = page.getByRole("region", { name: "Waiting for approval" });
  await expect(async () => {
    await optimizer.getByRole("button", { name: "Run a cycle now" }).click();
    await expect(pending).toContainText("Try suggestion v2", { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  const ablation = pending.getByRole("table", { name: "Ablation of check" });
  await expect(ablation.getByRole("row", { name: /^score / })).toContainText("no significant difference");
  await expect(ablation.getByRole("row", { name: /^cost per 1,000 runs/ })).toContainText("better");
  await expect(pending).toContainText("Remove critique check (with fix).");
  await expect(suggestions.getByRole("table", { name: "Trials" })).toContainText("suggested");
  mkdirSync(SHOTS, { recursive: true });
  await pending.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/suggestions.png` });
  await optimizer.screenshot({ path: `${SHOTS}/suggestions-cycles.png` });

  await pending.getByRole("button", { name: "Approve" }).click();
  await expect(page.getByRole("table", { name: "Versions" }).getByRole("row", { name: /^v2 / })).toContainText("candidate");
  await expect(page.getByRole("table", { name: "Audit trail" })).toContainText("suggest");
});
