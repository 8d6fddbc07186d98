import { type Page, expect, test } from "@playwright/test";
import { connect, fitView, inspector, node, openApp, problemsSummary, readDoc, showProblems, startBlank, status } from "./helpers.js";

// Scenarios 1 and 2 share one page: build the validation loop, then run, save, reload.
test.describe.configure({ mode: "serial" });

let page: Page;
let built: Record<string, any>;

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage();
});
test.afterAll(async () => {
  await page.close();
});

async function select(title: string, label: string) {
  await node(page, title, label).click({ position: { x: 40, y: 16 } });
  await expect(inspector(page).getByRole("heading", { name: `${title} node` })).toBeVisible();
}

test("1. builds the validation-loop pattern from a blank pipeline with palette, connections and inspector", async () => {
  await openApp(page);
  await startBlank(page);
  const panel = inspector(page);

  // The example input feeds {{ suggestions.
  await panel.getByRole("textbox", { name: "Example input" }).fill('{ "sku": "WM-123" }');
  await panel.getByRole("textbox", { name: "Name" }).fill("Checked records");

  // Draft: a generate node added from the palette by keyboard.
  await page.getByRole("button", { name: "Add Generate node" }).focus();
  await page.keyboard.press("Enter");
  await expect(node(page, "Generate", "generate1")).toBeVisible();
  await panel.getByRole("textbox", { name: "Label", exact: true }).fill("Draft");
  const prompt = panel.getByRole("combobox", { name: "Prompt" });
  await prompt.fill("");
  await prompt.pressSequentially("Describe the product {{inp");
  const suggestions = panel.getByRole("listbox", { name: "Insert a path into Prompt" });
  await expect(suggestions.getByRole("option", { name: /input\.sku/ })).toBeVisible();
  await suggestions.getByRole("option", { name: /input\.sku/ }).click();
  await expect(prompt).toHaveValue("Describe the product {{input.sku}}");
  const shape = panel.getByRole("textbox", { name: "Shape" });
  await shape.fill('{ "name": "string", "price": ');
  await expect(panel.getByRole("alert").filter({ hasText: "Not valid JSON" })).toBeVisible();
  await shape.fill('{ "name": "string", "price": 0, "tags": ["string"] }');
  await expect(panel.getByText("✓ valid JSON")).toBeVisible();
  await expect(panel.getByRole("combobox", { name: "Backend" })).toHaveValue("generator");
  await expect(panel.getByRole("option", { name: /^generator .*\(simulated\)$/ })).toBeAttached();

  // Check: a critique, dragged from the palette onto the canvas.
  await page
    .getByRole("button", { name: "Add Critique node" })
    .dragTo(page.getByRole("application", { name: "Pipeline canvas" }), { targetPosition: { x: 650, y: 300 } });
  await expect(node(page, "Critique", "critique1")).toBeVisible();
  await select("Critique", "critique1");
  await panel.getByRole("textbox", { name: "Label", exact: true }).fill("Check");
  await expect(panel.getByRole("combobox", { name: "Target" })).toHaveValue("generate1");
  await panel.getByRole("textbox", { name: "Rubric" }).fill("price is positive\nname is realistic");
  const attempts = panel.getByRole("spinbutton", { name: /^Max attempts/ });
  await attempts.fill("500");
  await expect(panel.getByRole("alert").filter({ hasText: "At most 100." })).toBeVisible();
  await attempts.fill("3");
  await panel.getByRole("spinbutton", { name: /^Threshold/ }).fill("0.7");

  // Correct: a second generate that revises the draft.
  await page.getByRole("button", { name: "Add Generate node" }).click();
  await expect(node(page, "Generate", "generate2")).toBeVisible();
  await panel.getByRole("textbox", { name: "Label", exact: true }).fill("Correct");
  await panel.getByRole("combobox", { name: "Backend" }).selectOption("enricher");
  await panel.getByRole("combobox", { name: "Prompt" }).fill("Fix {{generate1}} given {{critique1.issues}}");
  await panel.getByRole("button", { name: /More settings/ }).click();
  await panel.getByRole("combobox", { name: "Revises" }).selectOption("generate1");

  // The output returns the (possibly corrected) draft.
  await select("Output", "Output");
  await panel.getByRole("combobox", { name: "Value" }).fill("{{generate1}}");

  // Wire it by dragging between handles.
  await fitView(page);
  await connect(page, "in", "generate1");
  await connect(page, "generate1", "critique1");
  await connect(page, "critique1", "out", "pass");
  await connect(page, "critique1", "generate2", "fail");
  await connect(page, "generate2", "critique1");
  await connect(page, "critique1", "out", "exhausted");

  // The corrector still has the palette's default shape: lint says it would not fit the draft's readers.
  await showProblems(page);
  await expect(page.getByRole("tabpanel")).toContainText("Corrector shape differs from the draft");
  await select("Generate", "Correct");
  await panel.getByRole("textbox", { name: "Shape" }).fill('{ "name": "string", "price": 0, "tags": ["string"] }');
  await expect(problemsSummary(page)).toHaveText(/No problems/);

  built = await readDoc(page);
  expect(built.name).toBe("Checked records");
  const edges = built.edges.map((e: { from: string; to: string; branch?: string }) => `${e.from}>${e.to}${e.branch ? `:${e.branch}` : ""}`).sort();
  expect(edges).toEqual(
    ["critique1>generate2:fail", "critique1>out:exhausted", "critique1>out:pass", "generate1>critique1", "generate2>critique1", "in>generate1"].sort(),
  );
  const byId = Object.fromEntries(built.nodes.map((n: { id: string }) => [n.id, n]));
  expect(byId.generate1).toMatchObject({
    label: "Draft",
    config: { backend: "generator", prompt: "Describe the product {{input.sku}}", shape: { name: "string", price: 0, tags: ["string"] } },
  });
  expect(byId.critique1).toMatchObject({
    label: "Check",
    config: { target: "generate1", rubric: ["price is positive", "name is realistic"], threshold: 0.7, maxAttempts: 3 },
  });
  expect(byId.generate2).toMatchObject({
    label: "Correct",
    config: { backend: "enricher", revises: "generate1", prompt: "Fix {{generate1}} given {{critique1.issues}}" },
  });
  expect(byId.out.config).toEqual({ value: "{{generate1}}" });
  // Nodes show their essentials.
  await expect(node(page, "Critique", "Check")).toContainText("pass ≥ 0.7 · max 3 attempts");
  await expect(node(page, "Generate", "Draft")).toContainText("simulated");
});

