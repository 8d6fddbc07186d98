import { type RunEvent, type Usage, isTerminal, loopMetrics, redactSecrets, redactString } from "@braid/engine";
import { type AttributeValue, type Attributes, type Context, type Span, SpanStatusCode, type Tracer, trace } from "@opentelemetry/api";
import {
  ATTR_GEN_AI_EVALUATION_SCORE_VALUE,
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_SYSTEM,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
} from "@opentelemetry/semantic-conventions/incubating";

/** What the run's log does not say about the run: where its pipeline is stored. */
export interface RunMeta {
  pipelineId?: string;
  pipelineVersion?: number;
  pipelineName?: string;
}

export interface SpanOptions {
  /** Prompts, inputs and outputs as attributes (BRAID_OTEL_CONTENT=1); always redacted. */
  content: boolean;
  /** The backend's provider and model from the backends file, for events that do not name them. */
  backend: (name: string) => { provider: string; model: string } | undefined;
}

type Attr = AttributeValue | undefined;

/**
 * The one place attributes pass through: drops empty values and redacts every string, so no
 * attribute (a name, an error message, a route reason, content) can carry a secret out.
 */
function clean(attrs: Record<string, Attr>): Attributes {
  const out: Attributes = {};
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined) continue;
    out[k] = typeof v === "string" ? redactString(v, k, []) : v;
  }
  return out;
}

/** Content as text: objects are redacted field by field first (an `apiKey` field), then by value. */
function text(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "string") return v;
  return JSON.stringify(redactSecrets(v).value);
}

const messages = (role: string, content: string | undefined): string | undefined =>
  content === undefined ? undefined : JSON.stringify([{ role, parts: [{ type: "text", content }] }]);

const usageAttrs = (u: Usage): Record<string, Attr> => ({
  "braid.usage.input_tokens": u.inputTokens,
  "braid.usage.output_tokens": u.outputTokens,
  "braid.usage.total_tokens": u.inputTokens + u.outputTokens,
  "braid.cost_usd": u.costUsd,
  "braid.usage.estimated": u.estimated,
});

function fail(span: Span, code: string, message: string): void {
  span.setAttributes(clean({ "error.type": code, "braid.error.code": code }));
  span.setStatus({ code: SpanStatusCode.ERROR, message: redactString(message, "error", []) });
}

interface NodeSpan {
  span: Span;
  backend?: string;
}

/**
 * Writes one run's trace from its complete event log, after the fact: each span takes its start
 * and end times from the events' `at`, so the engine knows nothing of tracing. The run span is a
 * child of `parent` (a caller's remote context, or the root); every node execution (`span` id:
 * attempts and loop passes apart) is a child of the run span.
 */
