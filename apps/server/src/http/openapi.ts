import { RUN_STATUSES } from "@braid/engine";
import { BATCH_SCHEMA, batchOpenApiPaths } from "./batches.js";
import { deploymentOpenApiPaths } from "./deployments-openapi.js";
import { EXPERIMENT_SCHEMA, experimentOpenApiPaths } from "./experiments-openapi.js";

/** The REST API for applications, described for tools and humans. */
export function openApiDocument(): Record<string, unknown> {
  const error = { $ref: "#/components/schemas/Error" };
  const errors = (...codes: number[]) =>
    Object.fromEntries(codes.map((c) => [String(c), { description: ERRORS[c], content: { "application/json": { schema: error } } }]));
  const runId = { name: "id", in: "path", required: true, schema: { type: "string" } };
  return {
    openapi: "3.1.0",
    info: {
      title: "Braid API",
      version: "1",
      description: "Run saved Braid pipelines and follow their events. With BRAID_TOKEN set, send `Authorization: Bearer <token>`.",
    },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: {
        Error: {
          type: "object",
          required: ["error"],
          properties: {
            error: {
              type: "object",
              required: ["code", "message"],
              properties: { code: { type: "string" }, message: { type: "string" }, nodeId: { type: "string" }, diagnostics: { type: "array" } },
            },
          },
        },
        Usage: { type: "object", properties: { inputTokens: { type: "integer" }, outputTokens: { type: "integer" }, costUsd: { type: "number" } } },
        Batch: BATCH_SCHEMA,
        Experiment: EXPERIMENT_SCHEMA,
        Run: {
          type: "object",
          properties: {
            id: { type: "string" },
            status: { enum: [...RUN_STATUSES] },
            input: {},
            output: {},
            usage: { $ref: "#/components/schemas/Usage" },
            seed: { type: "integer" },
            pipelineId: { type: "string" },
            pipelineVersion: { type: "integer" },
            parentRunId: { type: "string" },
          },
        },
      },
    },
    security: [{ bearer: [] }],
    paths: {
      "/healthz": { get: { summary: "Liveness", security: [], responses: { "200": { description: "ok" } } } },
      "/api/pipelines": { get: { summary: "List saved pipelines", responses: { "200": { description: "pipelines" }, ...errors(401) } } },
      "/api/pipelines/{id}": {
        get: { summary: "Get a saved pipeline", parameters: [runId], responses: { "200": { description: "the pipeline document" }, ...errors(401, 404) } },
      },
      "/api/pipelines/{id}/runs": {
        post: {
          summary: "Start a run of a saved pipeline",
          parameters: [
            runId,
            { name: "wait", in: "query", schema: { type: "boolean" }, description: "true: answer when the run ends with {runId, status, output, usage}" },
            { name: "seed", in: "query", schema: { type: "integer", minimum: 0 } },
            {
              name: "version",
              in: "query",
              schema: { type: "integer", minimum: 1 },
              description: "run this version; without it the `live` version runs (the latest when untagged), or the `candidate` for the policy's canary share",
            },
            {
              name: "X-Braid-Split-Key",
              in: "header",
              schema: { type: "string" },
              description: "sticky canary split: one key always gets the same version (hashed into 100 buckets)",
            },
            {
              name: "X-Braid-Backend",
              in: "header",
              schema: { type: "string" },
              description: "run every LLM node on this backend (X-LLM-Backend is accepted too)",
            },
          ],
          requestBody: { description: "the run input (JSON); empty uses the pipeline's example input", content: { "application/json": { schema: {} } } },
          responses: {
            "200": {
              description: "with wait=true: the finished run",
              content: {
                "application/json": {
                  schema: {
                    type: "object",
                    properties: { runId: { type: "string" }, status: { type: "string" }, output: {}, usage: { $ref: "#/components/schemas/Usage" } },
                  },
                },
              },
            },
            "202": { description: "accepted: {runId}" },
            ...errors(400, 401, 403, 404, 413, 415, 429, 503),
          },
        },
      },
      "/api/runs/{id}": {
        get: {
          summary: "Get a run",
          parameters: [runId],
          responses: { "200": { description: "run", content: { "application/json": { schema: { $ref: "#/components/schemas/Run" } } } }, ...errors(401, 404) },
        },
      },
      "/api/runs/{id}/events": {
        get: {
          summary: "Server-sent events of a run: stored ones, then live ones; honours Last-Event-ID",
          parameters: [
            runId,
            { name: "Last-Event-ID", in: "header", schema: { type: "integer" } },
            { name: "lastEventId", in: "query", schema: { type: "integer" } },
          ],
          responses: { "200": { description: "text/event-stream; each event has id = sequence number and event = RunEvent type" }, ...errors(400, 401, 404) },
        },
      },
      "/api/runs/{id}/cancel": {
        post: {
          summary: "Cancel a run (a waiting one too)",
          parameters: [runId],
          responses: { "200": { description: "{runId, cancelled}" }, ...errors(401, 404) },
        },
      },
      "/api/runs": {
        get: {
          summary: "List runs, newest first",
          parameters: [
            { name: "status", in: "query", schema: { enum: [...RUN_STATUSES] }, description: "e.g. waiting: runs paused for a review" },
            { name: "pipelineId", in: "query", schema: { type: "string" } },
          ],
          responses: { "200": { description: "run summaries" }, ...errors(400, 401) },
        },
      },
      "/api/reviews": {
        get: {
          summary: "Runs waiting for a review, with the message, the value under review and the allowed decisions",
          responses: { "200": { description: "[{runId, nodeId, message, value, allowEdit, decisions, timeoutAt?, since}]" }, ...errors(401) },
        },
      },
      "/api/runs/{id}/resume": {
        post: {
          summary: "Resume a run waiting at an approval node with a decision; only the decided branch runs, nothing upstream runs again",
          parameters: [runId],
          requestBody: {
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  required: ["node", "decision"],
                  properties: {
                    node: { type: "string", description: "the node the run waits at" },
                    decision: { enum: ["approved", "rejected"] },
                    value: { description: "the edited output under review (only when the node allows editing)" },
                    reviewer: { type: "string" },
                    comment: { type: "string" },
                  },
                },
              },
            },
          },
          responses: {
            "202": { description: "{runId, status, events}" },
            "409": { description: "E_NOT_WAITING: the run is not waiting for a review", content: { "application/json": { schema: error } } },
            ...errors(400, 401, 404, 415),
          },
        },
      },
      ...batchOpenApiPaths(errors),
      ...experimentOpenApiPaths(errors),
      ...deploymentOpenApiPaths(errors),
      "/api/login": {
        post: {
          summary: "Exchange the token for an HttpOnly cookie (for browsers)",
          security: [],
          requestBody: { content: { "application/json": { schema: { type: "object", properties: { token: { type: "string" } } } } } },
          responses: { "200": { description: "cookie set" }, ...errors(401, 403, 415, 429) },
        },
      },
      "/api/backends": {
        get: {
          summary: "Backends with their configuration (no secrets), simulated flag, breaker state and stats over a window",
          parameters: [{ name: "window", in: "query", schema: { enum: ["5m", "1h", "all"] } }],
          responses: { "200": { description: "{window, at, backends, transitions}" }, ...errors(400, 401) },
        },
      },
      "/api/openapi.json": { get: { summary: "This document", responses: { "200": { description: "OpenAPI 3.1" } } } },
    },
  };
}

const ERRORS: Record<number, string> = {
  400: "malformed JSON, JSON nested deeper than BRAID_MAX_JSON_DEPTH, an invalid input or pipeline, or an unknown backend",
  401: "missing or wrong token",
  403: "a state-changing request from a page on another origin (Origin, Sec-Fetch-Site)",
  415: "a body that is not Content-Type: application/json",
  421: "a Host that is not this server (DNS rebinding); see BRAID_ALLOWED_HOSTS",
  404: "no such pipeline, version, run or action",
  413: "body larger than BRAID_BODY_LIMIT",
  409: "the batch is running, finished, or too many batches are running; no candidate to promote; an action already decided",
  429: "run queue full, or too many failed logins; see Retry-After",
  503: "server shutting down",
};
