import { expect, test } from "@playwright/test";
import { inspector, node, openApp, problemsSummary, readDoc, showProblems, startBlank, status } from "./helpers.js";

test("a malformed pipeline is explained on import and changes nothing", async ({ page }) => {
  await openApp(page);
  await startBlank(page);
  const before = await readDoc(page);
  await page.getByRole("button", { name: "Import" }).click();
  const dialog = page.getByRole("dialog", { name: "Import a pipeline" });
  await dialog.getByRole("textbox", { name: "Pipeline JSON" }).fill('{"format": "braid/pipeline@1", "name": 3, "nodes": [}');
  await dialog.getByRole("button", { name: "Import" }).click();
  await expect(dialog.getByRole("alert")).toContainText("not valid JSON");
  await dialog
    .getByRole("textbox", { name: "Pipeline JSON" })
    .fill('{"format": "braid/pipeline@1", "name": 3, "nodes": [{"id": "9x", "kind": "input"}], "edges": []}');
  await dialog.getByRole("button", { name: "Import" }).click();
  await expect(dialog.getByRole("alert")).toContainText("not a valid Braid pipeline");
  await expect(dialog.getByRole("alert")).toContainText("nodes[0].id");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  expect(await readDoc(page)).toEqual(before);
});

test("hostile labels render as plain text", async ({ page }) => {
  let dialogs = 0;
  page.on("dialog", (d) => {
    dialogs++;
    void d.dismiss();
  });
  await openApp(page);
  await startBlank(page);
  await page.getByRole("button", { name: "Add Generate node" }).click();
  const label = inspector(page).getByRole("textbox", { name: "Label", exact: true });
  for (const hostile of ["<img src=x onerror=alert(1)>", "<script>alert(1)</script>", '"]) --> evil["x', "Київ 🚀 東京 مرحبا"]) {
    await label.fill(hostile);
    await expect(node(page, "Generate", hostile)).toContainText(hostile);
  }
  expect(dialogs).toBe(0);
  await expect(page.getByRole("img", { name: "x" })).toHaveCount(0);
});

test("an unreachable server shows a banner and keeps local edits", async ({ page }) => {
  await openApp(page);
  await startBlank(page);
  await page.route("**/trpc/**", (route) => route.abort("connectionrefused"));
  await page.getByRole("button", { name: "Add Route node" }).click();
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByRole("alert").filter({ hasText: "cannot be reached" })).toBeVisible();
  await expect(status(page)).toContainText("Not saved");
  await expect(node(page, "Route", "route1")).toBeVisible();
  // Edits go on offline and survive a reload (kept in this browser).
  await inspector(page).getByRole("textbox", { name: "Label", exact: true }).fill("Offline edit");
  await page.waitForTimeout(400);
  await page.unroute("**/trpc/**");
  await page.getByRole("button", { name: "Retry now" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "cannot be reached" })).toBeHidden();
  page.on("dialog", (d) => void d.accept());
  await page.reload();
  await expect(node(page, "Route", "Offline edit")).toBeVisible();
  await showProblems(page);
  await expect(problemsSummary(page)).toContainText("error");
});
