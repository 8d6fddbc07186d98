import { expect, test } from "@playwright/test";
import { openApp } from "./helpers.js";
import { canvasNode, openSaved, replayPosition, runStatus, saveSlowParallel, serverEventSeqs, shownRunId } from "./trace-helpers.js";

test("reloading in the middle of a run continues the live view with no gap and no duplicate", async ({ page, request }) => {
  // Slow enough that a reload on a busy machine lands while the node is still running.
  const saved = await saveSlowParallel(request, "Parallel, slow (reconnect)", 3000);
  await openApp(page);
  await openSaved(page, saved.name);
  await page.getByRole("button", { name: "▶ Run", exact: true }).click();
  await expect(canvasNode(page, "Generate", "Pricing (quality)")).toContainText("running");
  const runId = await shownRunId(page);
  const beforeReload = (await replayPosition(page)).total;

  await page.reload();
  // The same run, still live, rebuilt from its events and followed on.
  await expect(runStatus(page)).toContainText(runId);
  await expect(runStatus(page)).toContainText("Running");
  await expect(canvasNode(page, "Generate", "Pricing (quality)")).toContainText("running");
  expect((await replayPosition(page)).total).toBeGreaterThanOrEqual(beforeReload);
  await expect(runStatus(page)).toContainText("Completed", { timeout: 20_000 });

  // Every event the server logged, each once.
  const seqs = await serverEventSeqs(request, runId);
  expect(seqs.length).toBeGreaterThan(20);
  expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  await expect.poll(async () => replayPosition(page)).toEqual({ step: seqs.length, total: seqs.length });
  for (const id of ["details", "pricing", "inventory", "product", "out"])
    await expect(page.getByRole("list", { name: "Timeline" }).getByRole("button", { name: new RegExp(`^Span ${id}: ok`) })).toHaveCount(1);

  // A reload after the end does not resume anything.
  await page.reload();
  await expect(page.getByRole("button", { name: "▶ Run", exact: true })).toBeEnabled();
  await expect(runStatus(page)).toHaveCount(0);
});
