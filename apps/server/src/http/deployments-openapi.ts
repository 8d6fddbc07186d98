import { AUDIT_ACTIONS } from "../store/audit.js";
import { z } from "zod";
import { LIVE_METRICS, PolicySchema } from "../optimizer/policy.js";

/** The policy body as JSON Schema (input side: fields with defaults are optional), gates described with their metrics. */
function policySchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(PolicySchema, { io: "input", unrepresentable: "any" }) as { properties: Record<string, Record<string, unknown>> };
  const { $schema: _, ...rest } = schema as unknown as Record<string, unknown>;
  schema.properties.gates = {
    ...schema.properties.gates,
    description: `gate language over ${LIVE_METRICS.join(", ")} and passRate("<evaluator>"); live.<metric> reads the live version`,
    example: ["errorRate <= 0.05", "p95LatencyMs <= live.p95LatencyMs * 1.2", "score >= live.score - 0.05"],
  };
  return rest;
}

type Errors = (...codes: number[]) => Record<string, unknown>;

const coded = (description: string) => ({ description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } });
const pathParam = (name: string) => ({ name, in: "path", required: true, schema: { type: "string" } });
const id = pathParam("id");
const jsonBody = (properties: Record<string, unknown>, required: string[] = []) => ({
  content: { "application/json": { schema: { type: "object", ...(required.length ? { required } : {}), properties } } },
});
const reason = { reason: { type: "string", maxLength: 2000, description: "kept in the audit trail" } };
const tags = { description: "the pipeline's tags now: {live?, candidate?} (version numbers)" };
const versionMissing = coded("E_VERSION_NOT_FOUND (no such version) or E_NOT_FOUND (no such pipeline)");
const actionState = coded("E_ACTION_STATE: the action was already decided, or its version is no longer the candidate");
const windowParams = [
  { name: "windowRuns", in: "query", schema: { type: "integer", minimum: 1 }, description: "the last N runs (default BRAID_OPTIMIZER_WINDOW_RUNS)" },
  { name: "windowMs", in: "query", schema: { type: "integer", minimum: 1 }, description: "none older than this (default BRAID_OPTIMIZER_WINDOW_MS)" },
];
const metricsDescription = `{pipelineId, live, candidate?}; each: {version, ${LIVE_METRICS.join(", ")}, failed, critiqueRuns, window}`;

