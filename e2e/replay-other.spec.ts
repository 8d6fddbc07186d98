import { expect, test } from "@playwright/test";
import { openApp } from "./helpers.js";

/** A run of another pipeline, opened from the history: its own name and pipeline, a Pipeline column, and a warning when comparing across pipelines. */
test("replaying another pipeline's run shows that pipeline; the history names pipelines; compare warns across pipelines", async ({ page }) => {
  const start = async (id: string) => {
    const r = await page.request.post(`/api/pipelines/${id}/runs?wait=true`, { headers: { "content-type": "application/json" }, data: {} });
    expect(r.status()).toBe(200);
    return ((await r.json()) as { runId: string }).runId;
  };
  const parallel = await start("parallel");
  const sequential = await start("sequential");

  await openApp(page);
  const docName = await page.getByRole("textbox", { name: "Pipeline name" }).inputValue();
  await page.getByRole("tab", { name: /^Run/ }).click();
  await page.getByRole("tab", { name: "Past runs", exact: true }).click();
  await page.getByRole("combobox", { name: "Runs of" }).selectOption("all");
  const table = page.getByRole("table", { name: /Runs, newest first/ });
  await expect(table.getByRole("columnheader", { name: "Pipeline" })).toBeVisible();
  const rowOf = (runId: string) => table.getByRole("row").filter({ has: page.getByRole("button", { name: `Open run ${runId}` }) });
  await expect(rowOf(parallel)).toContainText("Product enrichment (parallel)");
  await expect(rowOf(sequential)).toContainText("User profiles (sequential)");

  await table.getByRole("button", { name: `Open run ${parallel}` }).click();
  const name = page.getByRole("textbox", { name: "Pipeline name" });
  await expect(name).toHaveValue("Product enrichment (parallel)");
  await expect(name).not.toBeEditable();
  await expect(page.getByRole("region", { name: "Pipeline of this run" })).toContainText("parallel · v1");

  await page.getByRole("button", { name: "Back to editing" }).click();
  await expect(name).toHaveValue(docName);
  await expect(name).toBeEditable();

  await page.getByRole("tab", { name: "Past runs", exact: true }).click();
  await page.getByRole("checkbox", { name: `Select run ${parallel} to compare` }).check();
  await page.getByRole("checkbox", { name: `Select run ${sequential} to compare` }).check();
  await page.getByRole("button", { name: /Compare selected/ }).click();
  await expect(page.getByRole("note", { name: "Different pipelines" })).toContainText("These runs are of different pipelines");
});
