import { type Pipeline, RUN_STATUSES, type ReusePlan, diffPipelines, lint, parsePipeline, planReuse, planSingleNode, resolveInput } from "@braid/engine";
import { TRPCError, tracked } from "@trpc/server";
import { z } from "zod";
import { PROVIDERS, generateProject } from "../codegen/index.js";
import { waitingReviews } from "../runs/approvals.js";
import { NotWaitingError } from "../runs/manager.js";
import type { Services } from "../services.js";
import type { RunOptionsRecord, RunRecord } from "../store/runs.js";
import { backendsRouter } from "./backends.js";
import { batchesRouter } from "./batches.js";
import { deploymentsRouter } from "./deployments.js";
import { datasetsRouter, experimentsRouter } from "./experiments.js";
import { notFound, procedure, router } from "./init.js";

const Id = z.string().min(1).max(200);
/** The largest run seed; the REST route's `?seed=` uses the same schema. */
export const MAX_SEED = 2 ** 31 - 1;
export const SeedSchema = z.number().int().min(0).max(MAX_SEED);
const RunStatusSchema = z.enum(RUN_STATUSES);

/** Parses a pipeline from a tRPC input with the engine's own parser, so messages match the CLI's. */
const PipelineInput = z.unknown().transform((v, ctx) => {
  const r = parsePipeline(v);
  if (!r.ok) {
    for (const d of r.diagnostics) ctx.addIssue({ code: "custom", message: d.message, path: d.path ? d.path.split(/[.[\]]+/).filter(Boolean) : [] });
    return z.NEVER;
  }
  return r.pipeline;
});

const pipelines = router({
  list: procedure
    .input(z.object({ query: z.string().max(200).optional(), deleted: z.boolean().optional() }).optional())
    .query(async ({ ctx, input }) => ctx.services.pipelines.list(input ?? {})),
  get: procedure.input(z.object({ id: Id, version: z.number().int().positive().optional() })).query(async ({ ctx, input }) => {
    const p = await ctx.services.pipelines.get(input.id, input.version);
    if (!p) throw notFound(`pipeline "${input.id}"${input.version ? ` version ${input.version}` : ""}`);
    return p;
  }),
  save: procedure.input(z.object({ id: Id.optional(), pipeline: PipelineInput, message: z.string().max(500).optional() })).mutation(async ({ ctx, input }) => {
    return ctx.services.pipelines.save(input.pipeline, { ...(input.id ? { id: input.id } : {}), ...(input.message ? { message: input.message } : {}) });
  }),
  delete: procedure.input(z.object({ id: Id })).mutation(async ({ ctx, input }) => {
    if (!(await ctx.services.pipelines.delete(input.id))) throw notFound(`pipeline "${input.id}"`);
    return { deleted: input.id };
  }),
  /** Out of the bin: a deleted pipeline comes back with its versions and runs. */
  undelete: procedure.input(z.object({ id: Id })).mutation(async ({ ctx, input }) => {
    if (!(await ctx.services.pipelines.undelete(input.id))) throw notFound(`deleted pipeline "${input.id}"`);
    return { restored: input.id };
  }),
  rename: procedure.input(z.object({ id: Id, name: z.string().trim().min(1).max(200) })).mutation(async ({ ctx, input }) => {
    const r = await ctx.services.pipelines.rename(input.id, input.name);
    if (!r) throw notFound(`pipeline "${input.id}"`);
    return r;
  }),
  duplicate: procedure.input(z.object({ id: Id, name: z.string().trim().min(1).max(200).optional() })).mutation(async ({ ctx, input }) => {
    const r = await ctx.services.pipelines.duplicate(input.id, input.name);
    if (!r) throw notFound(`pipeline "${input.id}"`);
    return r;
  }),
  /** What changed between two versions: nodes, config keys, edges and document fields. */
  diff: procedure.input(z.object({ id: Id, from: z.number().int().positive(), to: z.number().int().positive() })).query(async ({ ctx, input }) => {
    const a = await ctx.services.pipelines.get(input.id, input.from);
    const b = await ctx.services.pipelines.get(input.id, input.to);
    if (!a || !b) throw notFound(`pipeline "${input.id}" version ${a ? input.to : input.from}`);
    return diffPipelines(a.pipeline, b.pipeline);
  }),
  versions: procedure.input(z.object({ id: Id })).query(async ({ ctx, input }) => {
    if (!(await ctx.services.pipelines.get(input.id))) throw notFound(`pipeline "${input.id}"`);
    return ctx.services.pipelines.versions(input.id);
  }),
  restore: procedure.input(z.object({ id: Id, version: z.number().int().positive() })).mutation(async ({ ctx, input }) => {
    const r = await ctx.services.pipelines.restore(input.id, input.version);
    if (!r) throw notFound(`pipeline "${input.id}" version ${input.version}`);
    return r;
  }),
  validate: procedure.input(z.object({ pipeline: z.unknown() })).query(async ({ ctx, input }) => {
    const parsed = parsePipeline(input.pipeline);
    if (!parsed.ok) return { valid: false, diagnostics: parsed.diagnostics };
    const diagnostics = lint(parsed.pipeline, { registry: ctx.services.registry, backends: ctx.services.pool.availability() });
    return { valid: !diagnostics.some((d) => d.severity === "error"), diagnostics };
  }),
  /** Code export: the pipeline as a standalone LangGraph.js project, as files (for a zip or the clipboard). */
  codegen: procedure
    .input(z.object({ pipeline: PipelineInput, providers: z.array(z.enum(PROVIDERS)).max(PROVIDERS.length).optional() }))
    .query(async ({ ctx, input }) => ({
      files: generateProject(input.pipeline, { registry: ctx.services.registry, ...(input.providers?.length ? { providers: input.providers } : {}) }),
    })),
});

