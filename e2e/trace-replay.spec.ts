import { expect, test } from "@playwright/test";
import { openApp, openTemplate } from "./helpers.js";
import { canvasNode, openFromHistory, replayPosition, runStatus, runSummary, shownRunId } from "./trace-helpers.js";

test("replay scrubs a stored run on its own graph, and a fork with edited state gives a different output", async ({ page, request }) => {
  await openApp(page);
  await openTemplate(page, "Product enrichment (parallel)");
  await page.getByRole("button", { name: "▶ Run", exact: true }).click();
  await expect(runStatus(page)).toContainText("Completed", { timeout: 20_000 });
  const parentId = await shownRunId(page);
  const parentOutput = (await runSummary(request, parentId)).output as Record<string, unknown>;

  // The working document changes after the run: the replay still shows the graph the run executed.
  await page.getByRole("button", { name: "Close this run" }).click();
  await canvasNode(page, "Generate", "Inventory (quality)").click();
  await page.keyboard.press("Delete");
  await expect(canvasNode(page, "Generate", "Inventory (quality)")).toHaveCount(0);

  await openFromHistory(page, parentId.split("_").pop() as string);
  await expect(page.getByText("the graph it ran")).toBeVisible();
  await expect(canvasNode(page, "Generate", "Inventory (quality)")).toBeVisible();
  const total = (await replayPosition(page)).total;
  expect(total).toBeGreaterThan(10);

  // Scrubbing changes the canvas: at the start nothing has run; step by step, nodes finish.
  const slider = page.getByRole("slider", { name: "Replay step" });
  await slider.fill("0");
  await expect(canvasNode(page, "Generate", "Details (fast)")).not.toContainText("ok");
  await expect(canvasNode(page, "Merge", "Merge product")).not.toContainText("ok");
  await expect(runStatus(page)).toContainText("at step 0");
  for (let i = 0; i < total && !(await page.getByRole("status", { name: "Replay position" }).textContent())?.includes("details finished"); i++) {
    await page.getByRole("button", { name: "Next event" }).click();
  }
  await expect(canvasNode(page, "Generate", "Details (fast)")).toContainText("✓ ok");
  await expect(canvasNode(page, "Merge", "Merge product")).not.toContainText("✓ ok");
  const { step } = await replayPosition(page);
  expect(step).toBeLessThan(total);

  // The state inspector shows the full state at that step.
  await page.getByRole("tab", { name: "State" }).click();
  const inspector = page.getByRole("region", { name: "State inspector" });
  await expect(inspector).toContainText(`State at step ${step} of ${total}`);
  await expect(inspector).toContainText("details:");
  await expect(inspector).not.toContainText("product:");

  // Fork from here with an edited output of "details".
  await inspector.getByRole("button", { name: "Fork from this step…" }).click();
  const dialog = page.getByRole("dialog", { name: `Fork from step ${step}` });
  const stateBox = dialog.getByRole("textbox", { name: "State at this step (JSON)" });
  const state = JSON.parse(await stateBox.inputValue());
  expect(state.details).toMatchObject({ name: expect.any(String), description: expect.any(String), category: expect.any(String) });
  state.details.name = "Forked product name";
  await stateBox.fill(JSON.stringify(state, null, 2));
  await dialog.getByRole("button", { name: "Run fork from here" }).click();
  await expect(dialog).toBeHidden();
  await expect(runStatus(page)).not.toContainText(parentId);
  await expect(runStatus(page)).toContainText("Completed", { timeout: 20_000 });
  const forkId = await shownRunId(page);
  expect(forkId).not.toBe(parentId);
  await expect(page.getByRole("region", { name: "Final output" })).toContainText("Forked product name");
  const fork = await runSummary(request, forkId);
  expect(fork.parentRunId).toBe(parentId);
  expect(fork.output).not.toEqual(parentOutput);
  expect((fork.output as Record<string, unknown>).name).toBe("Forked product name");

  // The history shows the lineage.
  await page.getByRole("tab", { name: "Past runs", exact: true }).click();
  const forkRow = page.getByRole("row").filter({ has: page.getByRole("button", { name: `Open run ${forkId}` }) });
  await expect(forkRow).toContainText(`fork at step ${step} of ${parentId.split("_").pop()}`);
});
