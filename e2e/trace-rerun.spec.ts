import { expect, test } from "@playwright/test";
import { openApp, openTemplate } from "./helpers.js";
import { backendCalls, canvasNode, runStatus, runSummary, shownRunId } from "./trace-helpers.js";

test("re-run from a node with an edited prompt: upstream reused with zero backend calls, cost saved, compare shows the change", async ({ page, request }) => {
  await openApp(page);
  await openTemplate(page, "Product enrichment (parallel)");
  await page.getByRole("button", { name: "▶ Run", exact: true }).click();
  await expect(runStatus(page)).toContainText("Completed", { timeout: 20_000 });
  const parentId = await shownRunId(page);

  // Find the node, see what it was sent, change its prompt, re-run only what is downstream.
  await canvasNode(page, "Generate", "Pricing (quality)").getByRole("button", { name: "Run details for pricing" }).click();
  const details = page.getByRole("complementary", { name: "Node details: pricing" });
  await expect(details.getByRole("region", { name: "Resolved prompt" })).toContainText("retail price");
  const before = await backendCalls(request);
  await details.getByRole("textbox", { name: "Re-run prompt", exact: true }).fill("Propose a premium price for the {{input.category}} {{input.sku}}.");
  await details.getByRole("button", { name: "Re-run from pricing" }).click();
  await expect(runStatus(page)).not.toContainText(parentId);
  await expect(runStatus(page)).toContainText("Completed", { timeout: 20_000 });
  const childId = await shownRunId(page);

  // Only pricing called a backend: details (generator) and inventory (enricher) were reused.
  const after = await backendCalls(request);
  expect(after.generator).toBe(before.generator);
  expect(after.enricher).toBe((before.enricher ?? 0) + 1);
  const reuse = page.getByRole("note", { name: "Reuse" });
  await expect(reuse).toContainText(/Saved \$0\.\d+/);
  await expect(reuse).toContainText("reused in, details, inventory");
  await expect(reuse).toContainText("ran again pricing, product, out");
  await expect(canvasNode(page, "Generate", "Details (fast)")).toContainText("reused");
  await expect(canvasNode(page, "Generate", "Inventory (quality)")).toContainText("reused");
  await expect(canvasNode(page, "Generate", "Pricing (quality)")).not.toContainText("reused");
  expect((await runSummary(request, childId)).parentRunId).toBe(parentId);
  // The edit went into the working document too (one undo step).
  await expect(page.getByRole("button", { name: "Undo" })).toBeEnabled();

  // Compare the re-run with its parent node by node.
  await page.getByRole("button", { name: "Compare with parent" }).click();
  const compare = page.getByRole("dialog", { name: /^Compare runs/ });
  await expect(compare.getByRole("group", { name: "Node pricing" })).toContainText("prompt differs");
  await expect(compare.getByRole("group", { name: "Node details" })).toContainText("ok (reused)");
  const promptDiff = compare.getByRole("region", { name: "Prompt diff for pricing" });
  await expect(promptDiff).toContainText("premium");
  await expect(promptDiff.getByRole("deletion")).toHaveText("retail");
  await expect(promptDiff.getByRole("insertion")).toHaveText("premium");
  await expect(compare).toContainText("Path taken — the same");
  await compare.getByRole("button", { name: "Close" }).click();
  await expect(compare).toBeHidden();
});
