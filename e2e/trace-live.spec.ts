import { expect, test } from "@playwright/test";
import { openApp } from "./helpers.js";
import { canvasNode, openSaved, runStatus, saveSlowParallel, spanBox } from "./trace-helpers.js";

const BRANCHES: Array<[string, string]> = [
  ["details", "Details (fast)"],
  ["pricing", "Pricing (quality)"],
  ["inventory", "Inventory (quality)"],
];

test("a live run lights its parallel branches together, draws overlapping spans, and streams into node details", async ({ page, request }) => {
  const saved = await saveSlowParallel(request, "Parallel, slow (live)");
  await openApp(page);
  await openSaved(page, saved.name);
  await page.getByRole("button", { name: "▶ Run", exact: true }).click();
  await expect(runStatus(page)).toContainText("Running");

  // All three branches run at the same moment: each node shows "running" and pulses.
  await expect
    .poll(async () => {
      const texts = await Promise.all(BRANCHES.map(([, label]) => canvasNode(page, "Generate", label).textContent()));
      return texts.every((t) => t?.includes("running"));
    })
    .toBe(true);
  // The edges into them were taken, and the run moves along them.
  await expect(page.locator(".react-flow__edge.edge-taken.animated")).toHaveCount(3);

  // Node details stream the tokens as they arrive.
  await canvasNode(page, "Generate", "Pricing (quality)").getByRole("button", { name: "Run details for pricing" }).click();
  const details = page.getByRole("complementary", { name: "Node details: pricing" });
  await expect(details.getByRole("region", { name: "Resolved prompt" })).toContainText("Propose a retail price for the wireless mouse WM-123.");
  await expect(details).toContainText("simulated");
  const streamed = details.getByRole("region", { name: "Streamed tokens" });
  await expect(streamed).toBeVisible();
  const first = (await streamed.textContent()) ?? "";
  await expect.poll(async () => ((await streamed.textContent()) ?? "").length).toBeGreaterThan(first.length);

  // The timeline: three spans on three lanes, overlapping in time.
  const boxes = await Promise.all(BRANCHES.map(([id]) => spanBox(page, id)));
  expect(new Set(boxes.map((b) => b.lane)).size).toBe(3);
  const latestStart = Math.max(...boxes.map((b) => b.start));
  const earliestEnd = Math.min(...boxes.map((b) => b.end));
  expect(latestStart).toBeLessThan(earliestEnd);

  await expect(runStatus(page)).toContainText("Completed", { timeout: 20_000 });
  // Finished nodes carry their status badge, latency, tokens and cost; the parsed output shows.
  for (const [, label] of BRANCHES) await expect(canvasNode(page, "Generate", label)).toContainText(/✓ ok.*\d+(\.\d+)? (ms|s) · \d+ tok · \$/);
  await expect(details.getByRole("region", { name: "Parsed output" })).toContainText('"price"');
  await expect(details.getByRole("region", { name: "Raw response" })).toBeVisible();
  await expect(page.locator(".react-flow__edge.edge-taken")).toHaveCount(7);
  // Hovering a span highlights its node.
  await page
    .getByRole("list", { name: "Timeline" })
    .getByRole("button", { name: /^Span inventory:/ })
    .hover();
  await expect(page.locator(".bn-hover")).toHaveCount(1);
  await expect(page.locator(".bn-hover")).toContainText("Inventory (quality)");
});

test("cancel stops a run within a second and the view says so", async ({ page, request }) => {
  const saved = await saveSlowParallel(request, "Parallel, slow (cancel)");
  await openApp(page);
  await openSaved(page, saved.name);
  await page.getByRole("button", { name: "▶ Run", exact: true }).click();
  await expect(canvasNode(page, "Generate", "Inventory (quality)")).toContainText("running");
  const started = Date.now();
  await page.getByRole("button", { name: "Cancel run" }).first().click();
  await expect(runStatus(page)).toContainText("Cancelled", { timeout: 1000 });
  expect(Date.now() - started).toBeLessThan(1500);
  await expect(page.getByRole("tab", { name: /^Run/ })).toHaveText("Run · cancelled");
  await expect(canvasNode(page, "Generate", "Inventory (quality)")).toContainText("cancelled");
  await expect(canvasNode(page, "Generate", "Inventory (quality)")).not.toContainText("running");
  await expect(page.getByRole("button", { name: "▶ Run", exact: true })).toBeEnabled();
});