/** The deployment, optimizer and audit paths of the OpenAPI document. */
export function deploymentOpenApiPaths(errors: Errors): Record<string, unknown> {
  return {
    "/api/pipelines/{id}/deployment": {
      get: {
        summary: "Tags (live, candidate), the version REST traffic runs, the policy, and every version with its tags",
        parameters: [id],
        responses: { "200": { description: "{pipelineId, latest, live?, candidate?, liveVersion, policy, versions}" }, ...errors(401, 404) },
      },
    },
    "/api/pipelines/{id}/tags": {
      post: {
        summary: "Tag a version live or candidate (audited)",
        parameters: [id],
        requestBody: jsonBody({ tag: { enum: ["live", "candidate"] }, version: { type: "integer", minimum: 1 }, ...reason }, ["tag", "version"]),
        responses: { "200": tags, "404": versionMissing, ...errors(400, 401, 403, 415) },
      },
    },
    "/api/pipelines/{id}/tags/{tag}": {
      delete: {
        summary: "Remove a tag (audited); without a candidate all traffic goes to live",
        parameters: [id, pathParam("tag")],
        responses: { "200": tags, ...errors(400, 401, 403, 404) },
      },
    },
    "/api/pipelines/{id}/promote": {
      post: {
        summary: "Promote the candidate to live and clear the candidate tag (audited)",
        parameters: [id],
        requestBody: jsonBody(reason),
        responses: { "200": tags, "409": coded("E_NO_CANDIDATE: no version is tagged candidate"), ...errors(400, 401, 403, 404, 415) },
      },
    },
    "/api/pipelines/{id}/restore": {
      post: {
        summary: "Make an earlier version live again (audited)",
        parameters: [id],
        requestBody: jsonBody({ version: { type: "integer", minimum: 1 }, ...reason }, ["version"]),
        responses: { "200": tags, "404": versionMissing, ...errors(400, 401, 403, 415) },
      },
    },
    "/api/pipelines/{id}/policy": {
      get: {
        summary: "The deployment policy (defaults when none was set)",
        parameters: [id],
        responses: { "200": { description: "the policy" }, ...errors(401, 404) },
      },
      put: {
        summary: "Set the whole deployment policy (fields left out take their defaults; audited)",
        parameters: [id],
        requestBody: {
          content: {
            "application/json": {
              // From the schema the server parses with, so the document cannot drift from it.
              schema: policySchema(),
            },
          },
        },
        responses: { "200": { description: "the stored policy" }, "400": coded("E_POLICY: the message names the field"), ...errors(401, 403, 404, 415) },
      },
    },
    "/api/pipelines/{id}/metrics": {
      get: {
        summary: "Live metrics of the live and candidate versions over the rolling window",
        parameters: [id, ...windowParams],
        responses: { "200": { description: metricsDescription }, ...errors(400, 401, 404) },
      },
    },
    "/api/optimizer/status": {
      get: {
        summary: "Whether the optimizer acts (the kill switch), its interval, last cycle, pending approvals and pipelines with a policy",
        responses: { "200": { description: "{running, intervalMs, lastCycle?, nextCycleAt?, pendingActions, pipelines}" }, ...errors(401) },
      },
    },
    "/api/optimizer/trigger": {
      post: {
        summary: "Run one cycle now; answers with its record",
        responses: {
          "200": { description: "{id, at, trigger, stopped, pipelines: [{pipelineId, metrics, gates, decision, budget?, suggestion?}]}" },
          ...errors(401, 403),
        },
      },
    },
    "/api/optimizer/metrics": {
      get: {
        summary: "Live metrics of every pipeline with a policy (or ?pipelineId=)",
        parameters: [{ name: "pipelineId", in: "query", schema: { type: "string" } }, ...windowParams],
        responses: { "200": { description: `[${metricsDescription}]` }, ...errors(400, 401, 404) },
      },
    },
    "/api/optimizer/history": {
      get: {
        summary: "Cycle records, newest first: what each measured, decided and why",
        parameters: [{ name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 1000, default: 50 } }],
        responses: { "200": { description: "cycle records" }, ...errors(400, 401) },
      },
    },
    "/api/optimizer/quality-gates": {
      get: {
        summary: "The gates of every policy, named by their metric (errorRate, errorRate:2, …)",
        parameters: [{ name: "pipelineId", in: "query", schema: { type: "string" } }],
        responses: { "200": { description: "[{pipelineId, name, expr, metric?, cmp?, threshold?}]" }, ...errors(401) },
      },
    },
    "/api/optimizer/quality-gates/{name}": {
      post: {
        summary: "Change one gate's threshold (or its whole expression); audited as gate-change",
        parameters: [pathParam("name")],
        requestBody: jsonBody({ pipelineId: { type: "string" }, threshold: { type: "number" }, expr: { type: "string" }, ...reason }, ["pipelineId"]),
        responses: {
          "200": { description: "{pipelineId, name, before, after, gates}" },
          "400": coded("E_POLICY: no such gate, not a threshold gate, or the new gate is invalid"),
          ...errors(401, 403, 404, 415),
        },
      },
    },
    "/api/optimizer/start": {
      post: {
        summary: "Let automatic actions run again (audited)",
        requestBody: jsonBody(reason),
        responses: { "200": { description: "{running: true}" }, ...errors(401, 403, 415) },
      },
    },
    "/api/optimizer/stop": {
      post: {
        summary: "The kill switch: no automatic action runs (cycles still measure); REST traffic keeps flowing (audited)",
        requestBody: jsonBody(reason),
        responses: { "200": { description: "{running: false}" }, ...errors(401, 403, 415) },
      },
    },
    "/api/optimizer/pending": {
      get: {
        summary: "Actions waiting for a person (promotions, suggested versions), newest first",
        parameters: [
          { name: "pipelineId", in: "query", schema: { type: "string" } },
          { name: "status", in: "query", schema: { enum: ["pending", "approved", "rejected", "stale"] } },
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 1000 } },
        ],
        responses: {
          "200": {
            description:
              "[{id, pipelineId, kind: promote|suggestion, version, status, reason, evidence, createdAt, decidedAt?, decidedBy?}]; a suggestion's evidence names its experiments",
          },
          ...errors(400, 401),
        },
      },
    },
    "/api/optimizer/suggest": {
      post: {
        summary:
          "Ask for a suggestion now: cheaper-backend is proposed at once; prune (an ablation per removable node) and routing (complexity thresholds fitted on one experiment per branch) start a trial that later cycles read back",
        requestBody: jsonBody(
          {
            pipelineId: { type: "string" },
            type: { enum: ["cheaper-backend", "prune", "routing"] },
            datasetId: { type: "string", description: "default: the policy's" },
            route: { type: "string", description: "routing: the route node to fit (default: the first complexity route)" },
            maxScoreDrop: { type: "number", minimum: 0, maximum: 1, description: "routing: how far below live's score the fit may go (default 0)" },
          },
          ["pipelineId", "type"],
        ),
        responses: {
          "200": { description: "{type, trialId?, experiments?, actionId?, version?, skipped?}: skipped says why nothing started" },
          "400": coded("E_POLICY: no dataset to try it on; E_BAD_REQUEST: a bad field"),
          ...errors(401, 403, 404, 415),
        },
      },
    },
    "/api/optimizer/trials": {
      get: {
        summary: "Suggestion trials, newest first: the versions and experiments each started and what came of them",
        parameters: [
          { name: "pipelineId", in: "query", schema: { type: "string" } },
          { name: "status", in: "query", schema: { enum: ["measuring", "suggested", "nothing-found", "failed"] } },
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 1000 } },
        ],
        responses: {
          "200": { description: "[{id, pipelineId, type: prune|routing, status, liveVersion, spec, result?, createdAt, finishedAt?}]" },
          ...errors(400, 401),
        },
      },
    },
    "/api/optimizer/pending/{id}/approve": {
      post: {
        summary: "Approve: the candidate is promoted to live, or the suggested version is tagged candidate (audited)",
        parameters: [id],
        requestBody: jsonBody(reason),
        responses: { "200": { description: "the action, approved" }, "409": actionState, ...errors(400, 401, 403, 404, 415) },
      },
    },
    "/api/optimizer/pending/{id}/reject": {
      post: {
        summary: "Reject: the candidate stays a candidate and is not asked about again (audited)",
        parameters: [id],
        requestBody: jsonBody(reason),
        responses: { "200": { description: "the action, rejected" }, "409": actionState, ...errors(400, 401, 403, 404, 415) },
      },
    },
    "/api/audit": {
      get: {
        summary: "The append-only audit trail, newest first (JSONL: oldest first); there is no API to change it",
        parameters: [
          { name: "pipelineId", in: "query", schema: { type: "string" } },
          { name: "action", in: "query", schema: { enum: [...AUDIT_ACTIONS] } },
          { name: "afterId", in: "query", schema: { type: "integer", minimum: 0 } },
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1, default: 100 } },
          { name: "format", in: "query", schema: { enum: ["json", "jsonl"] } },
        ],
        responses: { "200": { description: "[{id, at, actor, action, pipelineId?, reason, evidence}] or application/x-ndjson" }, ...errors(400, 401) },
      },
    },
  };
}
