import { expect, test } from "@playwright/test";
import { connect, fitView, handleFrom, handleTo, openApp, readDoc, startBlank, status } from "./helpers.js";

test("4. a connection the format forbids is refused while dragging, with the reason", async ({ page }) => {
  await openApp(page);
  await startBlank(page);
  await page.getByRole("button", { name: "Add Generate node" }).click();
  await page.getByRole("button", { name: "Add Generate node" }).click();
  await fitView(page);
  await connect(page, "in", "generate1");
  await connect(page, "generate1", "generate2");
  const edges = (await readDoc(page)).edges;
  expect(edges).toEqual([
    { from: "in", to: "generate1" },
    { from: "generate1", to: "generate2" },
  ]);

  // A loop with no bound: generate2 → generate1.
  await connect(page, "generate2", "generate1");
  await expect(status(page)).toContainText("Connection refused");
  await expect(status(page)).toContainText("loop with no bound");
  // A node onto itself.
  await connect(page, "generate1", "generate1");
  await expect(status(page)).toContainText("cannot connect to itself");
  // The same connection twice.
  await connect(page, "in", "generate1");
  await expect(status(page)).toContainText("already connected");
  expect((await readDoc(page)).edges).toEqual(edges);

  // The input takes nothing in and the output sends nothing out: they have no such handles.
  await expect(handleTo(page, "in")).toHaveCount(0);
  await expect(handleFrom(page, "out")).toHaveCount(0);

  // The keyboard way refuses the same way.
  await page.getByRole("group", { name: "Generate node generate2" }).click({ position: { x: 40, y: 16 } });
  await page.getByRole("combobox", { name: "Connect to node" }).selectOption("generate1");
  await page.getByRole("button", { name: "Connect", exact: true }).click();
  await expect(status(page)).toContainText("loop with no bound");
  expect((await readDoc(page)).edges).toEqual(edges);

  // Running an invalid pipeline (nothing reaches the output yet) is refused with the list.
  await page.getByRole("button", { name: "▶ Run" }).click();
  await expect(status(page)).toContainText("Not run: the pipeline has");
  await expect(page.getByRole("tab", { name: /^Problems/ })).toHaveAttribute("aria-selected", "true");
  await expect(page.getByRole("list", { name: "Problems" })).toContainText("E_NO_PATH_TO_OUTPUT");
  // A click on a problem selects its node.
  await page
    .getByRole("list", { name: "Problems" })
    .getByRole("button", { name: /E_NO_PATH_TO_OUTPUT/ })
    .click();
  await expect(page.getByRole("complementary", { name: "Inspector" }).getByRole("heading", { name: "Output node" })).toBeVisible();
});