const templates = router({
  list: procedure.query(({ ctx }) => ctx.services.templates.map(({ id, name, description }) => ({ id, name, description }))),
  get: procedure.input(z.object({ id: Id })).query(async ({ ctx, input }) => {
    const t = ctx.services.templates.find((x) => x.id === input.id);
    if (!t) throw notFound(`template "${input.id}"`);
    return t;
  }),
});

/** Backends: list, stats, save, remove, setEnabled, test, reload (see ./backends.ts). */
const backends = backendsRouter;

const StartInput = z
  .object({
    pipelineId: Id.optional(),
    version: z.number().int().positive().optional(),
    pipeline: PipelineInput.optional(),
    input: z.unknown().optional(),
    seed: SeedSchema.optional(),
    backend: z.string().min(1).optional(),
    budget: z
      .object({
        maxTokens: z.number().int().positive().optional(),
        maxCostUsd: z.number().positive().optional(),
        maxDurationMs: z.number().int().positive().optional(),
      })
      .optional(),
  })
  .refine((v) => v.pipelineId !== undefined || v.pipeline !== undefined, { message: "give pipelineId or pipeline", path: ["pipelineId"] });

const runs = router({
  start: procedure.input(StartInput).mutation(async ({ ctx, input }) => {
    const s = ctx.services;
    let pipeline = input.pipeline;
    let version: number | undefined;
    if (!pipeline) {
      const saved = await s.pipelines.get(input.pipelineId as string, input.version);
      if (!saved) throw notFound(`pipeline "${input.pipelineId}"`);
      pipeline = saved.pipeline;
      version = saved.version;
    }
    if (input.backend && !s.pool.names().has(input.backend)) throw new TRPCError({ code: "BAD_REQUEST", message: `no backend named "${input.backend}"` });
    const run = await s.manager.submit({
      pipeline,
      ...(input.pipelineId ? { pipelineId: input.pipelineId } : {}),
      ...(version !== undefined ? { pipelineVersion: version } : {}),
      input: input.input,
      ...(input.seed !== undefined ? { seed: input.seed } : {}),
      options: { ...(input.backend ? { backendOverride: input.backend } : {}), ...(input.budget ? { budget: input.budget } : {}) },
    });
    return { runId: run.id, status: run.status };
  }),
  /** Re-runs from a node: that node and everything downstream execute; upstream outputs come from the parent run. */
  rerun: procedure
    .input(z.object({ runId: Id, fromNode: Id, pipeline: PipelineInput.optional(), input: z.unknown().optional() }))
    .mutation(async ({ ctx, input }) => {
      const parent = await ctx.services.runs.get(input.runId);
      if (!parent) throw notFound(`run "${input.runId}"`);
      const pipeline = input.pipeline ?? parent.pipeline;
      if (!pipeline.nodes.some((n) => n.id === input.fromNode))
        throw new TRPCError({ code: "BAD_REQUEST", message: `node "${input.fromNode}" is not in the pipeline` });
      const plan = planReuse(pipeline, await ctx.services.runs.events(parent.id), { fromNode: input.fromNode });
      return startChild(ctx.services, parent, pipeline, input.pipeline !== undefined, {
        input: input.input ?? parent.input,
        fromNode: input.fromNode,
        plan,
        options: {},
      });
    }),
  /**
   * Runs one node alone ("Run this node"): on the pipeline's example input (`fromRun` unset), or on the
   * upstream outputs a past run recorded. A stored run marked `options.onlyNode`, linked to its source run.
   */
  runNode: procedure
    .input(
      z.object({
        nodeId: Id,
        pipelineId: Id.optional(),
        version: z.number().int().positive().optional(),
        pipeline: PipelineInput.optional(),
        fromRun: Id.optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const s = ctx.services;
      const source = input.fromRun ? await s.runs.get(input.fromRun) : undefined;
      if (input.fromRun && !source) throw notFound(`run "${input.fromRun}"`);
      let pipeline = input.pipeline;
      let version: number | undefined;
      if (!pipeline && input.pipelineId) {
        const saved = await s.pipelines.get(input.pipelineId, input.version);
        if (!saved) throw notFound(`pipeline "${input.pipelineId}"`);
        pipeline = saved.pipeline;
        version = saved.version;
      }
      pipeline ??= source?.pipeline;
      if (!pipeline) throw new TRPCError({ code: "BAD_REQUEST", message: "give pipelineId, pipeline or fromRun" });
      const runInput = source ? source.input : resolveInput(pipeline, undefined);
      // Checked here so that a node the source cannot feed is refused (400, naming the missing nodes) before anything is stored.
      planSingleNode(pipeline, s.registry, input.nodeId, { input: runInput, ...(source ? { events: await s.runs.events(source.id) } : {}) });
      const pipelineId = input.pipelineId ?? source?.pipelineId;
      const run = await s.manager.submit({
        pipeline,
        ...(pipelineId ? { pipelineId } : {}),
        ...(version !== undefined ? { pipelineVersion: version } : {}),
        input: runInput,
        seed: source?.seed ?? 1,
        options: { onlyNode: input.nodeId, ...(source ? { reuseFromRun: source.id } : {}) },
        ...(source ? { parentRunId: source.id } : {}),
      });
      return { runId: run.id, status: run.status };
    }),
  /** Forks at a step: what had finished by `atSeq` is reused (with the edited state), the rest runs. */
  fork: procedure.input(z.object({ runId: Id, atSeq: z.number().int().min(0), state: z.record(z.string(), z.unknown()) })).mutation(async ({ ctx, input }) => {
    const parent = await ctx.services.runs.get(input.runId);
    if (!parent) throw notFound(`run "${input.runId}"`);
    const { input: editedInput, ...nodeState } = input.state;
    const plan = planReuse(parent.pipeline, await ctx.services.runs.events(parent.id), { uptoSeq: input.atSeq, state: nodeState });
    return startChild(ctx.services, parent, parent.pipeline, false, {
      input: editedInput ?? parent.input,
      plan,
      options: { forkAtSeq: input.atSeq, forkState: nodeState },
    });
  }),
  cancel: procedure.input(z.object({ runId: Id })).mutation(async ({ ctx, input }) => {
    if (!(await ctx.services.runs.get(input.runId))) throw notFound(`run "${input.runId}"`);
    return { cancelled: await ctx.services.manager.cancel(input.runId) };
  }),
  /** A reviewer's decision for a run waiting at an approval node (REST: POST /api/runs/:id/resume). */
  resume: procedure
    .input(
      z.object({
        runId: Id,
        node: Id,
        decision: z.string().min(1).max(100),
        value: z.unknown().optional(),
        reviewer: z.string().max(2000).optional(),
        comment: z.string().max(2000).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      if (!(await ctx.services.runs.get(input.runId))) throw notFound(`run "${input.runId}"`);
      const { runId, ...decision } = input;
      try {
        const run = await ctx.services.manager.resume(runId, decision);
        return { runId, status: run.status };
      } catch (err) {
        if (err instanceof NotWaitingError) throw new TRPCError({ code: "CONFLICT", message: err.message, cause: err });
        throw err;
      }
    }),
  /** Runs waiting for a review across pipelines ("Waiting for review"). */
  waiting: procedure
    .input(z.object({ pipelineId: Id.optional(), limit: z.number().int().min(1).max(1000).optional() }).optional())
    .query(async ({ ctx, input }) => waitingReviews(ctx.services.runs, input ?? {})),
  list: procedure
    .input(z.object({ pipelineId: Id.optional(), status: RunStatusSchema.optional(), limit: z.number().int().min(1).max(1000).optional() }).optional())
    .query(async ({ ctx, input }) => ctx.services.runs.list(input ?? {})),
  get: procedure.input(z.object({ runId: Id })).query(async ({ ctx, input }) => {
    const run = await ctx.services.runs.get(input.runId);
    if (!run) throw notFound(`run "${input.runId}"`);
    return run;
  }),
  /** The stored events of a run so far (replay and compare of runs that may still be going). */
  eventsList: procedure.input(z.object({ runId: Id, afterSeq: z.number().int().min(0).optional() })).query(async ({ ctx, input }) => {
    if (!(await ctx.services.runs.get(input.runId))) throw notFound(`run "${input.runId}"`);
    return await ctx.services.runs.events(input.runId, input.afterSeq ?? 0);
  }),
  /** Stored events, then live ones. Reconnecting clients resume after `lastEventId` with no gap and no duplicate. */
  events: procedure.input(z.object({ runId: Id, lastEventId: z.string().nullish() })).subscription(async function* ({ ctx, input, signal }) {
    if (!(await ctx.services.runs.get(input.runId))) throw notFound(`run "${input.runId}"`);
    const after = input.lastEventId ? Number(input.lastEventId) : 0;
    if (!Number.isInteger(after) || after < 0) throw new TRPCError({ code: "BAD_REQUEST", message: "lastEventId must be a sequence number" });
    for await (const e of ctx.services.hub.follow(ctx.services.runs, input.runId, after, signal)) {
      yield tracked(String(e.seq), { seq: e.seq, event: e.event });
    }
  }),
});

async function startChild(
  s: Services,
  parent: RunRecord,
  pipeline: Pipeline,
  edited: boolean,
  child: { input: unknown; fromNode?: string; plan: ReusePlan; options: RunOptionsRecord },
) {
  const run = await s.manager.submit({
    pipeline,
    ...(parent.pipelineId ? { pipelineId: parent.pipelineId } : {}),
    ...(parent.pipelineVersion !== undefined && !edited ? { pipelineVersion: parent.pipelineVersion } : {}),
    input: child.input,
    seed: parent.seed,
    options: { ...parent.options, ...child.options, reuseFromRun: parent.id },
    parentRunId: parent.id,
    ...(child.fromNode ? { fromNode: child.fromNode } : {}),
    reuse: child.plan.reuse,
  });
  return {
    runId: run.id,
    status: run.status,
    reused: [...child.plan.reuse.keys()],
    rerun: child.plan.rerun,
    savedUsd: child.plan.savedUsd,
    savedTokens: child.plan.savedTokens,
  };
}

export const appRouter = router({
  pipelines,
  templates,
  backends,
  runs,
  batches: batchesRouter,
  datasets: datasetsRouter,
  experiments: experimentsRouter,
  deployments: deploymentsRouter,
});
export type AppRouter = typeof appRouter;
