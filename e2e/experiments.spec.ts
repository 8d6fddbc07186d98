import { mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { type Page, expect, test } from "@playwright/test";
import { openApp } from "./helpers.js";
import { runStatus, trpc } from "./trace-helpers.js";

const SHOTS = process.env.BRAID_E2E_SHOTS ?? `${tmpdir()}/braid-e2e-shots`;
const DATASET = readFileSync(new URL("../examples/datasets/validation-loop.jsonl", import.meta.url));

/** A figure of the experiment's "Metrics" list. */
const metric = (page: Page, label: string) =>
  page
    .getByLabel("Metrics", { exact: true })
    .locator("div", { has: page.getByRole("term").filter({ hasText: new RegExp(`^${label}$`) }) })
    .getByRole("definition");

async function runExperiment(page: Page, version: string): Promise<void> {
  const form = page.getByRole("region", { name: "New experiment" });
  await form.getByRole("combobox", { name: "Pipeline", exact: true }).selectOption("validation-loop");
  await form.getByRole("combobox", { name: "Pipeline version" }).selectOption({ label: version });
  await form.getByRole("combobox", { name: "Dataset", exact: true }).selectOption({ label: "skus" });
  await expect(form.getByRole("combobox", { name: "Dataset version" })).toHaveValue("1");
  await form.getByRole("spinbutton", { name: "Concurrency" }).fill("8");
  await form.getByRole("button", { name: "Start experiment" }).click();
  await expect(page.getByRole("status", { name: "Experiment status" })).toHaveText("completed", { timeout: 30_000 });
}

test("experiments: upload a dataset, run two versions with the pipeline's evaluators, see charts and gates, compare A/B, open a record's run", async ({
  page,
  request,
}) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  // Version 2 of the validation loop is weakened: the critique gets one attempt, not three.
  const current = await request.get(`/trpc/pipelines.get?input=${encodeURIComponent(JSON.stringify({ id: "validation-loop" }))}`);
  const doc = ((await current.json()) as { result: { data: { pipeline: { nodes: Array<{ id: string; config: Record<string, unknown> }> } } } }).result.data
    .pipeline;
  const check = doc.nodes.find((n) => n.id === "check");
  if (!check) throw new Error("the validation loop has no check node");
  check.config.maxAttempts = 1;
  await trpc(request, "pipelines.save", { id: "validation-loop", pipeline: doc, message: "one attempt" });

  await openApp(page);
  await page.getByRole("button", { name: "Experiments", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Experiments", level: 1 })).toBeVisible();

  // A bad file is refused whole, naming the line; nothing is listed.
  const datasets = page.getByRole("region", { name: "Datasets" });
  await datasets.getByRole("textbox", { name: "Dataset name" }).fill("broken");
  await datasets
    .getByLabel("Dataset file (.jsonl or .csv)")
    .setInputFiles({ name: "broken.jsonl", mimeType: "application/x-ndjson", buffer: Buffer.from('{"input":{"sku":"A"}}\n{not json\n') });
  await expect(page.getByRole("alert")).toContainText("line 2");
  await expect(datasets.getByRole("table", { name: "Datasets" })).toHaveCount(0);

  // The shipped 50-record dataset, then its preview.
  await datasets.getByRole("textbox", { name: "Dataset name" }).fill("skus");
  await datasets.getByLabel("Dataset file (.jsonl or .csv)").setInputFiles({ name: "skus.jsonl", mimeType: "application/x-ndjson", buffer: DATASET });
  await expect(page.getByRole("status").filter({ hasText: "imported" })).toContainText("50 records");
  const row = datasets.getByRole("table", { name: "Datasets" }).getByRole("row", { name: /skus/ });
  await expect(row).toContainText("50");
  await row.getByRole("button", { name: "Preview skus" }).click();
  await expect(datasets.getByRole("table", { name: "Dataset preview" })).toContainText("WM-100");

  // Baseline: version 1 with the pipeline's own evaluators and gates; an extra gate typed at start.
  const form = page.getByRole("region", { name: "New experiment" });
  await form.getByRole("combobox", { name: "Pipeline", exact: true }).selectOption("validation-loop");
  await form.getByRole("combobox", { name: "Pipeline version" }).selectOption({ label: "v1" });
  await expect(form).toContainText('"name":"shape"');
  await form.getByRole("textbox", { name: "Gates (one per line)" }).fill("p95LatencyMs <= 60000");
  await runExperiment(page, "v1");
  const summary = page.getByRole("region", { name: /^Experiment / });
  await expect(summary.getByRole("progressbar", { name: "Records evaluated" })).toHaveAttribute("value", "50");
  await expect(metric(page, "Score")).toHaveText(/^0\.\d+|^1$/);
  // The e2e server's backends are simulated, and the summary says so.
  await expect(summary.getByRole("heading", { level: 2 })).toContainText("simulated");
  const gates = summary.getByRole("list", { name: "Gates" });
  await expect(gates).toContainText("passed: score >= 0.7");
  await expect(gates).toContainText("p95LatencyMs <= 60000");
  for (const chart of ["Score distribution", "Latency histogram", "Cost per record", "Pass rate per evaluator"])
    await expect(summary.getByRole("img", { name: new RegExp(`^${chart}: `) })).toBeVisible();
  await expect(summary.getByRole("img", { name: /^Pass rate per evaluator: / })).toHaveAttribute("aria-label", /shape 100 %/);
  await expect(summary.getByRole("table", { name: "Records" }).getByRole("row")).toHaveCount(51);
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/experiment-summary.png`, fullPage: true });

  // Candidate: the weakened version 2.
  await form.getByRole("textbox", { name: "Gates (one per line)" }).fill("");
  await runExperiment(page, "v2");

  // A/B: candidate v2 against baseline v1, with a relative gate.
  const compare = page.getByRole("region", { name: "Compare (A/B)" });
  const options = compare.getByRole("combobox", { name: "Candidate" }).locator("option");
  await expect(options).toHaveCount(3);
  const v2 = (await options.filter({ hasText: /\) v2 × / }).getAttribute("value")) ?? "";
  const v1 = (await options.filter({ hasText: /\) v1 × / }).getAttribute("value")) ?? "";
  await compare.getByRole("combobox", { name: "Candidate" }).selectOption(v2);
  await compare.getByRole("combobox", { name: "Baseline" }).selectOption(v1);
  await compare.getByRole("textbox", { name: "Relative gates (one per line)" }).fill("score >= baseline.score - 0.03");
  await compare.getByRole("button", { name: "Compare" }).click();
  const deltas = compare.getByRole("table", { name: "Metric deltas" });
  await expect(deltas.getByRole("row", { name: /^score / })).toContainText("worse");
  await expect(deltas.getByRole("row", { name: /^score / })).toContainText("95 % CI");
  await expect(compare.getByRole("list", { name: "Comparison gates" })).toContainText("failed: score >= baseline.score - 0.03");
  const disagreements = compare.getByRole("table", { name: "Disagreements" });
  await expect(disagreements.getByRole("row").nth(1)).toBeVisible();
  await compare.screenshot({ path: `${SHOTS}/experiment-compare.png` });

  // Comparing an experiment with itself is not offered; a record's run opens in the trace view.
  await compare.getByRole("combobox", { name: "Baseline" }).selectOption(v2);
  await expect(compare.getByRole("button", { name: "Compare" })).toBeDisabled();
  const first = disagreements.getByRole("button", { name: /^Open the candidate run of record \d+$/ }).first();
  await first.click();
  await expect(page.getByRole("application", { name: "Pipeline canvas" })).toBeVisible();
  await expect(runStatus(page)).toContainText(/Completed|Failed/);
  await page.screenshot({ path: `${SHOTS}/experiment-record-run.png` });
});
