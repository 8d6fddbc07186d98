import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { expect, test } from "@playwright/test";
import { inspector, openApp, openTemplate } from "./helpers.js";
import { backendCalls, canvasNode, runStatus, runSummary, shownRunId } from "./trace-helpers.js";

const SHOTS = process.env.BRAID_E2E_SHOTS ?? `${tmpdir()}/braid-e2e-shots`;

test("run one node from the inspector: on a past run's upstream outputs, then on the example input; only that node calls a backend", async ({
  page,
  request,
}) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await openApp(page);
  await openTemplate(page, "Product enrichment (parallel)");
  await page.getByRole("button", { name: "▶ Run", exact: true }).click();
  await expect(runStatus(page)).toContainText("Completed", { timeout: 20_000 });
  const parentId = await shownRunId(page);

  // Select the node; its inspector offers "Run this node" with the past run as a source.
  await canvasNode(page, "Generate", "Pricing (quality)").click();
  const section = inspector(page).getByRole("region", { name: "Run this node" });
  await section.scrollIntoViewIfNeeded();
  const source = section.getByRole("combobox", { name: "Upstream outputs from" });
  await expect(source.locator("option", { hasText: parentId.slice(-6) })).toHaveCount(1);
  await source.selectOption({ label: (await source.locator("option", { hasText: parentId.slice(-6) }).textContent()) ?? "" });
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/run-one-node-inspector.png` });
  const before = await backendCalls(request);
  await section.getByRole("button", { name: "Run this node" }).click();
  await expect(runStatus(page)).not.toContainText(parentId);
  await expect(runStatus(page)).toContainText("Completed", { timeout: 20_000 });
  const childId = await shownRunId(page);

  // Its result is in node details: marked single-node, with latency, tokens, cost and output.
  const details = page.getByRole("complementary", { name: "Node details: pricing" });
  await expect(details).toContainText(`Single-node run: only pricing ran, on the upstream outputs of run ${parentId}`);
  await expect(details.getByRole("region", { name: "Resolved prompt" })).toContainText("retail price");
  await expect(details.getByRole("region", { name: "Parsed output" })).toBeVisible();
  await expect(details).toContainText(/\d+ in · \d+ out/);
  await expect(details).toContainText("$0.0");
  await expect(details.getByRole("button", { name: "Re-run from pricing" })).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/run-one-node.png` });

  // Nothing else ran: one call on pricing's backend, none on the others; a stored run linked to the source.
  const after = await backendCalls(request);
  expect(after.enricher).toBe((before.enricher ?? 0) + 1);
  expect(after.generator).toBe(before.generator);
  expect((await runSummary(request, childId)).parentRunId).toBe(parentId);
  await expect(canvasNode(page, "Generate", "Details (fast)")).not.toContainText(/ms|reused/);
  await expect(page.getByRole("tabpanel", { name: /^Run/ })).toContainText(
    `Single-node run of pricing on the upstream outputs of run ${parentId.split("_").pop()}`,
  );

  // Node details sit over the inspector: close them to pick the next node.
  await details.getByRole("button", { name: "Close node details" }).click();

  // The merge needs all three branches; the example input has none of them: a coded error naming them.
  await canvasNode(page, "Merge", "Merge product").click();
  const mergeSection = inspector(page).getByRole("region", { name: "Run this node" });
  await mergeSection.getByRole("combobox", { name: "Upstream outputs from" }).selectOption({ label: "the example input" });
  await mergeSection.getByRole("button", { name: "Run this node" }).click();
  const problem = mergeSection.getByRole("alert");
  await expect(problem).toContainText("E_NODE_UPSTREAM_MISSING");
  await expect(problem).toContainText('"details", "pricing", "inventory"');
  await expect(runStatus(page)).toContainText(childId);

  // A node right after the input runs on the example input alone.
  await canvasNode(page, "Generate", "Details (fast)").click();
  const detailsSection = inspector(page).getByRole("region", { name: "Run this node" });
  await detailsSection.getByRole("button", { name: "Run this node" }).click();
  await expect(runStatus(page)).not.toContainText(childId);
  await expect(runStatus(page)).toContainText("Completed", { timeout: 20_000 });
  await expect(page.getByRole("complementary", { name: "Node details: details" })).toContainText("Single-node run: only details ran, on the example input");
  await expect(page.getByRole("tabpanel", { name: /^Run/ })).toContainText("Single-node run of details on the example input.");
});
