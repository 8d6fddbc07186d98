import { type Locator, type Page, expect, test } from "@playwright/test";
import { inspector, node, openApp, openTemplate } from "./helpers.js";

// The Backends page: add, test, disable, refuse a key, edit, remove; the monitor after a run.
test.describe.configure({ mode: "serial" });

let page: Page;
const sent: string[] = [];

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage();
  // Every request body, to prove that a refused key never leaves the browser.
  page.on("request", (r) => {
    const body = r.postData();
    if (body) sent.push(body);
  });
});
test.afterAll(async () => {
  await page.close();
});

const TEMPLATE = "Product enrichment (parallel)";

async function openBackends(tab: "Configuration" | "Monitor" = "Configuration") {
  const toggle = page.getByRole("button", { name: "Backends", exact: true });
  if ((await toggle.getAttribute("aria-pressed")) !== "true") await toggle.click();
  await expect(page.getByRole("heading", { name: "Backends", level: 1 })).toBeVisible();
  await page.getByRole("tab", { name: tab }).click();
  await expect(page.getByRole("tab", { name: tab })).toHaveAttribute("aria-selected", "true");
}

async function backToDesigner() {
  await page.getByRole("button", { name: "← Back to the designer" }).click();
  await expect(page.getByRole("application", { name: "Pipeline canvas" })).toBeVisible();
}

const backendsTable = () => page.getByRole("table", { name: "Configured backends" });
const row = (name: string) =>
  backendsTable()
    .getByRole("row")
    .filter({ has: page.getByRole("rowheader", { name: new RegExp(`^${name}\\b`) }) });
const pageStatus = () => page.getByRole("status", { name: "Backends status" });

/** The Backend picker of the parallel template's "Details (fast)" node. */
async function picker(): Promise<Locator> {
  const details = node(page, "Generate", "Details (fast)");
  if (!(await details.isVisible().catch(() => false))) {
    await openTemplate(page, TEMPLATE);
    await expect(details).toBeVisible();
  }
  await details.click({ position: { x: 40, y: 16 } });
  await expect(inspector(page).getByRole("heading", { name: "Generate node" })).toBeVisible();
  return inspector(page).getByRole("combobox", { name: "Backend" });
}

test("adds a simulated backend from the Backends page and tests its connection", async () => {
  await openApp(page);
  await openBackends();
  await expect(row("generator")).toContainText("simulated");

  await page.getByRole("button", { name: "+ Add backend" }).click();
  const form = page.getByRole("form", { name: "Add a backend" });
  await expect(form.getByRole("combobox", { name: "Provider" })).toHaveValue("simulated");
  await form.getByRole("textbox", { name: "Name" }).fill("fast-sim");
  await form.getByRole("spinbutton", { name: /^Latency/ }).fill("50");

  // Test before saving: the form's own settings.
  await form.getByRole("button", { name: "Test connection (without saving)" }).click();
  const formTest = form.getByRole("status", { name: "Connection test of this form" });
  await expect(formTest).toContainText(/Connected in \d+ ms/);
  await expect(formTest).toContainText("simulated");

  await form.getByRole("button", { name: "Save backend" }).click();
  await expect(form).toBeHidden();
  await expect(pageStatus()).toContainText('Added the backend "fast-sim"');
  await expect(row("fast-sim")).toContainText("simulated");
  await expect(row("fast-sim")).toContainText("sim-custom");
  await expect(row("fast-sim").getByRole("switch", { name: "fast-sim enabled" })).toBeChecked();

  // Test the saved backend from its row: ok, with its latency.
  await row("fast-sim").getByRole("button", { name: "Test connection to fast-sim" }).click();
  const rowTest = page.getByRole("status", { name: "Connection test of fast-sim" });
  await expect(rowTest).toContainText(/Connected in \d+ ms/);
  const ms = Number(/Connected in (\d+) ms/.exec((await rowTest.textContent()) ?? "")?.[1]);
  expect(ms).toBeGreaterThanOrEqual(45);
  await expect(rowTest).toContainText("reply:");
});

