import { type Locator, type Page, expect } from "@playwright/test";

/** Everything here finds elements by role and accessible name, as a user (or a screen reader) would. */

export async function openApp(page: Page): Promise<void> {
  await page.goto("/");
  await expect(page.getByRole("application", { name: "Pipeline canvas" })).toBeVisible();
  // The server answered once backends are listed: the backend badges say "simulated".
  await expect(page.getByRole("button", { name: "▶ Run" })).toBeEnabled();
}

export async function startBlank(page: Page): Promise<void> {
  await page.getByRole("button", { name: "New / Open…" }).click();
  await page.getByRole("button", { name: /Blank pipeline/ }).click();
  await discardIfAsked(page);
  await expect(node(page, "Input", "Input")).toBeVisible();
}

export async function openTemplate(page: Page, name: string | RegExp): Promise<void> {
  await page.getByRole("button", { name: "New / Open…" }).click();
  await page.getByRole("button", { name: typeof name === "string" ? `Template: ${name}` : name }).click();
  await discardIfAsked(page);
}

export async function discardIfAsked(page: Page): Promise<void> {
  const discard = page.getByRole("alertdialog").getByRole("button", { name: "Discard changes" });
  if (await discard.isVisible({ timeout: 500 }).catch(() => false)) await discard.click();
}

/** A canvas node by kind title and label (or id when it has no label). */
export function node(page: Page, title: string, label: string): Locator {
  return page.getByRole("group", { name: `${title} node ${label}`, exact: true });
}

export const handleFrom = (page: Page, id: string, branch?: string) =>
  page.getByRole("button", { name: branch ? `Connect from ${id}: ${branch}` : `Connect from ${id}`, exact: true });
export const handleTo = (page: Page, id: string) => page.getByRole("button", { name: `Connect to ${id}`, exact: true });

/** Drags a connection from one handle to another with real mouse moves. */
export async function drag(page: Page, from: Locator, to: Locator): Promise<void> {
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  if (!a || !b) throw new Error("handle not visible");
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  const steps = 8;
  for (let i = 1; i <= steps; i++) {
    await page.mouse.move(
      a.x + a.width / 2 + ((b.x - a.x + (b.width - a.width) / 2) * i) / steps,
      a.y + a.height / 2 + ((b.y - a.y + (b.height - a.height) / 2) * i) / steps,
    );
  }
  await page.mouse.up();
}

export async function connect(page: Page, fromId: string, toId: string, branch?: string): Promise<void> {
  await drag(page, handleFrom(page, fromId, branch), handleTo(page, toId));
}

export async function fitView(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Fit view", exact: true }).click();
  await page.waitForTimeout(350);
}

/** The document as the app holds it, read from the JSON dialog. */
export async function readDoc(page: Page): Promise<Record<string, any>> {
  await page.getByRole("button", { name: "JSON", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Pipeline JSON" });
  const text = await dialog.getByRole("textbox", { name: "Document (braid/pipeline@1)" }).inputValue();
  await dialog.getByRole("button", { name: "Close" }).click();
  await expect(dialog).toBeHidden();
  return JSON.parse(text);
}

export const inspector = (page: Page) => page.getByRole("complementary", { name: "Inspector" });
export const status = (page: Page) => page.getByRole("status", { name: "Status", exact: true });
export const problemsSummary = (page: Page) => page.getByRole("tabpanel").getByRole("status");

export async function showProblems(page: Page): Promise<void> {
  await page.getByRole("tab", { name: /^Problems/ }).click();
}
