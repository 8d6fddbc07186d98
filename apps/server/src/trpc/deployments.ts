/**
 * Deployments over tRPC: version tags, the policy, live metrics, the optimizer (status, trigger,
 * history, gates, the kill switch, approvals) and the audit trail. The same services as the REST
 * routes (http/deployments.ts), whose inputs are parsed with the schemas exported here.
 */
import { BraidError } from "@braid/engine";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { currentActor } from "../http/auth.js";
import { type Actor, NotFoundError } from "../optimizer/deployments.js";
import type { Services } from "../services.js";
import { AUDIT_ACTIONS, MAX_AUDIT_LIMIT } from "../store/audit.js";
import { TAGS } from "../store/deployments.js";
import { procedure, router } from "./init.js";

const Id = z.string().min(1).max(200);
const Version = z.number().int().positive();
const Reason = z.string().trim().min(1).max(2000).optional();

export const TagInput = z.strictObject({ tag: z.enum(TAGS), version: Version, reason: Reason });
export const UntagInput = z.strictObject({ tag: z.enum(TAGS), reason: Reason });
export const ReasonInput = z.strictObject({ reason: Reason });
export const RestoreInput = z.strictObject({ version: Version, reason: Reason });
export const GateChangeInput = z
  .strictObject({ pipelineId: Id, threshold: z.number().finite().optional(), expr: z.string().min(1).max(500).optional(), reason: Reason })
  .refine((v) => (v.threshold === undefined) !== (v.expr === undefined), { message: "give a threshold or an expr (one of them)", path: ["threshold"] });
export const WindowInput = z.strictObject({
  pipelineId: Id.optional(),
  windowRuns: z.number().int().min(1).max(100_000).optional(),
  windowMs: z.number().int().min(1).optional(),
});
export const PendingFilter = z.strictObject({
  pipelineId: Id.optional(),
  status: z.enum(["pending", "approved", "rejected", "stale"]).optional(),
  limit: z.number().int().min(1).max(1000).optional(),
});
export const SuggestInput = z.strictObject({
  pipelineId: Id,
  type: z.enum(["cheaper-backend", "prune", "routing"]),
  datasetId: Id.optional(),
  /** Learned routing: the route node to fit (default: the first complexity route). */
  route: z.string().min(1).max(200).optional(),
  /** Learned routing: how far below live's dataset score the fitted thresholds may go. */
  maxScoreDrop: z.number().min(0).max(1).optional(),
});
export const TrialFilter = z.strictObject({
  pipelineId: Id.optional(),
  status: z.enum(["measuring", "suggested", "nothing-found", "failed"]).optional(),
  limit: z.number().int().min(1).max(1000).optional(),
});
export const AuditFilterInput = z.strictObject({
  pipelineId: Id.optional(),
  action: z.enum(AUDIT_ACTIONS).optional(),
  afterId: z.number().int().min(0).optional(),
  limit: z.number().int().min(1).max(MAX_AUDIT_LIMIT).optional(),
});

/** A person acts as the name of the token the request carried (BRAID_TOKENS), or `local` when the server has none. */
export const person = (reason?: string): Actor => ({ actor: currentActor(), ...(reason ? { reason } : {}) });

/** Live metrics of one pipeline, or of every pipeline with a policy, over the configured window or the one asked for. */
export async function metricsFor(s: Services, input: z.infer<typeof WindowInput>) {
  const window = { runs: input.windowRuns ?? s.config.optimizerWindow.runs, ms: input.windowMs ?? s.config.optimizerWindow.ms };
  const ids = input.pipelineId ? [input.pipelineId] : await s.deployments.policyPipelines();
  return Promise.all(ids.map((id) => s.deployments.metrics(id, window)));
}

export const auditJsonl = async (s: Services, filter: z.infer<typeof AuditFilterInput>): Promise<string> =>
  (await s.audit.list({ ...filter, limit: filter.limit ?? MAX_AUDIT_LIMIT }))
    .reverse()
    .map((e) => `${JSON.stringify(e)}\n`)
    .join("");

const CONFLICT = new Set(["E_NO_CANDIDATE", "E_ACTION_STATE"]);

/** Not found and conflicts keep their meaning over tRPC (the Braid code stays in data.braidCode). */
async function mapped<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof NotFoundError) throw new TRPCError({ code: "NOT_FOUND", message: err.message });
    if (err instanceof BraidError && err.code === "E_VERSION_NOT_FOUND") throw new TRPCError({ code: "NOT_FOUND", message: err.message, cause: err });
    if (err instanceof BraidError && CONFLICT.has(err.code)) throw new TRPCError({ code: "CONFLICT", message: err.message, cause: err });
    throw err;
  }
}

