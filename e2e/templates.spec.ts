import { expect, test } from "@playwright/test";
import { openApp, openTemplate, problemsSummary, showProblems, status } from "./helpers.js";

const TEMPLATES = [
  "Best of three (consensus)",
  "Multi-perspective critique",
  "Product enrichment (parallel)",
  "Cost-aware generation (quality gate)",
  "User profiles (sequential)",
  "Smart routing by complexity",
  "Validated records (validation loop)",
];

test("5. every template opens and validates", async ({ page }) => {
  await openApp(page);
  await page.getByRole("button", { name: "New / Open…" }).click();
  const gallery = page.getByRole("dialog", { name: "New or open" });
  await expect(gallery.getByRole("button", { name: /^Template: / })).toHaveCount(TEMPLATES.length);
  await gallery.getByRole("button", { name: "Close" }).click();
  for (const name of TEMPLATES) {
    await openTemplate(page, name);
    await expect(status(page)).toContainText(`Opened the template "${name}"`);
    await expect(page.getByRole("textbox", { name: "Pipeline name" })).toHaveValue(name);
    await showProblems(page);
    await expect(problemsSummary(page)).toHaveText(/No problems: the pipeline is valid/);
  }
  // The routing template shows one labelled handle per branch.
  await openTemplate(page, "Smart routing by complexity");
  for (const b of ["fast", "quality", "premium"]) await expect(page.getByRole("button", { name: `Connect from route: ${b}` })).toBeVisible();
});
