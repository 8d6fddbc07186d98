import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { type APIRequestContext, type Locator, type Page, expect, test } from "@playwright/test";
import { handleFrom, inspector, node, openApp, startBlank } from "./helpers.js";
import { canvasNode, openSaved, runPanel, runStatus, runSummary, trpc } from "./trace-helpers.js";

/** Screenshots for a person to look at (the waiting node with its review form, the list). */
const SHOTS = process.env.BRAID_E2E_SHOTS ?? `${tmpdir()}/braid-e2e-shots`;

/** input → draft → review (approval, editable); approved → publish, rejected → redo; both → out ({{review}}). */
function reviewedDoc(name: string): Record<string, unknown> {
  const gen = (id: string, label: string, prompt: string, y: number, x = 0, shape?: Record<string, string>) => ({
    id,
    kind: "generate",
    label,
    position: { x, y },
    config: { backend: "generator", prompt, ...(shape ? { shape } : {}) },
  });
  return {
    format: "braid/pipeline@1",
    name,
    input: { example: { topic: "mice" } },
    nodes: [
      { id: "in", kind: "input", position: { x: 0, y: 0 } },
      gen("draft", "Draft", "Write a title about {{input.topic}}", 140, 0, { title: "string" }),
      {
        id: "review",
        kind: "approval",
        label: "Editor review",
        position: { x: 0, y: 300 },
        config: { message: "Publish the draft about {{input.topic}}?", reviews: "draft", allowEdit: true },
      },
      gen("publish", "Publish", "Publish {{review.value.title}}", 480, -160),
      gen("redo", "Redo", "Start again on {{input.topic}}", 480, 160),
      { id: "out", kind: "output", position: { x: 0, y: 640 }, config: { value: "{{review}}" } },
    ],
    edges: [
      { from: "in", to: "draft" },
      { from: "draft", to: "review" },
      { from: "review", to: "publish", branch: "approved" },
      { from: "review", to: "redo", branch: "rejected" },
      { from: "publish", to: "out" },
      { from: "redo", to: "out" },
    ],
  };
}

async function saveReviewed(request: APIRequestContext, name: string): Promise<string> {
  return (await trpc<{ id: string }>(request, "pipelines.save", { pipeline: reviewedDoc(name) })).id;
}

/** Opens the saved pipeline, runs it, and waits until it pauses at the review: the review form shows in node details. */
async function runToReview(page: Page, request: APIRequestContext, name: string): Promise<Locator> {
  await saveReviewed(request, name);
  await openApp(page);
  await openSaved(page, name);
  await page.getByRole("button", { name: "▶ Run", exact: true }).click();
  await expect(runStatus(page)).toContainText("Waiting for review");
  await expect(canvasNode(page, "Approval", "Editor review")).toContainText("Waiting for review");
  const details = page.getByRole("complementary", { name: "Node details: review" });
  const form = details.getByRole("region", { name: "Waiting for review" });
  await expect(form).toContainText("Publish the draft about mice?");
  return form;
}

/** The nodes that ran, from the run panel's nodes table. */
async function ranNodes(page: Page): Promise<string[]> {
  const names = await runPanel(page)
    .getByRole("table", { name: "Nodes in this run" })
    .getByRole("button", { name: /^Show / })
    .allTextContents();
  return names.map((n) => n.trim());
}

const finalOutput = (page: Page) => runPanel(page).getByRole("region", { name: "Final output" });

test.beforeAll(() => mkdirSync(SHOTS, { recursive: true }));

