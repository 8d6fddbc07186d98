import { type NodeKind, BraidError, emptyRefs } from "@braid/core";
import { z } from "zod";
import { NodeRef, Template } from "./shared.js";
import { summarise } from "./summary.js";

/** The decisions a person sends; `timeout` is taken by the server when nobody decided in time. */
const DECISIONS = ["approved", "rejected"];
/** One month: longer waits are almost surely a units mistake (the field is milliseconds). */
const MAX_TIMEOUT_MS = 30 * 24 * 3600 * 1000;

const Config = z.object({
  message: Template.min(1, "a message for the reviewer is required").describe("Shown to the reviewer; {{path}} inserts input or node outputs"),
  reviews: NodeRef.optional().describe("The node whose output is reviewed (default: the single upstream node)"),
  allowEdit: z.boolean().optional().describe("The reviewer may send an edited version of the reviewed output"),
  timeoutMs: z.number().int().min(1).max(MAX_TIMEOUT_MS).optional().describe("Milliseconds without a decision after which the node takes its timeout branch"),
});
type Config = z.infer<typeof Config>;

/**
 * Pauses the run until a person approves or rejects the reviewed node's output (optionally
 * editing it). Its output is `{ decision, value, reviewer?, comment?, decidedAt }`; downstream
 * nodes read the possibly edited output as `{{<this node>.value}}`.
 */
export const approvalKind: NodeKind<Config> = {
  kind: "approval",
  title: "Approval",
  description: "Pauses the run until a person approves, edits or rejects a node's output; no LLM call.",
  configSchema: Config,
  pauses: true,
  defaults: () => ({ message: "Please review this output." }),
  branches: (c) => (c.timeoutMs !== undefined ? [...DECISIONS, "timeout"] : [...DECISIONS]),
  summary: (c) => summarise(c, "message", [reviewsFact, editFact, timeoutFact]),
  refs(c) {
    const refs = emptyRefs();
    refs.templates.push({ field: "message", text: c.message });
    if (c.reviews) refs.nodes.push({ field: "reviews", id: c.reviews });
    return refs;
  },
  outputKeys: () => ["decision", "value", "reviewer", "comment", "decidedAt"],
  async execute(ctx) {
    const c = ctx.config;
    const id = ctx.node.id;
    if (!ctx.waitForReview)
      throw new BraidError("E_APPROVAL_UNSUPPORTED", `node "${id}": this run cannot pause for a review (batch runs, or a run without a checkpointer)`, {
        nodeId: id,
      });
    const reviews = c.reviews ?? (ctx.incoming.length === 1 ? ctx.incoming[0] : undefined);
    const reviewed = reviews !== undefined ? ctx.state[reviews] : undefined;
    const answer = ctx.waitForReview({
      message: await ctx.render(c.message),
      ...(reviews !== undefined ? { reviews } : {}),
      value: reviewed,
      allowEdit: c.allowEdit === true,
      decisions: DECISIONS,
      ...(c.timeoutMs !== undefined ? { timeoutMs: c.timeoutMs } : {}),
    });
    const allowed = approvalKind.branches?.(c) ?? DECISIONS;
    if (!allowed.includes(answer.decision)) {
      throw new BraidError("E_REVIEW_INVALID", `node "${id}": decision "${answer.decision}" is not one of ${allowed.join(", ")}`, { nodeId: id });
    }
    if (answer.value !== undefined && c.allowEdit !== true) {
      throw new BraidError("E_REVIEW_INVALID", `node "${id}": value: this node does not allow editing the reviewed output`, { nodeId: id });
    }
    const output: Record<string, unknown> = { decision: answer.decision, value: answer.value !== undefined ? answer.value : (reviewed ?? null) };
    if (answer.reviewer !== undefined) output.reviewer = answer.reviewer;
    if (answer.comment !== undefined) output.comment = answer.comment;
    output.decidedAt = answer.decidedAt;
    return { output, branch: answer.decision, reason: answer.reviewer ? `${answer.decision} by ${answer.reviewer}` : answer.decision };
  },
  // Mermaid's flag shape (`>text]`): subroutines stand for kinds the exporter does not know.
  diagram: { shape: "asymmetric", icon: "✋", colour: "#c2255c", style: "fill:#fff0f6,stroke:#c2255c,color:#4a0d26" },
  recognises: ["asymmetric"],
  fromDiagram: (d) => {
    const message = d.label ?? "Please review this output.";
    return { config: { message }, note: `${d.name}: ${d.how} with message ${JSON.stringify(message)}; connect its approved and rejected branches` };
  },
};

function reviewsFact(c: Record<string, unknown>): string | undefined {
  return typeof c.reviews === "string" && c.reviews !== "" ? `reviews ${c.reviews}` : undefined;
}

function editFact(c: Record<string, unknown>): string | undefined {
  return c.allowEdit === true ? "editable" : undefined;
}

function timeoutFact(c: Record<string, unknown>): string | undefined {
  if (typeof c.timeoutMs !== "number") return undefined;
  const ms = c.timeoutMs;
  return `timeout ${ms >= 3_600_000 ? `${+(ms / 3_600_000).toFixed(1)} h` : ms >= 60_000 ? `${+(ms / 60_000).toFixed(1)} min` : `${+(ms / 1000).toFixed(1)} s`}`;
}
