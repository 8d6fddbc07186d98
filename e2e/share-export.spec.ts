import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "@playwright/test";
import { inspector, node, openApp, openTemplate, readDoc, status } from "./helpers.js";
import {
  CANARY_NEEDLES,
  canaryDoc,
  download,
  downloadText,
  downloadZip,
  dropFile,
  fixture,
  hostileDoc,
  importJson,
  installXssTraps,
  openExport,
  pasteText,
  rerendered,
  svgProblems,
  xssReport,
} from "./share-helpers.js";

const SCREENSHOTS = join(fileURLToPath(new URL("..", import.meta.url)), ".braid-tmp", "screenshots");

const TEMPLATES: Record<string, string> = {
  consensus: "Best of three (consensus)",
  "multi-perspective": "Multi-perspective critique",
  parallel: "Product enrichment (parallel)",
  "quality-gate": "Cost-aware generation (quality gate)",
  sequential: "User profiles (sequential)",
  "smart-routing": "Smart routing by complexity",
  "validation-loop": "Validated records (validation loop)",
};

test("hostile labels and prompts stay text in the canvas, the preview and the SVG; nothing runs", async ({ page }) => {
  const traps = await installXssTraps(page);
  await openApp(page);
  const doc = hostileDoc();
  await importJson(page, doc);
  // The canvas shows them as text.
  await expect(node(page, "Generate", "<img src=x onerror=alert(1)>")).toContainText("<img src=x onerror=alert(1)>");
  await expect(node(page, "Generate", "<script>__xss('script')</script>")).toBeVisible();

  const dialog = await openExport(page);
  const preview = dialog.locator(".mermaid-svg svg");
  // Prompts too: every hostile string reaches the diagram.
  let id = await preview.getAttribute("id");
  await dialog.getByRole("checkbox", { name: "Show prompts" }).check();
  await rerendered(dialog, id);
  const shown = (await preview.textContent()) ?? "";
  for (const label of [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "click node1 call alert(1)",
    '"]) --> evil["x',
    "Київ 🚀 東京 مرحبا",
    "end",
  ]) {
    expect(shown).toContain(label);
  }
  expect(shown).toContain('%%{init: {"securityLevel":"loose"}}%%');
  expect(await svgProblems(page, await preview.evaluate((el) => el.outerHTML), "text/html")).toEqual([]);
  // No element anywhere on the page came from user text.
  await expect(page.locator('img[src="x"], iframe, script:not([src])')).toHaveCount(0);

  // The downloaded SVG: well-formed, the labels as text, nothing active.
  const svg = await downloadText(page, dialog, "Download .svg");
  expect(svg.name).toBe("Hostile-img-src-x-onerror-__xss-name.svg");
  expect(await svgProblems(page, svg.text)).toEqual([]);
  // In the file's text: every `<` of user text is escaped, so any `<` starts a real tag.
  expect(svg.text).not.toMatch(/<script/i);
  expect(svg.text).not.toMatch(/<[^>]*\s(?:xlink:)?href\s*=\s*["']?\s*javascript:/i);
  expect(svg.text).not.toMatch(/<[^>]*\son[a-z]+\s*=/i);
  expect(svg.text).toContain("&lt;img src=x onerror=alert(1)&gt;");

  // Re-rendered the other way round, still nothing runs.
  id = await preview.getAttribute("id");
  await dialog.getByRole("radio", { name: "Left → right" }).check();
  await rerendered(dialog, id);
  expect(await svgProblems(page, await preview.evaluate((el) => el.outerHTML), "text/html")).toEqual([]);

  // The .mmd keeps the labels inert too (entity-encoded), and imports back identically.
  const mmd = await downloadText(page, dialog, "Download .mmd");
  expect(mmd.text).not.toMatch(/<img|<script|%%\{init/);
  await page.waitForTimeout(300);
  const report = await xssReport(page);
  expect(report.calls).toEqual([]);
  expect(report.csp).toEqual([]);
  expect(traps.dialogs).toEqual([]);
});

test("canary secrets appear in no export and in no share link", async ({ page }) => {
  await openApp(page);
  await importJson(page, canaryDoc());
  const dialog = await openExport(page);
  await expect(dialog.getByRole("note", { name: "Redacted secrets" })).toContainText("replaced with “[redacted]”");
  const id = await dialog.locator(".mermaid-svg svg").getAttribute("id");
  await dialog.getByRole("checkbox", { name: "Show prompts" }).check();
  await rerendered(dialog, id);

  const outputs: Record<string, string> = {};
  for (const ext of ["mmd", "json", "svg"]) {
    const file = await downloadText(page, dialog, `Download .${ext}`);
    outputs[ext] = file.text;
    outputs[`${ext} file name`] = file.name;
  }
  outputs["png file name"] = (await download(page, dialog, "Download .png")).suggestedFilename();
  const code = await downloadZip(page, dialog, "Download code (LangGraph.js project, .zip)");
  for (const [path, text] of Object.entries(code.files)) outputs[`code ${path}`] = text;
  outputs.preview = (await dialog.locator(".mermaid-svg svg").evaluate((el) => el.outerHTML)) ?? "";
  await dialog.locator("summary", { hasText: "Mermaid source" }).click();
  outputs.source = await dialog.getByRole("textbox", { name: "Mermaid source" }).inputValue();
  await dialog.getByRole("button", { name: "Share link" }).click();
  outputs.link = await dialog.getByRole("textbox", { name: "Share link" }).inputValue();
  // The link decodes (in the app, as the recipient sees it) to a redacted pipeline.
  const shared = await page.context().newPage();
  await shared.goto(outputs.link);
  const preview = shared.getByRole("dialog", { name: "Shared pipeline" });
  await expect(preview.locator(".mermaid-svg svg")).toBeVisible({ timeout: 20_000 });
  outputs.sharedPreview = (await preview.textContent()) ?? "";
  await shared.close();

  for (const [format, text] of Object.entries(outputs)) {
    for (const needle of CANARY_NEEDLES) expect(text, `${needle} in ${format}`).not.toContain(needle);
  }
  expect(outputs.json).toContain("[redacted]");
  expect(JSON.parse(outputs.json ?? "{}").nodes[1].config.prompt).toBe(
    "Call postgres://user:[redacted]@db:5432/x with [redacted] and key [redacted] about {{input.topic}}",
  );
  // The editor itself keeps them: redaction is for what leaves.
  await dialog.getByRole("button", { name: "Close" }).click();
  const kept = await readDoc(page);
  expect(kept.nodes[1].config.apiKey).toBe(fixture.canarySecrets[0]);
});

test("export → share link → open in a new page → import as a new pipeline gives the same document", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await openApp(page);
  await openTemplate(page, TEMPLATES["validation-loop"] as string);
  await expect(status(page)).toContainText("Opened the template");
  const original = await readDoc(page);
  const dialog = await openExport(page);
  const clipboard = () => page.evaluate(() => navigator.clipboard.readText());
  await dialog.getByRole("button", { name: "Copy Mermaid" }).click();
  await expect(dialog.getByRole("status")).toHaveText("Mermaid copied to the clipboard.");
  await dialog.locator("summary", { hasText: "Mermaid source" }).click();
  expect(await clipboard()).toBe(await dialog.getByRole("textbox", { name: "Mermaid source" }).inputValue());
  expect(await clipboard()).toMatch(/^%% braid:format braid\/pipeline@1\nflowchart TD\n/);
  await dialog.getByRole("button", { name: "Share link" }).click();
  const link = await dialog.getByRole("textbox", { name: "Share link" }).inputValue();
  expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#share=[A-Za-z0-9_-]+$/);
  expect(link.length).toBeLessThan(8100);
  expect(await clipboard()).toBe(link);

  const other = await context.browser()!.newPage();
  await other.goto(link);
  const preview = other.getByRole("dialog", { name: "Shared pipeline" });
  await expect(preview.getByRole("heading", { name: original.name })).toBeVisible();
  await expect(preview.getByText(original.description)).toBeVisible();
  await expect(preview.locator(".mermaid-svg svg g.node")).toHaveCount(original.nodes.length, { timeout: 20_000 });
  await preview.getByText(`${original.nodes.length} nodes`).click();
  await expect(preview.getByRole("list", { name: "Nodes" }).getByRole("listitem")).toHaveCount(original.nodes.length);
  // The address bar no longer carries the link: a reload does not ask again.
  expect(new URL(other.url()).hash).toBe("");
  await preview.getByRole("button", { name: "Import as a new pipeline" }).click();
  await expect(preview).toBeHidden();
  await expect(other.getByRole("status", { name: "Save state" })).toHaveText("● Unsaved changes");
  expect(await readDoc(other)).toEqual(original);
  await other.close();
});

test("a damaged share link explains itself and changes nothing", async ({ page }) => {
  await openApp(page);
  await openTemplate(page, TEMPLATES.sequential as string);
  // The template arrives over the network: read the document once it has.
  await expect(page.getByRole("textbox", { name: "Pipeline name" })).toHaveValue(TEMPLATES.sequential as string);
  const before = await readDoc(page);
  const dialog = await openExport(page);
  await dialog.getByRole("button", { name: "Share link" }).click();
  const link = await dialog.getByRole("textbox", { name: "Share link" }).inputValue();
  await dialog.getByRole("button", { name: "Close" }).click();
  // Cut short, as a chat app might: same page, so only the hash changes.
  await page.goto(link.slice(0, Math.floor(link.length * 0.6)));
  const shared = page.getByRole("alertdialog", { name: "Shared pipeline" });
  await expect(shared.getByRole("alert")).toContainText("This share link cannot be opened");
  await expect(shared.getByRole("alert")).toContainText("damaged");
  await shared.getByRole("button", { name: "Dismiss" }).click();
  await expect(shared).toBeHidden();
  expect(await readDoc(page)).toEqual(before);
  // Well-formed but not a pipeline.
  await page.goto("/#share=eJyrVkrLz1eyUkpKLFKqBQAdegQ0");
  await expect(page.getByRole("alertdialog", { name: "Shared pipeline" }).getByRole("alert")).toContainText("cannot be opened");
  await page.getByRole("button", { name: "Dismiss" }).click();
  expect(await readDoc(page)).toEqual(before);
});

test("import a hand-written .mmd by file picker, a .json by drop, Mermaid by paste; bad files change nothing", async ({ page }) => {
  await openApp(page);
  await openTemplate(page, TEMPLATES.sequential as string);
  const before = await readDoc(page);

  // A broken JSON file dropped on the canvas: explained, nothing changes.
  await dropFile(page, ".react-flow__pane", { name: "broken.json", type: "application/json", text: '{"format": "braid/pipeline@1", "nodes": [' });
  const importDialog = page.getByRole("dialog", { name: "Import a pipeline" });
  await expect(importDialog.getByRole("alert")).toContainText("not valid JSON");
  await importDialog.getByRole("button", { name: "Cancel" }).click();
  expect(await readDoc(page)).toEqual(before);

  // A hand-written flowchart by the file picker: its guesses are listed first.
  await page.getByRole("button", { name: "Import", exact: true }).click();
  const handWritten = "flowchart LR\n  A([Topic]) --> B[Write a draft]\n  B --> C{Good enough?}\n  C -->|yes| D([Article])\n  C -->|no| B\n";
  await importDialog.getByLabel("Or load a file").setInputFiles({ name: "draft.mmd", mimeType: "text/plain", buffer: Buffer.from(handWritten) });
  const guesses = importDialog.getByRole("status", { name: "Import guesses" });
  await expect(guesses).toContainText("“draft.mmd” is a flowchart without Braid's data");
  await expect(guesses.getByRole("listitem")).toHaveCount(4);
  await importDialog.getByRole("button", { name: "Import with these guesses" }).click();
  await expect(importDialog).toBeHidden();
  await expect(node(page, "Input", "Topic")).toBeVisible();
  await expect(node(page, "Generate", "Write a draft")).toBeVisible();
  await expect(node(page, "Route", "Good enough?")).toBeVisible();
  const imported = await readDoc(page);
  expect(imported.nodes.map((n: { kind: string }) => n.kind)).toEqual(["input", "generate", "route", "output"]);
  expect(imported.edges).toHaveLength(4);

  // A pipeline's JSON dropped on the canvas imports at once (after the unsaved-changes question).
  const json = readFileSync(new URL("../examples/parallel.json", import.meta.url), "utf8");
  await dropFile(page, ".react-flow__pane", { name: "parallel.json", type: "application/json", text: json });
  await page.getByRole("alertdialog").getByRole("button", { name: "Discard changes" }).click();
  await expect(page.getByRole("textbox", { name: "Pipeline name" })).toHaveValue("Product enrichment (parallel)");
  expect(await readDoc(page)).toEqual(JSON.parse(json));

  // Mermaid pasted onto the canvas opens Import with it.
  await pasteText(page, "graph TD\n  start([In]) --> finish([Out])\n");
  await expect(importDialog.getByRole("textbox", { name: "Pipeline JSON or Mermaid" })).toHaveValue(/graph TD/);
  await importDialog.getByRole("button", { name: "Import", exact: true }).click();
  await importDialog.getByRole("button", { name: "Import with these guesses" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Discard changes" }).click();
  await expect(node(page, "Output", "Out")).toBeVisible();
});

test("downloads: .png of the canvas, names from the pipeline; a run exports as a diagram", async ({ page }) => {
  const traps = await installXssTraps(page);
  await openApp(page);
  await openTemplate(page, TEMPLATES["validation-loop"] as string);
  let dialog = await openExport(page);
  const png = await download(page, dialog, "Download .png");
  expect(png.suggestedFilename()).toBe("Validated-records-validation-loop.png");
  const bytes = readFileSync(await png.path());
  expect(bytes.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
  expect(bytes.length).toBeGreaterThan(10_000);
  await expect(dialog.getByRole("checkbox", { name: "Export this run as a diagram" })).toHaveCount(0);
  await dialog.getByRole("button", { name: "Close" }).click();

  await page.getByRole("button", { name: "▶ Run" }).click();
  await expect(status(page)).toContainText(/Run finished|completed/i, { timeout: 30_000 });
  dialog = await openExport(page);
  const id = await dialog.locator(".mermaid-svg svg").getAttribute("id");
  await dialog.getByRole("checkbox", { name: "Export this run as a diagram" }).check();
  await rerendered(dialog, id);
  await expect(dialog.locator(".mermaid-svg svg g.node.run_visited").first()).toBeVisible();
  const mmd = await downloadText(page, dialog, "Download .mmd");
  expect(mmd.name).toMatch(/^Validated-records-validation-loop-run-.+\.mmd$/);
  expect(mmd.text).toContain("classDef run_visited");
  expect(mmd.text).toMatch(/linkStyle [\d,]+ stroke:#2f9e44/);
  await dialog.getByRole("button", { name: "Close" }).click();

  // Edited after the run: the run is still drawn on the pipeline as it ran, and the dialog says so.
  await node(page, "Generate", "Draft").click();
  await inspector(page).getByRole("textbox", { name: "Label", exact: true }).fill("Draft v2");
  dialog = await openExport(page);
  await expect(dialog.locator(".mermaid-svg svg")).toContainText("Draft v2");
  const before = await dialog.locator(".mermaid-svg svg").getAttribute("id");
  await dialog.getByRole("checkbox", { name: "Export this run as a diagram" }).check();
  await rerendered(dialog, before);
  await expect(dialog.getByText("the diagram shows the pipeline as it ran")).toBeVisible();
  await expect(dialog.locator(".mermaid-svg svg")).not.toContainText("Draft v2");
  // Mermaid and html-to-image work under the server's CSP (no eval, no inline script).
  expect((await xssReport(page)).csp).toEqual([]);
  expect(traps.dialogs).toEqual([]);
});

test("code export: a LangGraph.js project in a zip, one function per node, no Braid package", async ({ page }) => {
  await openApp(page);
  await openTemplate(page, TEMPLATES["smart-routing"] as string);
  const dialog = await openExport(page);
  const zip = await downloadZip(page, dialog, "Download code (LangGraph.js project, .zip)");
  expect(zip.name).toMatch(/-langgraph\.zip$/);
  const folder = zip.name.replace(/\.zip$/, "");
  const paths = Object.keys(zip.files);
  for (const f of ["package.json", "tsconfig.json", "README.md", "src/graph.ts", "src/nodes.ts", "src/main.ts", "src/backends.ts"])
    expect(paths).toContain(`${folder}/${f}`);
  const pkg = JSON.parse(zip.files[`${folder}/package.json`] ?? "{}");
  expect(Object.keys(pkg.dependencies)).toEqual(expect.arrayContaining(["@langchain/langgraph", "@langchain/core", "jsonata"]));
  expect(Object.values(zip.files).join("\n")).not.toContain("@braid/");
  expect(zip.files[`${folder}/src/graph.ts`]).toContain("addConditionalEdges");
  await expect(dialog.getByRole("status").filter({ hasText: "LangGraph.js project" })).toBeVisible();
});

test("a pipeline too large for a link: the dialog says so and offers the file", async ({ page }) => {
  await openApp(page);
  // Incompressible text: a link cannot carry it.
  let seed = 7;
  const noise = Array.from({ length: 16000 }, () => "abcdefghijklmnopqrstuvwxyz0123456789 "[(seed = (seed * 1103515245 + 12345) % 2147483648) % 37]).join("");
  await importJson(page, {
    format: "braid/pipeline@1",
    name: "Large",
    description: noise,
    nodes: [
      { id: "in", kind: "input", position: { x: 0, y: 0 } },
      { id: "out", kind: "output", position: { x: 0, y: 160 } },
    ],
    edges: [{ from: "in", to: "out" }],
  });
  const dialog = await openExport(page);
  await dialog.getByRole("button", { name: "Share link" }).click();
  const alert = dialog.getByRole("alert");
  await expect(alert).toContainText("This pipeline is too large for a link");
  await expect(dialog.getByRole("textbox", { name: "Share link" })).toHaveCount(0);
  const file = await downloadText(page, dialog, "Download .json instead");
  expect(file.name).toBe("Large.json");
  expect(JSON.parse(file.text).description).toBe(noise);
});

test("every template's export preview renders (screenshots)", async ({ page }) => {
  await openApp(page);
  for (const [id, name] of Object.entries(TEMPLATES)) {
    await openTemplate(page, name);
    await expect(page.getByRole("textbox", { name: "Pipeline name" })).toHaveValue(name);
    const doc = await readDoc(page);
    const dialog = await openExport(page);
    await expect(dialog.locator(".mermaid-svg svg g.node")).toHaveCount(doc.nodes.length);
    await expect(dialog.getByRole("alert")).toHaveCount(0);
    await dialog.screenshot({ path: join(SCREENSHOTS, `export-${id}.png`) });
    await dialog.getByRole("button", { name: "Close" }).click();
  }
});