const P = z.strictObject({ pipelineId: Id });

const optimizer = router({
  status: procedure.query(({ ctx }) => ctx.services.optimizer.status()),
  trigger: procedure.mutation(({ ctx }) => ctx.services.optimizer.cycle("manual")),
  metrics: procedure.input(WindowInput.optional()).query(({ ctx, input }) => mapped(() => metricsFor(ctx.services, input ?? {}))),
  history: procedure
    .input(z.strictObject({ limit: z.number().int().min(1).max(1000).optional() }).optional())
    .query(({ ctx, input }) => ctx.services.optimizer.history(input?.limit ?? 50)),
  gates: procedure.input(z.strictObject({ pipelineId: Id.optional() }).optional()).query(({ ctx, input }) => ctx.services.optimizer.gates(input?.pipelineId)),
  setGate: procedure
    .input(GateChangeInput.and(z.object({ name: z.string().min(1).max(200) })))
    .mutation(({ ctx, input }) =>
      mapped(() =>
        ctx.services.optimizer.setGate(
          input.pipelineId,
          input.name,
          { ...(input.threshold !== undefined ? { threshold: input.threshold } : {}), ...(input.expr !== undefined ? { expr: input.expr } : {}) },
          person(input.reason),
        ),
      ),
    ),
  start: procedure.input(ReasonInput.optional()).mutation(({ ctx, input }) => ctx.services.optimizer.start(person(input?.reason))),
  stop: procedure.input(ReasonInput.optional()).mutation(({ ctx, input }) => ctx.services.optimizer.stop(person(input?.reason))),
  pending: procedure.input(PendingFilter.optional()).query(({ ctx, input }) => ctx.services.optimizer.pending(input ?? {})),
  suggest: procedure.input(SuggestInput).mutation(({ ctx, input }) => mapped(() => ctx.services.optimizer.suggest(input, person()))),
  trials: procedure.input(TrialFilter.optional()).query(({ ctx, input }) => ctx.services.optimizer.trials(input ?? {})),
  approve: procedure
    .input(ReasonInput.extend({ id: Id }))
    .mutation(({ ctx, input }) => mapped(() => ctx.services.optimizer.approve(input.id, person(input.reason)))),
  reject: procedure
    .input(ReasonInput.extend({ id: Id }))
    .mutation(({ ctx, input }) => mapped(() => ctx.services.optimizer.reject(input.id, person(input.reason)))),
});

const audit = router({
  list: procedure.input(AuditFilterInput.optional()).query(({ ctx, input }) => ctx.services.audit.list(input ?? {})),
  /** The trail as JSONL, oldest first. */
  export: procedure.input(AuditFilterInput.optional()).query(async ({ ctx, input }) => ({ jsonl: await auditJsonl(ctx.services, input ?? {}) })),
});

export const deploymentsRouter = router({
  get: procedure.input(P).query(({ ctx, input }) => mapped(() => ctx.services.deployments.view(input.pipelineId))),
  tag: procedure
    .input(TagInput.extend(P.shape))
    .mutation(({ ctx, input }) => mapped(() => ctx.services.deployments.tag(input.pipelineId, input.tag, input.version, person(input.reason)))),
  untag: procedure
    .input(UntagInput.extend(P.shape))
    .mutation(({ ctx, input }) => mapped(() => ctx.services.deployments.untag(input.pipelineId, input.tag, person(input.reason)))),
  promote: procedure
    .input(ReasonInput.extend(P.shape))
    .mutation(({ ctx, input }) => mapped(() => ctx.services.deployments.promote(input.pipelineId, person(input.reason)))),
  restore: procedure
    .input(RestoreInput.extend(P.shape))
    .mutation(({ ctx, input }) => mapped(() => ctx.services.deployments.restore(input.pipelineId, input.version, person(input.reason)))),
  policy: procedure.input(P).query(({ ctx, input }) => mapped(async () => (await ctx.services.deployments.view(input.pipelineId)).policy)),
  /** The whole policy (defaults fill what is left out); E_POLICY names a bad field. */
  setPolicy: procedure
    .input(P.extend({ policy: z.unknown(), reason: Reason }))
    .mutation(({ ctx, input }) => mapped(() => ctx.services.deployments.setPolicy(input.pipelineId, input.policy, person(input.reason)))),
  optimizer,
  audit,
});