test("the designer's backend picker offers it, marked simulated", async () => {
  await backToDesigner();
  const backend = await picker();
  const option = backend.getByRole("option", { name: /^fast-sim — .*\(simulated\)$/ });
  await expect(option).toBeAttached();
  await expect(option).toBeEnabled();
  await backend.selectOption("fast-sim");
  await expect(inspector(page).getByText("simulated", { exact: true }).first()).toBeVisible();
  // Back to the template's own backend; this test only looks.
  await backend.selectOption("generator");
});

test("disabling it marks it disabled in the list and in the picker", async () => {
  await openBackends();
  const toggle = row("fast-sim").getByRole("switch", { name: "fast-sim enabled" });
  await toggle.uncheck();
  await expect(toggle).not.toBeChecked();
  await expect(row("fast-sim")).toContainText("disabled");
  await expect(pageStatus()).toContainText('Disabled "fast-sim"');

  await backToDesigner();
  const option = (await picker()).getByRole("option", { name: /^fast-sim — .*\(simulated\) \(disabled\)$/ });
  await expect(option).toBeAttached();
  await expect(option).toBeDisabled();
});

test("a literal key in apiKeyEnv is refused with an explanation, and never sent", async () => {
  await openBackends();
  await page.getByRole("button", { name: "+ Add backend" }).click();
  const form = page.getByRole("form", { name: "Add a backend" });
  await form.getByRole("textbox", { name: "Name" }).fill("leaky");
  await form.getByRole("combobox", { name: "Provider" }).selectOption("openai");
  await expect(form.getByRole("textbox", { name: "Base URL" })).toHaveValue("https://api.openai.com/v1");
  const keyField = form.getByRole("textbox", { name: "API key variable" });
  await expect(keyField).toHaveAccessibleDescription(/name of an environment variable that holds the key, e\.g\. OPENAI_API_KEY — keys are never stored/);
  const key = "sk-proj-e2eFakeKey0123456789abcdef";
  await keyField.fill(key);
  // Flagged as soon as it is typed …
  await expect(keyField).toHaveAttribute("aria-invalid", "true");
  await expect(keyField).toHaveAccessibleDescription(/looks like an OpenAI-style API key, not the name of an environment variable/);
  // … and refused on save and on test, naming the field.
  await form.getByRole("button", { name: "Save backend" }).click();
  const problems = form.getByRole("alert", { name: "Problems in the form" });
  await expect(problems).toContainText("API key variable (apiKeyEnv): this looks like an OpenAI-style API key");
  await expect(problems).toContainText("Braid never stores keys");
  await form.getByRole("button", { name: "Test connection (without saving)" }).click();
  await expect(form.getByRole("status", { name: "Connection test of this form" })).toHaveCount(0);
  expect(sent.some((b) => b.includes(key))).toBe(false);

  // The server refuses a literal key as well (for files and other clients).
  const r = await page.request.post("/trpc/backends.save", {
    data: { backend: { name: "leaky", provider: "openai", model: "gpt-4o-mini", apiKey: key } },
  });
  expect(r.status()).toBe(400);
  expect(await r.text()).toContain("literal API keys are refused");

  // A proper variable name is fine.
  await keyField.fill("OPENAI_API_KEY");
  await expect(keyField).not.toHaveAttribute("aria-invalid", "true");
  await form.getByRole("button", { name: "Cancel" }).click();
  await expect(form).toBeHidden();
  await expect(row("leaky")).toHaveCount(0);
});

