import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "@playwright/test";
import { discardIfAsked, openApp, openTemplate } from "./helpers.js";

const SCREENSHOTS = join(fileURLToPath(new URL("..", import.meta.url)), ".braid-tmp", "screenshots");

/** Managing saved pipelines from New / Open…: search, rename, duplicate, delete with undo, the bin, and what each version changed. */
test("search, rename, duplicate, delete with undo, restore from the bin, and a version's changes", async ({ page }) => {
  await openApp(page);
  await page.getByRole("button", { name: "New / Open…" }).click();
  const dialog = page.getByRole("dialog", { name: "New or open" });
  const list = dialog.getByRole("list", { name: "Saved pipelines" });
  await expect(list.getByRole("listitem").first()).toBeVisible();

  await dialog.getByRole("searchbox", { name: "Search saved pipelines" }).fill("ROUTING");
  await expect(list.getByRole("listitem")).toHaveCount(1);
  await expect(list).toContainText("Smart routing by complexity");

  await dialog.getByRole("button", { name: "Rename Smart routing by complexity" }).click();
  await dialog.getByRole("textbox", { name: "New name for Smart routing by complexity" }).fill("Routing, renamed");
  await dialog.getByRole("button", { name: "Save name" }).click();
  await expect(dialog.getByRole("status")).toContainText('Renamed "Smart routing by complexity" to "Routing, renamed"');
  await expect(list).toContainText("smart-routing · v2");

  await dialog.getByRole("button", { name: "Duplicate Routing, renamed" }).click();
  await expect(list.getByRole("listitem")).toHaveCount(2);
  await expect(list).toContainText("Routing, renamed (copy)");

  await dialog.getByRole("button", { name: "Delete Routing, renamed (copy)" }).click();
  await expect(dialog.getByRole("status")).toContainText('Moved "Routing, renamed (copy)" to the bin; its runs are kept.');
  await expect(list.getByRole("listitem")).toHaveCount(1);
  await dialog.getByRole("status").getByRole("button", { name: "Undo" }).click();
  await expect(list.getByRole("listitem")).toHaveCount(2);

  await dialog.getByRole("button", { name: "Delete Routing, renamed (copy)" }).click();
  await dialog.getByRole("checkbox", { name: "Show the bin" }).check();
  const bin = dialog.getByRole("list", { name: "Deleted pipelines" });
  await expect(bin.getByRole("listitem")).toHaveCount(1);
  await dialog.getByRole("button", { name: "Restore Routing, renamed (copy)" }).click();
  await expect(bin.getByRole("listitem")).toHaveCount(0);
  await page.screenshot({ path: join(SCREENSHOTS, "pipelines-bin.png") });
  await dialog.getByRole("checkbox", { name: "Show the bin" }).uncheck();
  await expect(list.getByRole("listitem")).toHaveCount(2);

  // Open the renamed one and read what version 2 changed.
  await dialog.getByRole("button", { name: "Open saved pipeline Routing, renamed", exact: true }).click();
  await discardIfAsked(page);
  await expect(page.getByRole("textbox", { name: "Pipeline name" })).toHaveValue("Routing, renamed");
  await page.getByRole("button", { name: "Versions", exact: true }).click();
  await page.getByRole("button", { name: "Changes in v2" }).click();
  const changes = page.getByRole("region", { name: "Changes in version 2" });
  await expect(changes).toContainText("Document fields changed");
  await expect(changes).toContainText("name");
  await expect(changes).not.toContainText("Nodes added");
  await page.screenshot({ path: join(SCREENSHOTS, "version-diff.png") });
});

test("saving a template whose name is taken saves it under a free name, and the title follows", async ({ page }) => {
  await openApp(page);
  // A new data folder already holds every example under its own name.
  await openTemplate(page, "User profiles (sequential)");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved as" })).toContainText('Saved as "User profiles (sequential) (2)"');
  await expect(page.getByRole("textbox", { name: "Pipeline name" })).toHaveValue("User profiles (sequential) (2)");
  await expect(page.getByRole("status", { name: "Save state" })).toHaveText("Saved · v1");
});