test("Approve continues on the approved branch only, and the decision and reviewer show in replay", async ({ page, request }) => {
  const form = await runToReview(page, request, "Reviewed: approve");
  // The value under review is the draft's output, read-only until "Edit value".
  await expect(form.getByRole("textbox", { name: "Edited value (JSON)" })).toHaveCount(0);
  await expect(form).toContainText('"title"');
  // While waiting, another run may start and this one may be cancelled.
  await expect(page.getByRole("button", { name: "▶ Run", exact: true })).toBeEnabled();
  await expect(runPanel(page).getByRole("button", { name: "Cancel run" })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/waiting-node-review-form.png` });

  await form.getByRole("textbox", { name: "Reviewer (optional)" }).fill("Ann E2E");
  await form.getByRole("textbox", { name: "Comment (optional)" }).fill("looks right");
  await form.getByRole("button", { name: "Approve", exact: true }).click();
  await expect(runStatus(page)).toContainText("Completed");
  expect(await ranNodes(page)).toEqual(["in", "draft", "review", "publish", "out"]);
  await expect(finalOutput(page)).toContainText('"decision": "approved"');
  await expect(finalOutput(page)).toContainText('"reviewer": "Ann E2E"');
  await expect(canvasNode(page, "Approval", "Editor review")).toContainText("→ approved");
  await page.screenshot({ path: `${SHOTS}/approved-completed.png` });

  // Replay: node details of the approval span, and the step text of the resume.
  const details = page.getByRole("complementary", { name: "Node details: review" });
  const record = details.getByRole("region", { name: "Review", exact: true });
  await expect(record).toContainText("approved by Ann E2E: “looks right”");
  await expect(record).toContainText("Publish the draft about mice?");
  await expect(details.getByRole("region", { name: "Waiting for review" })).toHaveCount(0);
  // Stepping back through the replay reaches the resume, which names the decision and the reviewer.
  const position = page.getByRole("status", { name: "Replay position" });
  for (let i = 0; i < 40 && !((await position.textContent()) ?? "").includes("run resumed"); i++)
    await page.getByRole("button", { name: "Previous event" }).click();
  await expect(position).toContainText("run resumed at review: approved by Ann E2E");
  await page.screenshot({ path: `${SHOTS}/replay-decision.png` });
});

test("Edit value → Approve with edits sends the edited value downstream", async ({ page, request }) => {
  const form = await runToReview(page, request, "Reviewed: edit");
  await form.getByRole("button", { name: "Edit value" }).click();
  const value = form.getByRole("textbox", { name: "Edited value (JSON)" });
  await value.fill('{ "title": "Edited in the browser" }');
  await form.getByRole("button", { name: "Approve with edits" }).click();
  await expect(runStatus(page)).toContainText("Completed");
  expect(await ranNodes(page)).toEqual(["in", "draft", "review", "publish", "out"]);
  await expect(finalOutput(page)).toContainText('"title": "Edited in the browser"');
});

test("Reject takes the rejected branch; the node card's Review button reopens the form", async ({ page, request }) => {
  const form = await runToReview(page, request, "Reviewed: reject");
  await page.getByRole("button", { name: "Close node details" }).click();
  await expect(form).toHaveCount(0);
  await canvasNode(page, "Approval", "Editor review").getByRole("button", { name: "Review review" }).click();
  await form.getByRole("button", { name: "Reject", exact: true }).click();
  await expect(runStatus(page)).toContainText("Completed");
  expect(await ranNodes(page)).toEqual(["in", "draft", "review", "redo", "out"]);
  await expect(finalOutput(page)).toContainText('"decision": "rejected"');
});

test("an edited value that is not JSON is refused in the form, one the server refuses shows its message, and nothing typed is lost", async ({
  page,
  request,
}) => {
  const form = await runToReview(page, request, "Reviewed: bad edit");
  await form.getByRole("button", { name: "Edit value" }).click();
  const value = form.getByRole("textbox", { name: "Edited value (JSON)" });
  await value.fill('{ "title": oops');
  await form.getByRole("button", { name: "Approve with edits" }).click();
  await expect(form.getByRole("alert")).toContainText("Edited value: not valid JSON");
  await expect(value).toHaveAttribute("aria-invalid", "true");
  await expect(value).toHaveValue('{ "title": oops');
  await expect(runStatus(page)).toContainText("Waiting for review");

  // Valid JSON of the wrong shape: the server answers 400 E_REVIEW_INVALID naming the field.
  await value.fill('{ "title": 42 }');
  await form.getByRole("button", { name: "Approve with edits" }).click();
  await expect(form.getByRole("alert")).toContainText('value: does not match the output form of "draft"');
  await expect(value).toHaveAttribute("aria-invalid", "true");
  await expect(value).toHaveValue('{ "title": 42 }');
  await expect(runStatus(page)).toContainText("Waiting for review");

  await value.fill('{ "title": "Fixed" }');
  await form.getByRole("button", { name: "Approve with edits" }).click();
  await expect(runStatus(page)).toContainText("Completed");
  await expect(finalOutput(page)).toContainText('"title": "Fixed"');
});

test("a waiting run can be cancelled from the run panel", async ({ page, request }) => {
  await runToReview(page, request, "Reviewed: cancel");
  await runPanel(page).getByRole("button", { name: "Cancel run" }).click();
  await expect(runStatus(page)).toContainText("Cancelled");
  await expect(canvasNode(page, "Approval", "Editor review")).not.toContainText("Waiting for review");
});

test("the Waiting for review list shows runs waiting across pipelines; Approve there resumes one, a stale decision shows the 409", async ({
  page,
  request,
}) => {
  const name = "Reviewed: list";
  const pipelineId = await saveReviewed(request, name);
  const start = async () => (await trpc<{ runId: string }>(request, "runs.start", { pipelineId, input: { topic: "owls" } })).runId;
  const [first, second] = [await start(), await start()];
  await expect.poll(async () => (await runSummary(request, second)).status).toBe("waiting");
  await expect.poll(async () => (await runSummary(request, first)).status).toBe("waiting");

  await openApp(page);
  await page.getByRole("tab", { name: "Run", exact: false }).first().click();
  await page.getByRole("tab", { name: "Waiting for review" }).click();
  const list = page.getByRole("list", { name: "Runs waiting for review" });
  const rowOf = (runId: string) => list.getByRole("listitem").filter({ has: page.getByRole("button", { name: `Open run ${runId}` }) });
  await expect(rowOf(first)).toContainText("Publish the draft about owls?");
  await expect(rowOf(first)).toContainText(name);
  await expect(rowOf(second)).toBeVisible();
  await page.getByRole("textbox", { name: "Your name (sent with decisions)" }).fill("Lister");
  await page.screenshot({ path: `${SHOTS}/waiting-list.png` });

  await rowOf(first)
    .getByRole("button", { name: `Approve review of run ${first}` })
    .click();
  await expect(rowOf(first)).toHaveCount(0);
  await expect.poll(async () => (await runSummary(request, first)).status).toBe("completed");
  expect(JSON.stringify((await runSummary(request, first)).output)).toContain('"reviewer":"Lister"');

  // Decided elsewhere (the REST API) while the list still shows it: the 409 is shown on its row.
  const r = await request.post(`/api/runs/${second}/resume`, { data: { node: "review", decision: "rejected" } });
  expect(r.status()).toBe(202);
  await rowOf(second)
    .getByRole("button", { name: `Reject review of run ${second}` })
    .click();
  await expect(rowOf(second).getByRole("alert")).toContainText(/not waiting/i);
});

test("Open in the list shows that run, waiting, with its review form", async ({ page, request }) => {
  const pipelineId = await saveReviewed(request, "Reviewed: open");
  const { runId } = await trpc<{ runId: string }>(request, "runs.start", { pipelineId, input: { topic: "bats" } });
  await expect.poll(async () => (await runSummary(request, runId)).status).toBe("waiting");
  await openApp(page);
  await page.getByRole("tab", { name: "Run", exact: false }).first().click();
  await page.getByRole("tab", { name: "Waiting for review" }).click();
  await page.getByRole("button", { name: `Open run ${runId}` }).click();
  await expect(runStatus(page)).toContainText("Waiting for review");
  await expect(runStatus(page)).toContainText(runId);
  await runPanel(page).getByRole("button", { name: "Review review" }).click();
  const form = page.getByRole("complementary", { name: "Node details: review" }).getByRole("region", { name: "Waiting for review" });
  await expect(form).toContainText("Publish the draft about bats?");
  await form.getByRole("button", { name: "Approve", exact: true }).click();
  await expect(runStatus(page)).toContainText("Completed");
});

test("the Approval kind is in the palette, and its inspector has a message template, the reviewed node, allow edit and a timeout", async ({ page }) => {
  await openApp(page);
  await startBlank(page);
  await page.getByRole("button", { name: "Add Approval node" }).focus();
  await page.keyboard.press("Enter");
  await expect(node(page, "Approval", "approval1")).toBeVisible();
  const panel = inspector(page);
  await expect(panel.getByRole("heading", { name: "Approval node" })).toBeVisible();
  await expect(panel.getByRole("combobox", { name: "Message" })).toHaveValue("Please review this output.");
  // The optional fields sit behind "More settings", as for every kind with more than three.
  await panel.getByRole("button", { name: "More settings (3)" }).click();
  await expect(panel.getByRole("combobox", { name: "Reviews" })).toBeVisible();
  await expect(panel.getByRole("checkbox", { name: "Allow edit" })).not.toBeChecked();
  // A timeout adds the timeout branch to the node.
  await expect(handleFrom(page, "approval1", "timeout")).toHaveCount(0);
  await panel.getByRole("spinbutton", { name: "Timeout ms" }).fill("60000");
  await expect(handleFrom(page, "approval1", "timeout")).toHaveCount(1);
  await expect(node(page, "Approval", "approval1")).toContainText("timeout 1 min");
  await page.screenshot({ path: `${SHOTS}/approval-inspector.png` });
});
