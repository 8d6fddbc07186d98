/**
 * Datasets and experiments over tRPC, on the same stores and ExperimentManager as the REST routes
 * (http/experiments.ts). Input schemas live here and are shared with REST, so both name a bad
 * field the same way.
 */
import { BraidError } from "@braid/engine";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { DEFAULT_PREVIEW, MAX_PREVIEW, RunNotFoundError, addRunRecord, parseUpload } from "../eval/datasets.js";
import { compareTwo, experimentView, runGates } from "../eval/experiment-checks.js";
import { type ExperimentEvent, ExperimentNotFoundError, MAX_EXPERIMENT_CONCURRENCY } from "../eval/experiments.js";
import type { Services } from "../services.js";
import { DatasetInUseError, type DatasetSummary } from "../store/datasets.js";
import { subscription } from "../http/sse.js";
import { notFound, procedure, router } from "./init.js";

const Id = z.string().min(1).max(200);
const Version = z.number().int().positive();
/** As runs' seeds (router.ts's SeedSchema, not imported: router.ts imports this file). */
const SeedSchema = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1);

export const CreateExperimentSchema = z.strictObject({
  pipelineId: Id,
  pipelineVersion: Version.optional(),
  datasetId: Id,
  datasetVersion: Version.optional(),
  evaluators: z.unknown().optional(),
  useEvaluationSection: z.boolean().optional(),
  concurrency: z.number().int().min(1).max(MAX_EXPERIMENT_CONCURRENCY).optional(),
  seed: SeedSchema.optional(),
  backend: z.string().min(1).max(200).optional(),
  name: z.string().trim().min(1).max(200).optional(),
});
export const GatesSchema = z.strictObject({ gates: z.unknown(), baseline: Id.optional() });
export const AddRunSchema = z.strictObject({ runId: Id });
export const DatasetName = z.string().trim().min(1).max(200);

/** A dataset version as clients see it: the summary, its versions, and a preview of the first records. */
export async function datasetDetail(s: Services, id: string, version: number | undefined, preview = DEFAULT_PREVIEW) {
  const v = await s.datasets.get(id, version);
  if (!v) return undefined;
  const { data, ...info } = v;
  const summary = (await s.datasets.summary(id)) as DatasetSummary;
  return { ...summary, current: info, versions: await s.datasets.versions(id), preview: data.slice(0, preview) };
}

/** A completed experiment with an optional baseline, or the reason not. */
export async function gatesFor(s: Services, id: string, gates: unknown, baselineId?: string) {
  const e = await s.experiments.get(id);
  if (!e) throw new ExperimentNotFoundError(`experiment "${id}" not found`);
  const b = baselineId === undefined ? undefined : await s.experiments.get(baselineId);
  if (baselineId !== undefined && !b) throw new ExperimentNotFoundError(`baseline experiment "${baselineId}" not found`);
  const results = runGates(gates, e, b);
  return { experiment: id, ...(b ? { baseline: b.id } : {}), passed: results.every((g) => g.passed), gates: results };
}

export async function compareFor(s: Services, aId: string, bId: string, opts: { gates?: string[]; limit?: number } = {}) {
  const a = await s.experiments.get(aId);
  const b = await s.experiments.get(bId);
  if (!a || !b) throw new ExperimentNotFoundError(`experiment "${a ? bId : aId}" not found`);
  const inputs = (await s.datasets.get(a.datasetId, a.datasetVersion))?.data.map((r) => r.input) ?? [];
  const rows = { a: await s.experiments.rows(aId), b: await s.experiments.rows(bId) };
  return compareTwo(a, b, rows, inputs, s.pool, opts);
}

/** Domain errors of this module to tRPC codes (the Braid code stays in data.braidCode). */
async function trpc<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw mapError(err);
  }
}
function mapError(err: unknown): unknown {
  if (err instanceof ExperimentNotFoundError || err instanceof RunNotFoundError) return new TRPCError({ code: "NOT_FOUND", message: err.message });
  if (err instanceof DatasetInUseError)
    return new TRPCError({ code: "CONFLICT", message: err.message, cause: new BraidError("E_DATASET_IN_USE", err.message) });
  if (err instanceof BraidError && err.code === "E_EXPERIMENT_STATE") return new TRPCError({ code: "CONFLICT", message: err.message, cause: err });
  if (err instanceof BraidError && err.code === "E_DATASET_TOO_LARGE") return new TRPCError({ code: "PAYLOAD_TOO_LARGE", message: err.message, cause: err });
  return err;
}

