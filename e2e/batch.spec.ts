import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { type Page, expect, test } from "@playwright/test";
import { openApp, openTemplate } from "./helpers.js";
import { saveSlowParallel } from "./trace-helpers.js";

const SHOTS = process.env.BRAID_E2E_SHOTS ?? `${tmpdir()}/braid-e2e-shots`;

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

/** A figure of the batch's live "Progress" list or its "Totals". */
const figure = (page: Page, list: "Progress" | "Totals", label: string) =>
  page
    .getByLabel(list, { exact: true })
    .locator("div", { has: page.getByRole("term").filter({ hasText: new RegExp(`^${label}$`) }) })
    .getByRole("definition");

test("the batch page's figures are honest: ETA estimating until a few records are done, no stale unsaved note, p50/p95 whole, one cost", async ({
  page,
  request,
}) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  const slow = await saveSlowParallel(request, "Parallel, slow backends (batch)", 400);
  // Priced so that the batch costs more than a cent: a figure that once changed precision there.
  const priced = await request.post("/trpc/backends.save", {
    data: { backend: { name: "slow", provider: "simulated", model: "sim-slow", pricing: { input: 0.01, output: 0.02 }, simulation: { latencyMs: 400 } } },
  });
  expect(priced.status(), await priced.text()).toBe(200);
  await openApp(page);
  // The designer holds an unsaved template; the batch runs a saved pipeline.
  await openTemplate(page, "Product enrichment (parallel)");
  await page.getByRole("button", { name: "Batch", exact: true }).click();
  const form = page.getByRole("form", { name: "Start a batch" });
  await expect(form.getByRole("note")).toContainText("is not saved yet");
  await page.getByRole("combobox", { name: "Pipeline" }).selectOption(slow.id);
  // The note is about the designer's document: a saved pipeline is chosen, so it no longer applies.
  await expect(form.getByRole("note")).toHaveCount(0);

  const N = 14;
  const jsonl = Array.from({ length: N }, (_, i) => JSON.stringify({ sku: `SKU-${i}`, category: "wireless mouse" })).join("\n");
  await page.getByLabel("Concurrency").fill("2");
  await page.getByLabel("Inputs file (.jsonl or .csv)").setInputFiles({ name: "skus.jsonl", mimeType: "application/x-ndjson", buffer: Buffer.from(jsonl) });
  await page.getByRole("button", { name: "▶ Start batch" }).click();
  const status = page.getByRole("status", { name: "Batch status" });
  await expect(status).toHaveText("Running");

  // No ETA from the first record or two: it says so instead of guessing.
  const done = figure(page, "Progress", "Done");
  const eta = figure(page, "Progress", "ETA");
  await expect(eta).toHaveText("estimating…");
  const doneCount = async () => Number(((await done.textContent()) ?? "0").split("/")[0]?.trim());
  const samples: Array<{ done: number; eta: string; cost: string }> = [];
  while ((await status.textContent()) === "Running") {
    // ETA first: "Done" only grows, so a count read after it is never below the count the ETA saw.
    // The ETA row goes when the batch ends: a read that finds no row means it ended meanwhile.
    const e = await eta.textContent({ timeout: 1000 }).catch(() => undefined);
    if (e === undefined || e === null) continue;
    const [d, c] = [await doneCount(), (await figure(page, "Progress", "Cost so far").textContent()) ?? ""];
    if ((await status.textContent()) !== "Running") break;
    samples.push({ done: d, eta: e, cost: c });
    if (d >= 6 && samples.length % 10 === 0) {
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: `${SHOTS}/batch-running.png` });
    }
    await page.waitForTimeout(50);
  }
  await expect(status).toHaveText("Finished");
  for (const sm of samples) if (sm.done < 3) expect(sm.eta, JSON.stringify(sm)).toBe("estimating…");
  expect(
    samples.some((sm) => sm.done >= 3 && /\d/.test(sm.eta)),
    JSON.stringify(samples),
  ).toBe(true);

  // One cost: the live figure, the final figure and the summary say the same as the results file.
  const results = await (await page.request.get(`${await page.getByRole("link", { name: "Download results" }).getAttribute("href")}`)).text();
  const total = results
    .split("\n")
    .filter(Boolean)
    .reduce((sum, l) => sum + (JSON.parse(l) as { usage: { costUsd: number } }).usage.costUsd, 0);
  const shown = `$${total.toFixed(4)}`;
  await expect(figure(page, "Progress", "Cost so far")).toHaveText(shown);
  await expect(figure(page, "Totals", "Cost")).toHaveText(shown);
  // A live sample with every record done shows the final cost too.
  for (const sm of samples) if (sm.done === N) expect(sm.cost).toBe(shown);

  // The p50 / p95 line is shown whole at 1440 × 900.
  const p50 = figure(page, "Totals", "Record p50 / p95");
  await expect(p50).toHaveText(/ms|s \/ /);
  expect(await p50.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/batch-finished.png`, fullPage: true });
});