test("edits, then removes it", async () => {
  await row("fast-sim").getByRole("button", { name: "Edit fast-sim" }).click();
  const form = page.getByRole("form", { name: "Edit fast-sim" });
  await expect(form.getByRole("textbox", { name: "Name" })).toHaveValue("fast-sim");
  await expect(form.getByRole("spinbutton", { name: /^Latency/ })).toHaveValue("50");
  await expect(form.getByRole("checkbox", { name: /^Enabled/ })).not.toBeChecked();

  // A bad value is refused with the field named.
  await form.getByRole("spinbutton", { name: /^Failure rate/ }).fill("2");
  await form.getByRole("button", { name: "Save backend" }).click();
  await expect(form.getByRole("alert", { name: "Problems in the form" })).toContainText("Failure rate (simulation.failureRate): must be at most 1");
  await form.getByRole("spinbutton", { name: /^Failure rate/ }).fill("");

  await form.getByRole("textbox", { name: "Description" }).fill("edited in e2e");
  await form.getByRole("spinbutton", { name: /^Latency/ }).fill("60");
  await form.getByRole("checkbox", { name: /^Enabled/ }).check();
  await form.getByRole("button", { name: "Save backend" }).click();
  await expect(form).toBeHidden();
  await expect(pageStatus()).toContainText('Saved the backend "fast-sim"');
  await expect(row("fast-sim")).toContainText("edited in e2e");
  await expect(row("fast-sim").getByRole("switch", { name: "fast-sim enabled" })).toBeChecked();

  await row("fast-sim").getByRole("button", { name: "Remove fast-sim" }).click();
  await row("fast-sim").getByRole("button", { name: "Yes, remove fast-sim" }).click();
  await expect(row("fast-sim")).toHaveCount(0);
  await expect(pageStatus()).toContainText('Removed "fast-sim"');
  // Built-in tiers cannot be removed, only disabled.
  await expect(row("generator").getByRole("button", { name: "Remove generator" })).toBeDisabled();
});

test("the monitor shows calls after running the parallel template once", async () => {
  if (
    !(await node(page, "Generate", "Details (fast)")
      .isVisible()
      .catch(() => false))
  )
    await openTemplate(page, TEMPLATE);
  await openBackends("Monitor");
  const stats = page.getByRole("table", { name: /^Calls per backend/ });
  await expect(page.getByRole("radio", { name: "Last 5 minutes" })).toBeChecked();
  await expect(page.getByRole("checkbox", { name: /^Auto-refresh/ })).toBeChecked();
  const calls = async (name: string) => {
    const r = stats.getByRole("row").filter({ has: page.getByRole("rowheader", { name: new RegExp(`^${name}\\b`) }) });
    return Number(((await r.getByRole("cell").nth(1).textContent()) ?? "").replace(/,/g, ""));
  };
  await expect(stats.getByRole("rowheader", { name: /^generator/ })).toBeVisible();
  const before = { generator: await calls("generator"), enricher: await calls("enricher") };

  // Run from the toolbar while the monitor shows: it refreshes itself (no click on "Refresh now").
  await page.getByRole("button", { name: "▶ Run" }).click();
  await expect.poll(() => calls("generator"), { timeout: 15_000 }).toBeGreaterThan(before.generator);
  await expect.poll(() => calls("enricher"), { timeout: 15_000 }).toBeGreaterThanOrEqual(before.enricher + 2);
  const generatorRow = stats.getByRole("row").filter({ has: page.getByRole("rowheader", { name: /^generator\b/ }) });
  await expect(generatorRow).toContainText("breaker closed");
  await expect(generatorRow.getByRole("cell").nth(2)).toHaveText(/100 %/);
  await expect(generatorRow.getByRole("cell").nth(3)).toHaveText(/\d+ ms/);
  await expect(page.getByRole("definition").first()).not.toHaveText("0");

  // The other windows answer too.
  await page.getByRole("radio", { name: "Since the server started" }).check();
  await expect(stats).toHaveAccessibleName(/since the server started/);
  await expect.poll(() => calls("generator")).toBeGreaterThan(0);

  // The run itself completed, as the run panel says.
  await backToDesigner();
  await expect(page.getByRole("status", { name: "Run status" })).toContainText("Completed", { timeout: 20_000 });
});