export const datasetsRouter = router({
  list: procedure.query(({ ctx }) => ctx.services.datasets.list()),
  get: procedure
    .input(z.object({ id: Id, version: Version.optional(), preview: z.number().int().min(0).max(MAX_PREVIEW).optional() }))
    .query(async ({ ctx, input }) => {
      const d = await datasetDetail(ctx.services, input.id, input.version, input.preview);
      if (!d) throw notFound(`dataset "${input.id}"${input.version ? ` version ${input.version}` : ""}`);
      return d;
    }),
  /** A new dataset, or (with `id`) a new version of one; `created: false` when the content equals the current version. */
  create: procedure
    .input(z.strictObject({ id: Id.optional(), name: DatasetName.optional(), format: z.enum(["jsonl", "csv"]), text: z.string() }))
    .mutation(({ ctx, input }) =>
      trpc(async () => {
        const s = ctx.services;
        if (input.id !== undefined) {
          if (!(await s.datasets.summary(input.id))) throw notFound(`dataset "${input.id}"`);
          const r = await s.datasets.addVersion(input.id, input.format, parseUpload(input.text, input.format));
          if (!r) throw notFound(`dataset "${input.id}"`);
          return { ...r.summary, created: r.created };
        }
        if (!input.name) throw new TRPCError({ code: "BAD_REQUEST", message: "name: a new dataset needs a name" });
        return { ...(await s.datasets.create(input.name, input.format, parseUpload(input.text, input.format))), created: true };
      }),
    ),
  /** "Add this run's input and output to a dataset as expected": a new version with the record appended. */
  addRun: procedure.input(z.strictObject({ datasetId: Id, runId: Id })).mutation(({ ctx, input }) =>
    trpc(async () => {
      const r = await addRunRecord(ctx.services.datasets, ctx.services.runs, input.datasetId, input.runId);
      if (!r) throw notFound(`dataset "${input.datasetId}"`);
      return { ...r.summary, created: r.created };
    }),
  ),
  delete: procedure.input(z.object({ id: Id })).mutation(({ ctx, input }) =>
    trpc(async () => {
      if (!(await ctx.services.datasets.delete(input.id))) throw notFound(`dataset "${input.id}"`);
      return { deleted: input.id };
    }),
  ),
});

export const experimentsRouter = router({
  list: procedure
    .input(z.object({ limit: z.number().int().min(1).max(1000).optional() }).optional())
    .query(async ({ ctx, input }) => (await ctx.services.experiments.list(input?.limit ?? 100)).map(experimentView)),
  get: procedure.input(z.object({ id: Id })).query(async ({ ctx, input }) => {
    const e = await ctx.services.experiments.get(input.id);
    if (!e) throw notFound(`experiment "${input.id}"`);
    return experimentView(e);
  }),
  /** Per record: its run id (open it in the trace view) and, once evaluated, every evaluator's verdict. */
  records: procedure.input(z.object({ id: Id })).query(async ({ ctx, input }) => {
    if (!(await ctx.services.experiments.get(input.id))) throw notFound(`experiment "${input.id}"`);
    return ctx.services.experiments.rows(input.id);
  }),
  create: procedure.input(CreateExperimentSchema).mutation(({ ctx, input }) => trpc(async () => experimentView(await ctx.services.experiments.create(input)))),
  cancel: procedure.input(z.object({ id: Id })).mutation(async ({ ctx, input }) => {
    if (!(await ctx.services.experiments.get(input.id))) throw notFound(`experiment "${input.id}"`);
    return { id: input.id, cancelled: await ctx.services.experiments.cancel(input.id) };
  }),
  resume: procedure.input(z.object({ id: Id })).mutation(({ ctx, input }) => trpc(async () => experimentView(await ctx.services.experiments.resume(input.id)))),
  compare: procedure
    .input(z.object({ a: Id, b: Id, gates: z.array(z.string().max(500)).max(50).optional(), limit: z.number().int().min(0).max(1000).optional() }))
    .query(({ ctx, input }) =>
      trpc(() =>
        compareFor(ctx.services, input.a, input.b, {
          ...(input.gates ? { gates: input.gates } : {}),
          ...(input.limit !== undefined ? { limit: input.limit } : {}),
        }),
      ),
    ),
  gates: procedure
    .input(GatesSchema.extend({ id: Id }))
    .mutation(({ ctx, input }) => trpc(() => gatesFor(ctx.services, input.id, input.gates, input.baseline))),
  /** The experiment as it is now, then one `progress` per evaluated record, then one `finished`; ends there. */
  progress: procedure.input(z.object({ id: Id })).subscription(async function* ({ ctx, input, signal }) {
    const m = ctx.services.experiments;
    if (!(await m.get(input.id))) throw notFound(`experiment "${input.id}"`);
    const finished = (e: ExperimentEvent) => e.type === "finished";
    const live = subscription<ExperimentEvent>((l) => m.subscribe(input.id, l), finished, signal ?? new AbortController().signal);
    const now = await m.get(input.id);
    if (!now) return live.close();
    const first: ExperimentEvent = { type: now.status === "running" ? "progress" : "finished", experiment: now };
    yield { type: first.type, experiment: experimentView(first.experiment) };
    if (finished(first)) return live.close();
    for await (const e of live) yield { type: e.type, experiment: experimentView(e.experiment) };
  }),
});
