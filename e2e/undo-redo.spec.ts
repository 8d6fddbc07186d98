import { expect, test } from "@playwright/test";
import { connect, fitView, inspector, node, openApp, readDoc, startBlank } from "./helpers.js";

test("3. undo and redo restore the exact document", async ({ page }) => {
  await openApp(page);
  await startBlank(page);
  const before = await readDoc(page);
  const undo = page.getByRole("button", { name: "Undo" });
  const redo = page.getByRole("button", { name: "Redo" });
  await expect(undo).toBeDisabled();

  // A mix of edits: add, connect, configure, relabel, move, copy/paste, delete, auto-layout.
  await page.getByRole("button", { name: "Add Generate node" }).click();
  await page.getByRole("button", { name: "Add Merge node" }).click();
  await fitView(page);
  await connect(page, "in", "generate1");
  await connect(page, "generate1", "merge1");
  await node(page, "Generate", "generate1").click({ position: { x: 40, y: 16 } });
  await inspector(page).getByRole("combobox", { name: "Prompt" }).fill("Summarise {{input.topic}}");
  await inspector(page).getByRole("textbox", { name: "Label", exact: true }).fill("Summary <b>&amp;</b>");
  const n = node(page, "Generate", "Summary <b>&amp;</b>");
  const box = await n.boundingBox();
  if (!box) throw new Error("node not visible");
  await page.mouse.move(box.x + 60, box.y + 14);
  await page.mouse.down();
  await page.mouse.move(box.x + 120, box.y + 60, { steps: 6 });
  await page.mouse.up();
  await page.keyboard.press("Control+c");
  await page.keyboard.press("Control+v");
  await expect(node(page, "Generate", "Summary <b>&amp;</b>").or(page.getByRole("group", { name: /generate2|Summary/ }))).not.toHaveCount(0);
  await node(page, "Merge", "merge1").click({ position: { x: 40, y: 16 } });
  await inspector(page).getByRole("button", { name: "Delete node" }).click();
  await page.getByRole("button", { name: "Auto-layout" }).click();
  const after = await readDoc(page);
  expect(after.nodes.map((x: { id: string }) => x.id)).toEqual(["in", "out", "generate1", "generate2"]);
  expect(after).not.toEqual(before);

  // Undo everything: exactly the starting document.
  let steps = 0;
  while (await undo.isEnabled()) {
    await undo.click();
    steps++;
    if (steps > 60) throw new Error("undo never ran out");
  }
  expect(steps).toBeGreaterThanOrEqual(8);
  expect(await readDoc(page)).toEqual(before);

  // Redo everything: exactly the edited document.
  for (let i = 0; i < steps; i++) await redo.click();
  await expect(redo).toBeDisabled();
  expect(await readDoc(page)).toEqual(after);

  // The keyboard does the same.
  await page.getByRole("application", { name: "Pipeline canvas" }).click({ position: { x: 5, y: 5 } });
  await page.keyboard.press("Control+z");
  expect(await readDoc(page)).not.toEqual(after);
  await page.keyboard.press("Control+Shift+z");
  expect(await readDoc(page)).toEqual(after);
});