test("2. runs it, saves it, and finds it intact after a reload", async () => {
  await page.getByRole("button", { name: "▶ Run" }).click();
  const runStatus = page.getByRole("status", { name: "Run status" });
  await expect(runStatus).toContainText("Completed", { timeout: 20_000 });
  await expect(page.getByRole("region", { name: "Final output" })).toContainText('"name"');
  await expect(page.getByRole("table", { name: "Nodes in this run" })).toContainText("critique1");

  await expect(page.getByRole("status", { name: "Save state" })).toHaveText("● Unsaved changes");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(status(page)).toContainText("as version 1");
  await expect(page.getByRole("status", { name: "Save state" })).toHaveText("Saved · v1");

  await page.reload();
  await expect(node(page, "Critique", "Check")).toBeVisible();
  await expect(page.getByRole("status", { name: "Save state" })).toHaveText("Saved · v1");
  expect(await readDoc(page)).toEqual(built);

  // And the server's copy is the same document.
  await page.getByRole("button", { name: "New / Open…" }).click();
  await page.getByRole("button", { name: "Open saved pipeline Checked records" }).click();
  await expect(status(page)).toContainText('Opened "Checked records" (version 1)');
  expect(await readDoc(page)).toEqual(built);
  await showProblems(page);
  await expect(problemsSummary(page)).toHaveText(/No problems/);

  // Rename and save again (version 2), then restore version 1 from the history (version 3).
  await page.getByRole("textbox", { name: "Pipeline name" }).fill("Checked records, renamed");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByRole("status", { name: "Save state" })).toHaveText("Saved · v2");
  await page.getByRole("button", { name: "Versions", exact: true }).click();
  const history = page.getByRole("dialog", { name: "Version history" });
  await expect(history.getByRole("listitem")).toHaveCount(2);
  await history.getByRole("button", { name: "Restore v1" }).click();
  await expect(page.getByRole("status", { name: "Save state" })).toHaveText("Saved · v3");
  expect(await readDoc(page)).toEqual(built);
});