export function writeRunTrace(tracer: Tracer, events: RunEvent[], meta: RunMeta, parent: Context, opts: SpanOptions): void {
  const end = events.findLast(isTerminal);
  const first = events[0];
  if (!end || !first) return;
  const started = first.type === "run_started" ? first : undefined;
  const pipelineName = meta.pipelineName ?? started?.pipeline;
  const run = tracer.startSpan(
    redactString(`braid.run ${pipelineName ?? first.runId}`, "name", []),
    {
      startTime: first.at,
      attributes: clean({
        "braid.run.id": first.runId,
        "braid.pipeline.id": meta.pipelineId,
        "braid.pipeline.name": pipelineName,
        "braid.pipeline.version": meta.pipelineVersion,
        "braid.run.seed": started?.seed,
        "braid.run.parent_id": started?.parentRunId,
        "braid.run.from_node": started?.fromNode,
        "braid.run.input": opts.content ? text(started?.input) : undefined,
      }),
    },
    parent,
  );
  const runCtx = trace.setSpan(parent, run);
  const nodes = new Map<string, NodeSpan>();
  const nodeSpan = (e: Extract<RunEvent, { span: string }>): NodeSpan => {
    let n = nodes.get(e.span);
    if (!n) {
      // A node event without its node_started (a log cut short): the span starts at the first event seen.
      n = {
        span: tracer.startSpan(`braid.node ${e.nodeId}`, { startTime: e.at, attributes: clean({ "braid.node.id": e.nodeId, "braid.span": e.span }) }, runCtx),
      };
      nodes.set(e.span, n);
    }
    return n;
  };
  const llm = (n: NodeSpan, backend: string | undefined, model: string | undefined) => {
    if (!backend) return;
    const known = opts.backend(backend);
    n.span.setAttributes(
      clean({
        "braid.backend": backend,
        [ATTR_GEN_AI_OPERATION_NAME]: "chat",
        [ATTR_GEN_AI_SYSTEM]: known?.provider,
        [ATTR_GEN_AI_PROVIDER_NAME]: known?.provider,
        [ATTR_GEN_AI_REQUEST_MODEL]: model ?? known?.model,
      }),
    );
  };

  for (const e of events) {
    switch (e.type) {
      case "node_started": {
        const n = nodeSpan(e);
        n.span.setAttributes(
          clean({
            "braid.node.kind": e.kind,
            "braid.node.attempt": e.attempt,
            [ATTR_GEN_AI_SYSTEM_INSTRUCTIONS]: opts.content ? messages("system", e.system) : undefined,
            [ATTR_GEN_AI_INPUT_MESSAGES]: opts.content ? messages("user", e.prompt) : undefined,
          }),
        );
        n.backend = e.backend;
        llm(n, e.backend, undefined);
        break;
      }
      case "node_finished": {
        const n = nodeSpan(e);
        n.span.setAttributes(
          clean({
            "braid.node.status": "completed",
            "braid.node.branch": e.branch,
            "braid.node.reused": e.reused,
            "braid.node.duration_ms": e.durationMs,
            [ATTR_GEN_AI_OUTPUT_MESSAGES]: opts.content ? messages("assistant", text(e.output)) : undefined,
          }),
        );
        // A reused output made no call: it carries no GenAI usage, so trace backends do not count it.
        if (!e.reused) {
          llm(n, e.backend, e.model);
          if (e.backend) {
            n.span.setAttributes(
              clean({
                [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: e.usage.inputTokens,
                [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: e.usage.outputTokens,
                "braid.cost_usd": e.usage.costUsd,
                "braid.usage.estimated": e.usage.estimated,
              }),
            );
          }
        }
        n.span.end(e.at);
        nodes.delete(e.span);
        break;
      }
      case "node_failed": {
        const n = nodeSpan(e);
        n.span.setAttributes(clean({ "braid.node.status": "failed", "braid.node.duration_ms": e.durationMs }));
        fail(n.span, e.error.code, e.error.message);
        n.span.end(e.at);
        nodes.delete(e.span);
        break;
      }
      case "route_decided":
        nodeSpan(e).span.addEvent("route_decided", clean({ "braid.route.branch": e.branch, "braid.route.reason": e.reason }), e.at);
        break;
      case "loop_iteration": {
        const metrics = loopMetrics(e);
        const attrs: Record<string, Attr> = {
          "braid.loop.attempt": e.attempt,
          "braid.loop.max_attempts": e.maxAttempts,
          "braid.loop.branch": e.branch,
          "braid.loop.passed": e.passed,
          "braid.loop.summary": e.summary,
          [ATTR_GEN_AI_EVALUATION_SCORE_VALUE]: metrics.score,
        };
        for (const [k, v] of Object.entries(metrics)) attrs[`braid.loop.metric.${k}`] = v;
        nodeSpan(e).span.addEvent("loop_iteration", clean(attrs), e.at);
        break;
      }
      case "retry":
        nodeSpan(e).span.addEvent(
          "retry",
          clean({ "braid.backend": e.backend, "braid.retry.attempt": e.attempt, "braid.retry.delay_ms": e.delayMs, "error.message": e.error }),
          e.at,
        );
        break;
      case "fallback":
        nodeSpan(e).span.addEvent("fallback", clean({ "braid.fallback.from": e.from, "braid.fallback.to": e.to, "braid.fallback.reason": e.reason }), e.at);
        break;
      case "cache_hit":
        nodeSpan(e).span.addEvent("cache_hit", clean({ "braid.backend": e.backend }), e.at);
        break;
      case "breaker":
        nodeSpan(e).span.addEvent("breaker", clean({ "braid.backend": e.backend, "braid.breaker.from": e.from, "braid.breaker.to": e.to }), e.at);
        break;
      default:
        break;
    }
  }

  // Nodes still running when the run ended (cancelled, or the run failed around them).
  for (const n of nodes.values()) {
    n.span.setAttribute("braid.node.status", end.type === "run_cancelled" ? "cancelled" : "unfinished");
    n.span.end(end.at);
  }
  const status = end.type === "run_finished" ? "completed" : end.type === "run_failed" ? "failed" : "cancelled";
  run.setAttributes(
    clean({
      "braid.run.status": status,
      "braid.run.duration_ms": end.durationMs,
      ...usageAttrs(end.usage),
      "braid.run.output": opts.content && end.type === "run_finished" ? text(end.output) : undefined,
      "braid.run.cancel_reason": end.type === "run_cancelled" ? end.reason : undefined,
    }),
  );
  if (end.type === "run_failed") fail(run, end.error.code, end.error.message);
  run.end(end.at);
}
