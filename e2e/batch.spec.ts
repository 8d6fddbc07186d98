import { expect, test } from "@playwright/test";
import { openApp } from "./helpers.js";

// The Batch page: pick a saved pipeline, upload JSONL with a bad row, follow it to the end, download.
const GOOD = 20;
const BAD_LINE = 11;
const lines = Array.from({ length: GOOD }, (_, i) => JSON.stringify({ country: "Ukraine", segment: `segment ${i}` }));
lines.splice(BAD_LINE - 1, 0, "{this is not json");
const body = Buffer.from(`${lines.join("\n")}\n`);

test("runs a saved pipeline over an uploaded JSONL file and reports the bad row", async ({ page }) => {
  await openApp(page);

  // The toolbar keeps to one row at 1440 px with Batch next to Backends.
  const batchButton = page.getByRole("button", { name: "Batch", exact: true });
  const backendsButton = page.getByRole("button", { name: "Backends", exact: true });
  const [a, b] = [await batchButton.boundingBox(), await backendsButton.boundingBox()];
  const run = await page.getByRole("button", { name: "▶ Run" }).boundingBox();
  const name = await page.getByRole("textbox", { name: "Pipeline name" }).boundingBox();
  expect(a && b && run && name).toBeTruthy();
  expect(Math.abs((a?.y ?? 0) - (b?.y ?? 1))).toBeLessThan(2);
  expect(Math.abs((run?.y ?? 0) + (run?.height ?? 0) / 2 - ((name?.y ?? 1) + (name?.height ?? 0) / 2))).toBeLessThan(4);
  await expect(batchButton).toHaveAttribute("title", /Batch/);

  await batchButton.click();
  await expect(page).toHaveURL(/#\/batch$/);
  await expect(page.getByRole("heading", { name: "Batch", level: 1 })).toBeVisible();
  await expect(batchButton).toHaveAttribute("aria-pressed", "true");

  const pipeline = page.getByRole("combobox", { name: "Pipeline" });
  await expect(pipeline.locator("option[value=sequential]")).toHaveCount(1);
  await pipeline.selectOption("sequential");
  await page.getByLabel("Concurrency").fill("4");
  await page.getByLabel("Seed").fill("3");
  await page.getByLabel("Inputs file (.jsonl or .csv)").setInputFiles({ name: "profiles.jsonl", mimeType: "application/x-ndjson", buffer: body });
  await expect(page.getByText("profiles.jsonl")).toBeVisible();

  await page.getByRole("button", { name: "▶ Start batch" }).click();
  const status = page.getByRole("status", { name: "Batch status" });
  await expect(status).toHaveText("Finished", { timeout: 30_000 });
  await expect(page.getByRole("progressbar", { name: "Batch progress" })).toHaveAttribute("aria-valuenow", String(GOOD + 1));

  const totals = page.getByLabel("Totals");
  const stat = (label: string) => totals.locator("div", { has: page.getByRole("term").filter({ hasText: new RegExp(`^${label}$`) }) }).getByRole("definition");
  await expect(stat("OK")).toHaveText(String(GOOD));
  await expect(stat("Failed")).toHaveText("0");
  await expect(stat("Bad rows")).toHaveText("1");
  await expect(page.getByRole("table", { name: "Time per node" }).getByRole("rowheader", { name: "enrich" })).toBeVisible();

  const badRows = page.getByRole("table", { name: "Bad rows" });
  await expect(badRows.getByRole("row")).toHaveCount(2);
  await expect(badRows.getByRole("row").nth(1)).toContainText(`line ${BAD_LINE}`);
  await expect(badRows.getByRole("row").nth(1)).toContainText("E_");

  // The batch is in the recent list.
  await expect(page.getByRole("region", { name: "Recent batches" }).getByRole("button", { name: /^Show batch batch_.*finished, 21 of 21$/ })).toBeVisible();

  // The results link downloads 20 lines; the errors link the bad row with its line number.
  const results = await page.getByRole("link", { name: "Download results" }).getAttribute("href");
  const errors = await page.getByRole("link", { name: "Download errors" }).getAttribute("href");
  const resultsText = await (await page.request.get(results ?? "")).text();
  const resultLines = resultsText.split("\n").filter(Boolean);
  expect(resultLines).toHaveLength(GOOD);
  expect(resultLines.every((l) => JSON.parse(l).status === "ok")).toBe(true);
  const errorLines = (await (await page.request.get(errors ?? "")).text()).split("\n").filter(Boolean);
  expect(errorLines.map((l) => JSON.parse(l).line)).toEqual([BAD_LINE]);

  await page.getByRole("button", { name: "← Back to the designer" }).click();
  await expect(page.getByRole("application", { name: "Pipeline canvas" })).toBeVisible();
});
